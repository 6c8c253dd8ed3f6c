// `sagemaker-hf logs` against a real moto_server: a training job created there, its log group and
// streams filled by the test (moto writes no logs itself), the CLI's output checked line by line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, startMoto, type Moto } from '../helpers/moto';
import { startFaultProxy } from '../helpers/faultProxy';

const cli = path.resolve(__dirname, '../../../dist/cli.js');
const run = promisify(execFile);
const GROUP = '/aws/sagemaker/TrainingJobs';
let moto: Moto;
let sm: SageMakerClient;
let logs: CloudWatchLogsClient;

before(async () => {
  moto = await startMoto();
  const cfg = {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  sm = new SageMakerClient(cfg);
  logs = new CloudWatchLogsClient(cfg);
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
});
after(async () => {
  await moto?.stop();
});

async function createJob(name: string, instances: number): Promise<void> {
  await sm.send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`,
      AlgorithmSpecification: {
        TrainingImage:
          '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.11.0-transformers4.21.1-gpu-py38-cu113-ubuntu20.04',
        TrainingInputMode: 'File',
      },
      OutputDataConfig: { S3OutputPath: 's3://sagemaker-us-east-1-123456789012/out' },
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: instances, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
}

async function put(stream: string, events: { ts: number; msg: string }[]): Promise<void> {
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: stream,
      logEvents: events.map((e) => ({ timestamp: e.ts, message: e.msg })),
    }),
  );
}

test('logs prints two instances merged by timestamp, the status and the outcome', async () => {
  const job = 'hf-logs-two';
  await createJob(job, 2);
  const s1 = `${job}/algo-1-1700000000`,
    s2 = `${job}/algo-2-1700000000`;
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: s1 }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: s2 }));
  // Another job's stream shares the group and a name prefix; it must not leak in.
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: `${job}-other/algo-1-1700000000` }));
  const t0 = Date.now() - 60_000;
  await put(s1, [
    { ts: t0, msg: 'Found configuration for Training Compiler' },
    { ts: t0 + 2000, msg: '[metrics] step=10 epoch=0.1 loss=0.9' },
    { ts: t0 + 4000, msg: 'same ts line from algo-1' },
  ]);
  await put(s2, [
    { ts: t0 + 1000, msg: 'Configuring SM Training Compiler...' },
    { ts: t0 + 4000, msg: 'same ts line from algo-2' },
  ]);
  await put(`${job}-other/algo-1-1700000000`, [{ ts: t0 + 500, msg: 'NOT THIS JOB' }]);

  for (const follow of [false, true]) {
    const { stdout, stderr } = await run(process.execPath, [cli, 'logs', job, ...(follow ? ['--follow'] : [])], {
      env: moto.env,
      timeout: 60_000,
    });
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Starting - Preparing the instances for training$/);
    assert.deepEqual(lines.slice(1, 6), [
      '[algo-1] Found configuration for Training Compiler',
      '[algo-2] Configuring SM Training Compiler...',
      '[algo-1] [metrics] step=10 epoch=0.1 loss=0.9',
      '[algo-1] same ts line from algo-1',
      '[algo-2] same ts line from algo-2',
    ]);
    // moto's jobs are born Completed with a fake train:progress metric and no training seconds.
    assert.deepEqual(lines.slice(6), [
      `Training job ${job} Completed`,
      'Final metrics: train:progress=100',
      `Model artifact: s3://sagemaker-us-east-1-123456789012/out/${job}/output/model.tar.gz`,
    ]);
    assert.equal(stderr.replace(/.*NodeVersionSupportWarning.*\n?/g, ''), '');
  }
});

test('an unknown job is one clear line and exit 1; a job without logs says so', async () => {
  await assert.rejects(
    run(process.execPath, [cli, 'logs', 'no-such-job'], { env: moto.env }),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /training job 'no-such-job' was not found in us-east-1/);
      return true;
    },
  );
  await createJob('hf-logs-none', 1);
  const { stdout } = await run(process.execPath, [cli, 'logs', 'hf-logs-none', '--follow'], { env: moto.env });
  assert.deepEqual(stdout.trimEnd().split('\n').slice(1), [
    'Training job hf-logs-none Completed',
    'Final metrics: train:progress=100',
    'Model artifact: s3://sagemaker-us-east-1-123456789012/out/hf-logs-none/output/model.tar.gz',
  ]);
});

// moto's training jobs are Completed from birth and never change (notes B2/B5), so the one thing it
// cannot show (a running job that later fails) comes from the fault proxy in front of the real moto,
// rewriting only DescribeTrainingJob's status fields. Every Logs call still goes to moto.
test('--follow prints lines appended while it tails, then the failure with the last lines, exit 1', async () => {
  const job = 'hf-logs-follow';
  await createJob(job, 1);
  const proxy = await startFaultProxy(moto.endpoint);
  let status: Record<string, unknown> = { TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' };
  proxy.add({ service: 'sagemaker', operation: 'DescribeTrainingJob', fault: { kind: 'patch', fields: () => status } });
  try {
    const child = spawn(process.execPath, [cli, 'logs', job, '--follow'], {
      env: { ...moto.env, AWS_ENDPOINT_URL: proxy.url },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output so far:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await waitFor(/Waiting for logs/);
    const stream = `${job}/algo-1-1700000000`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    await put(stream, [{ ts: Date.now(), msg: 'epoch 1 started' }]);
    await waitFor(/epoch 1 started/);
    await put(stream, [
      { ts: Date.now(), msg: 'Traceback (most recent call last):' },
      { ts: Date.now() + 1, msg: 'RuntimeError: CUDA out of memory' },
    ]);
    status = {
      TrainingJobStatus: 'Failed',
      SecondaryStatus: 'Failed',
      FailureReason: 'AlgorithmError: RuntimeError: CUDA out of memory',
    };
    assert.equal(await exited, 1, out);
    const lines = out
      .replace(/.*NodeVersionSupportWarning.*\n?/g, '')
      .trimEnd()
      .split('\n');
    assert.match(lines[0]!, /Starting - Preparing the instances for training$/);
    assert.deepEqual(lines.slice(1), [
      "Waiting for logs… the job's instances have not written any yet (status: InProgress / Training).",
      'epoch 1 started',
      'Traceback (most recent call last):',
      'RuntimeError: CUDA out of memory',
      `Training job ${job} Failed: AlgorithmError: RuntimeError: CUDA out of memory`,
      'Last 3 log lines before the failure:',
      '  epoch 1 started',
      '  Traceback (most recent call last):',
      '  RuntimeError: CUDA out of memory',
    ]);
  } finally {
    await proxy.close();
  }
});
