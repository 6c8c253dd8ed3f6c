// `sagemaker-hf run --target sagemaker` end to end against a real moto_server with the built CLI: the
// five steps, the job moto holds, the prediction from moto's queued InvokeEndpoint result, nothing left
// afterwards; the refusal without --yes and a terminal; a failure after the endpoint exists deleting
// what the run created; and a 'local' spec still taking the local path.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { startMoto, useMotoEnv, type Moto, queueEndpointResults, sageMakerLeftovers } from '../helpers/moto';

const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const cli = path.join(repo, 'dist/cli.js');
const execFileP = promisify(execFile);
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const TRAINING_IMAGE =
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04';
const EMOTIONS = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
const SIX = [
  { label: 'sadness', score: 0.962 },
  { label: 'joy', score: 0.008 },
  { label: 'love', score: 0.003 },
  { label: 'anger', score: 0.012 },
  { label: 'fear', score: 0.013 },
  { label: 'surprise', score: 0.002 },
];

let moto: Moto;
let restore: () => void;
let sm: SageMakerClient;
let s3: S3Client;
let tmp: string;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cloudrun-'));
});
after(async () => {
  restore?.();
  await moto?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  await moto.reset();
  sm = new SageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint, maxAttempts: 1 });
  s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, maxAttempts: 1 });
});

function writeSpec(name: string, training: Record<string, unknown> = {}): string {
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        version: 1,
        dataset: {
          source: {
            train: path.join(shared, 'data/emotion/train.jsonl'),
            test: path.join(shared, 'data/emotion/test.jsonl'),
          },
          splits: { train: 'train', test: 'test' },
          labelNames: EMOTIONS,
          tokenizer: path.join(shared, 'models/bert-base-uncased'),
          padding: 'max_length',
          maxLength: 64,
          limit: 100,
          s3Prefix: `it/datasets/${name}`,
        },
        training: {
          entryPoint: 'train.py',
          sourceDir: path.join(repo, 'training-scripts'),
          baseJobName: `it-${name}`,
          instanceType: 'ml.p3.2xlarge',
          instanceCount: 1,
          transformersVersion: '4.11.0',
          pytorchVersion: '1.9.0',
          pyVersion: 'py38',
          compiler: 'training-compiler',
          hyperparameters: {
            epochs: 1,
            train_batch_size: 24,
            eval_batch_size: 32,
            learning_rate: 3e-5,
            model_id: 'bert-base-uncased',
            fp16: true,
          },
          disableProfiler: true,
          debuggerHookConfig: false,
          ...training,
        },
        deploy: { instanceType: 'ml.g4dn.xlarge', initialInstanceCount: 1 },
      },
      null,
      2,
    ),
  );
  return file;
}

async function cliRun(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build first`);
  try {
    // execFile gives the child no terminal: exactly the "nobody to ask" case.
    const r = await execFileP(process.execPath, [cli, ...args], {
      cwd: tmp,
      env: { ...moto.env, SAGEMAKER_ROLE_ARN: '' },
      maxBuffer: 16 << 20,
      timeout: 300_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const queueResults = (bodies: unknown[]) => queueEndpointResults(moto, bodies);
const leftovers = () => sageMakerLeftovers(sm);

const jobNames = async () =>
  ((await sm.send(new ListTrainingJobsCommand({}))).TrainingJobSummaries ?? []).map((j) => j.TrainingJobName!);

test("run --target sagemaker --yes: five steps, moto's job and queued prediction, nothing billable left", async () => {
  const spec = writeSpec('happy');
  // A sentinel score no real model would give proves the printed prediction is moto's queued answer.
  const queued = [[{ ...SIX[0]!, score: 0.9137 }, ...SIX.slice(1)]];
  await queueResults([queued]);
  const r = await cliRun(['run', spec, '--target', 'sagemaker', '--yes', '--role', ROLE]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(
    r.stderr,
    /training .*1 x ml\.p3\.2xlarge, about \$[\d.]+\/h, offline table \(us-east-1 prices\) while it runs/,
  );
  assert.match(
    r.stderr,
    /endpoint +1 x ml\.g4dn\.xlarge, about \$[\d.]+\/h, offline table \(us-east-1 prices\) until the run deletes it/,
  );
  for (const [i, s] of ['prepare', 'train', 'deploy', 'predict', 'delete'].entries()) {
    assert.match(r.stdout, new RegExp(`\\[${i + 1}/5\\] ${s}\\n`), `step ${s} starts`);
    assert.match(r.stdout, new RegExp(`\\[${i + 1}/5\\] ${s} done in `), `step ${s} ends`);
  }
  assert.match(
    r.stdout,
    /\[1\/5\] prepare done in .*train 100 rows, test 100 rows; 6 labels -> s3:\/\/sagemaker-us-east-1-123456789012\/it\/datasets\/happy\//,
  );
  assert.match(r.stdout, /Completed \(Completed\)/, "the job's status change is printed");
  assert.match(r.stdout, /\[4\/5\] predict done in .*-> sadness \(0\.914\)/);
  assert.match(r.stdout, /prediction \[\[\{"label":"sadness","score":0\.9137\}/);
  assert.match(r.stdout, /\nSummary\n/);

  const jobs = await jobNames();
  assert.equal(jobs.length, 1);
  assert.match(jobs[0]!, /^it-happy-\d{4}-/);
  assert.match(r.stdout, new RegExp(`job +${jobs[0]}`));
  const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: jobs[0] }));
  assert.equal(job.AlgorithmSpecification?.TrainingImage, TRAINING_IMAGE);
  assert.equal(job.RoleArn, ROLE);
  const uploaded = await s3.send(
    new ListObjectsV2Command({ Bucket: 'sagemaker-us-east-1-123456789012', Prefix: 'it/datasets/happy/' }),
  );
  assert.ok(
    (uploaded.Contents ?? []).some((o) => o.Key!.endsWith('.sagemaker-hf-manifest.json')),
    'dataset uploaded with its manifest',
  );
  assert.deepEqual(await leftovers(), { models: [], configs: [], endpoints: [] });
});

test('without --yes and without a terminal it refuses and creates nothing', async () => {
  const spec = writeSpec('refused');
  const r = await cliRun(['run', spec, '--target', 'sagemaker', '--role', ROLE]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /pass --yes to confirm/);
  assert.match(r.stderr, /1 x ml\.p3\.2xlarge/, 'what it would create is printed first');
  assert.doesNotMatch(r.stdout, /\[1\/5\]/);
  assert.deepEqual(await jobNames(), []);
  assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], [], 'no bucket, no objects');
  assert.deepEqual(await leftovers(), { models: [], configs: [], endpoints: [] });
});

test('no role anywhere: a clear error before anything is created', async () => {
  const spec = writeSpec('norole');
  const r = await cliRun(['run', spec, '--target', 'sagemaker', '--yes']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no execution role.*--role/);
  assert.deepEqual(await jobNames(), []);
  assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
});

test('a failure after the endpoint exists deletes the endpoint, config and model the run created', async () => {
  const spec = writeSpec('fails');
  // Nothing queued: moto answers InvokeEndpoint with the placeholder "body", which the predictor refuses.
  const r = await cliRun(['run', spec, '--target', 'sagemaker', '--yes', '--role', ROLE]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /\[3\/5\] deploy done in /);
  assert.match(r.stderr, /non-JSON/);
  assert.match(r.stdout, /deleted endpoint it-fails-[\d-]+, its config and model \(created by this run\)/);
  assert.deepEqual(await leftovers(), { models: [], configs: [], endpoints: [] });
});

test('a spec with instanceType local still takes the local path (no AWS call)', async () => {
  const spec = writeSpec('local', {
    instanceType: 'local',
    compiler: undefined,
    transformersVersion: undefined,
    pytorchVersion: undefined,
    pyVersion: undefined,
  });
  const r = await cliRun(['run', spec, '--python', path.join(tmp, 'no-such-python')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no-such-python/, 'the local path looks for the interpreter');
  assert.doesNotMatch(r.stderr, /pass --yes/);
  assert.deepEqual(await jobNames(), []);
  assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
});
