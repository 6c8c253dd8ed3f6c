// The job details page's facts: every field the console shows of a training job, in groups, with the
// spot saving in dollars and the status history; a local job's page from its record; and which actions
// the page offers (Deploy only for a finished job with a model, Stop only while running).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSeconds,
  jobActions,
  localJobFacts,
  sageMakerJobFacts,
  type FactGroup,
} from '../../src/core/training/jobFacts';

const flat = (groups: FactGroup[]) =>
  Object.fromEntries(groups.flatMap((g) => g.rows.map((r) => [`${g.title}/${r.label}`, r.value])));

test('a finished spot job: instances, times, billing with the saving in $, history, hyperparameters, channels, outputs', () => {
  const facts = sageMakerJobFacts(
    {
      TrainingJobName: 'j',
      TrainingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/j',
      TrainingJobStatus: 'Completed',
      SecondaryStatus: 'Completed',
      CreationTime: '2026-12-07T10:00:00Z',
      TrainingStartTime: '2026-12-07T10:01:00Z',
      TrainingEndTime: '2026-12-07T11:01:30Z',
      EnableManagedSpotTraining: true,
      TrainingTimeInSeconds: 3600,
      BillableTimeInSeconds: 1080,
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 2, VolumeSizeInGB: 30 },
      AlgorithmSpecification: { TrainingImage: 'img:1' },
      HyperParameters: { epochs: '3', model_name: '"bert"' },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: 's3://b/train' } } }],
      OutputDataConfig: { S3OutputPath: 's3://b/out' },
      CheckpointConfig: { S3Uri: 's3://b/ckpt' },
      ModelArtifacts: { S3ModelArtifacts: 's3://b/out/j/output/model.tar.gz' },
      SecondaryStatusTransitions: [
        {
          Status: 'Starting',
          StartTime: '2026-12-07T10:00:00Z',
          EndTime: '2026-12-07T10:01:00Z',
          StatusMessage: 'Preparing the instances',
        },
        { Status: 'Training', StartTime: '2026-12-07T10:05:00Z' },
      ],
    },
    'us-east-1',
  );
  const f = flat(facts);
  assert.deepEqual(
    facts.map((g) => g.title),
    ['Overview', 'Billing', 'Status history', 'Hyperparameters (as sent)', 'Input channels', 'Output'],
  );
  assert.equal(f['Overview/Instances'], 'ml.g4dn.xlarge × 2 · 30 GB volume');
  assert.equal(f['Overview/Capacity'], 'managed spot');
  assert.equal(f['Overview/Created'], '2026-12-07 10:00:00Z');
  assert.equal(f['Overview/Duration'], '1h 00m 30s');
  assert.equal(f['Overview/ARN'], 'arn:aws:sagemaker:us-east-1:123456789012:training-job/j');
  assert.equal(f['Overview/Image'], 'img:1');
  assert.equal(f['Billing/Training time'], '3600 s (1h 00m 00s)');
  assert.equal(f['Billing/Billable time'], '1080 s (18m 00s)');
  assert.match(f['Billing/Spot saving']!, /^70% \(about \$\d+\.\d+, offline table \(us-east-1 prices\)\)$/);
  assert.equal(f['Status history/Starting'], '2026-12-07 10:00:00Z · 1m 00s · Preparing the instances');
  assert.equal(f['Status history/Training'], '2026-12-07 10:05:00Z');
  assert.equal(f['Hyperparameters (as sent)/model_name'], '"bert"', 'the value as sent, quotes and all');
  assert.equal(f['Input channels/train'], 's3://b/train');
  assert.equal(f['Output/Model artifact'], 's3://b/out/j/output/model.tar.gz');
  assert.equal(f['Output/Checkpoints'], 's3://b/ckpt');
  assert.ok(facts[0]!.rows.find((r) => r.label === 'ARN')!.code, 'identifiers in monospace');
});

test('a failed job shows its reason first; a running one its duration so far; a requested warm pool as requested', () => {
  const failed = flat(
    sageMakerJobFacts({ TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: OOM' }, 'us-east-1'),
  );
  assert.equal(failed['Overview/Failure reason'], 'AlgorithmError: OOM');
  const running = flat(
    sageMakerJobFacts(
      {
        TrainingJobStatus: 'InProgress',
        SecondaryStatus: 'Training',
        TrainingStartTime: '2026-12-07T10:00:00Z',
        ResourceConfig: { InstanceType: 'ml.g5.xlarge', KeepAlivePeriodInSeconds: 1800 },
      },
      'us-east-1',
      new Date('2026-12-07T10:04:10Z'),
    ),
  );
  assert.equal(running['Overview/Status'], 'InProgress (Training)');
  assert.equal(running['Overview/Duration'], '4m 10s so far');
  assert.equal(running['Billing/Warm pool'], 'requested (keep alive 30m 00s)');
});

test('a local job: command, channels, folder and artifact from its record', () => {
  const f = flat(
    localJobFacts({
      status: 'Completed',
      createdAt: '2026-12-07T10:00:00Z',
      endedAt: '2026-12-07T10:00:42Z',
      entryPoint: 'train.py',
      args: ['--epochs', '1'],
      channels: { train: '/d/train' },
      jobDir: '/jobs/j',
      modelArtifact: '/jobs/j/model',
      hyperparameters: { epochs: 1 },
    }),
  );
  assert.equal(f['Overview/Duration'], '42s');
  assert.equal(f['Overview/Command'], 'python train.py --epochs 1');
  assert.equal(f['Input channels/train'], '/d/train');
  assert.equal(f['Hyperparameters (as sent)/epochs'], '1');
  assert.equal(f['Output/Model artifact'], '/jobs/j/model');
});

test('actions: Deploy for a completed job with a model, Stop while running, Copy ARN with an ARN', () => {
  assert.deepEqual(jobActions('Completed', true, 'arn:x'), { deploy: true, stop: false, arn: 'arn:x' });
  assert.deepEqual(jobActions('Completed', false), { deploy: false, stop: false });
  assert.deepEqual(jobActions('InProgress', false), { deploy: false, stop: true });
  assert.deepEqual(jobActions('Local job: Completed', true), { deploy: true, stop: false });
  assert.equal(formatSeconds(59.6), '1m 00s');
});

test('a command resumes after the button that fixed it, once, and only when the fix succeeded', async () => {
  const { shouldResume } = await import('../../src/core/errors');
  const role = { title: 'Select Execution Role', command: 'sagemakerHf.selectRole', resume: true };
  assert.equal(shouldResume(role, true, false), true, 'a role was selected: run the command again');
  assert.equal(shouldResume(role, false, false), false, 'the picker was dismissed');
  assert.equal(shouldResume(role, true, true), false, 'never a second time');
  assert.equal(shouldResume({ title: 'Show Log', command: 'x' }, true, false), false, 'a button that fixes nothing');
  assert.equal(shouldResume(undefined, undefined, false), false);
});
