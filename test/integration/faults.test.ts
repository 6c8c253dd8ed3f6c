// Faults a real user meets, injected end to end through the built CLI: a real moto_server behind the
// fault proxy (test/helpers/faultProxy.ts) for what moto cannot show (throttling, stalls, expired
// credentials, a job that stays InProgress, an endpoint that goes Failed, answers lost after the
// resource was made), and a stand-in Hub. Each test checks what the user sees and what is left in
// moto afterwards: nothing half-made or billing that the output did not name.
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, sageMakerLeftovers, startMoto, type Moto } from '../helpers/moto';
import { startFaultProxy, startStandInHub, type FaultProxy } from '../helpers/faultProxy';

const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const CLI_JS = path.join(repo, 'dist/cli.js');
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
const BUCKET = `sagemaker-us-east-1-${MOTO_ACCOUNT}`;
const TRAINING_IMAGE =
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.11.0-transformers4.21.1-gpu-py38-cu113-ubuntu20.04';
const EMOTIONS = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];

let moto: Moto;
let proxy: FaultProxy;
let sm: SageMakerClient;
let s3: S3Client;
let logs: CloudWatchLogsClient;
let tmp: string;
/** CLI processes of the running test: a failed assertion must not leave one waiting at a prompt. */
const children = new Set<ChildProcess>();

before(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  const cfg = {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  sm = new SageMakerClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  logs = new CloudWatchLogsClient(cfg);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'faults-'));
});
after(async () => {
  await proxy?.close();
  await moto?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});
beforeEach(async () => {
  proxy.clear();
  proxy.calls.length = 0;
  proxy.injected.length = 0;
  await moto.reset();
});

interface Run {
  code: number;
  out: string;
  /** Resolves when the output matches. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Ctrl-C: a keystroke on the terminal, SIGINT without one. */
  interrupt(): void;
  type(text: string): void;
  done: Promise<number>;
}

/** The built CLI against the proxy. `tty`: under script(1), so stdin/stderr are a terminal and output is merged. */
function startCli(args: string[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
  const env = { ...moto.env, AWS_ENDPOINT_URL: proxy.url, SAGEMAKER_ROLE_ARN: ROLE, ...opts.env };
  const quoted = [process.execPath, CLI_JS, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = opts.tty
    ? spawn('script', ['-qefc', quoted, '/dev/null'], { env, cwd: opts.cwd ?? tmp })
    : spawn(process.execPath, [CLI_JS, ...args], { env, cwd: opts.cwd ?? tmp });
  children.add(child);
  const run = {
    code: -1,
    out: '',
    done: undefined as unknown as Promise<number>,
    async waitFor(re: RegExp, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (!re.test(run.out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; output so far:\n${run.out}`);
        if (run.code !== -1) throw new Error(`exited ${run.code} before ${re}; output:\n${run.out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    interrupt() {
      if (opts.tty) child.stdin.write('\x03');
      else child.kill('SIGINT');
    },
    type(text: string) {
      child.stdin.write(text);
    },
  };
  child.stdout.on('data', (d) => (run.out += String(d)));
  child.stderr.on('data', (d) => (run.out += String(d)));
  run.done = new Promise<number>((resolve) => child.on('exit', (code) => resolve((run.code = code ?? -1))));
  if (!opts.tty) child.stdin.end();
  return run;
}

async function cli(args: string[], opts: Parameters<typeof startCli>[1] = {}): Promise<{ code: number; out: string }> {
  const r = startCli(args, opts);
  const timer = setTimeout(() => r.interrupt(), 120_000);
  await r.done;
  clearTimeout(timer);
  return { code: r.code, out: r.out.replace(/.*NodeVersionSupportWarning.*\n?/g, '') };
}

/**
 * Everything that could be half-made or billing, straight from moto. Only a missing bucket reads as
 * "nothing in it": any other S3 error fails the audit, so "no unfinished upload left" is always checked.
 */
async function audit(s3c: S3Client = s3): Promise<{
  keys: string[];
  uploads: string[];
  jobs: string[];
  models: string[];
  configs: string[];
  endpoints: string[];
}> {
  let keys: string[] = [];
  let uploads: string[] = [];
  try {
    keys = ((await s3c.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!);
    uploads = ((await s3c.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).map((u) => u.Key!);
  } catch (err) {
    if ((err as { name?: string }).name !== 'NoSuchBucket') throw err;
  }
  const jobs = ((await sm.send(new ListTrainingJobsCommand({}))).TrainingJobSummaries ?? []).map(
    (j) => j.TrainingJobName!,
  );
  return { keys, uploads, jobs, ...(await sageMakerLeftovers(sm)) };
}

async function createJob(name: string): Promise<void> {
  await sm.send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      RoleArn: ROLE,
      AlgorithmSpecification: { TrainingImage: TRAINING_IMAGE, TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/out` },
      ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
}

function writeSpec(name: string, dataset: Record<string, unknown> = {}): string {
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
          maxLength: 32,
          limit: 50,
          s3Prefix: `it/${name}`,
          ...dataset,
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
          hyperparameters: { epochs: 1, model_id: 'bert-base-uncased' },
          disableProfiler: true,
          debuggerHookConfig: false,
        },
        deploy: { instanceType: 'ml.g4dn.xlarge', initialInstanceCount: 1 },
      },
      null,
      2,
    ),
  );
  return file;
}

/** What train checks before it starts: the manifest and one object per channel (the dataset itself is not read). */
async function fakePreparedDataset(prefix: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  for (const key of [
    `${prefix}/.sagemaker-hf-manifest.json`,
    `${prefix}/train/state.json`,
    `${prefix}/test/state.json`,
  ]) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{}' }));
  }
}

const THROTTLE = { kind: 'error', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' } as const;

test('the leftover audit fails on an S3 error instead of reading it as an empty bucket', async () => {
  const down = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    forcePathStyle: true,
    maxAttempts: 1,
  });
  await assert.rejects(audit(down), (err: Error) => /ECONNREFUSED|connect/i.test(`${err.name} ${err.message}`));
  // moto was reset: the bucket does not exist, which is the one S3 error that means nothing is left.
  assert.deepEqual((await audit()).uploads, [], 'a missing bucket is nothing left');
});

// ---------------------------------------------------------------------------------------------- throttling

test('throttling on SageMaker and CloudWatch Logs: retried with backoff, "throttled, retrying" shown, the output complete', async () => {
  await createJob('thr-job');
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/sagemaker/TrainingJobs' }));
  await logs.send(
    new CreateLogStreamCommand({
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamName: 'thr-job/algo-1-1700000000',
    }),
  );
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: '/aws/sagemaker/TrainingJobs',
      logStreamName: 'thr-job/algo-1-1700000000',
      logEvents: [{ timestamp: Date.now() - 1000, message: 'epoch 1 done' }],
    }),
  );
  proxy.add({ service: 'sagemaker', operation: 'DescribeTrainingJob', times: 2, fault: THROTTLE });
  proxy.add({ service: 'logs', times: 2, fault: THROTTLE });
  const r = await cli(['logs', 'thr-job']);
  assert.equal(r.code, 0, r.out);
  assert.equal(proxy.injected.length, 4, 'two SageMaker and two Logs calls were throttled');
  assert.match(r.out, /SageMaker DescribeTrainingJob: throttled \(ThrottlingException\), retrying \(attempt 2 of 3\)/);
  // The log tail paces its own Logs calls (one attempt each) and says so itself.
  assert.match(r.out, /\(CloudWatch Logs is throttling requests; slowing down\)/);
  assert.match(r.out, /epoch 1 done/);
  assert.match(r.out, /Training job thr-job Completed/);
});

test("throttling on S3 during prepare's upload: retried, the dataset and its manifest complete", async () => {
  const spec = writeSpec('thr-s3');
  proxy.add({
    service: 's3',
    operation: /^(PutObject|UploadPart)$/,
    times: 2,
    fault: { kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
  });
  const r = await cli(['prepare', spec]);
  assert.equal(r.code, 0, r.out);
  assert.equal(proxy.injected.length, 2);
  assert.match(r.out, /S3 (PutObject|UploadPart): throttled \(SlowDown\), retrying/);
  const { keys, uploads } = await audit();
  assert.ok(keys.includes('it/thr-s3/.sagemaker-hf-manifest.json'), keys.join(', '));
  assert.deepEqual(uploads, []);
});

// ---------------------------------------------------------------------------------------------- stalls

test('an AWS answer that never comes: "waiting for" within seconds, then the inactivity timeout naming the URL and the setting', async () => {
  await createJob('stall-job');
  proxy.add({ service: 'sagemaker', operation: 'DescribeTrainingJob', fault: { kind: 'stall' } });
  const t0 = Date.now();
  const r = await cli(['logs', 'stall-job'], { env: { SAGEMAKER_HF_TIMEOUT_SECONDS: '1.9' } });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.code, 1, r.out);
  assert.ok(seconds < 30, `gave up after ${seconds} s`);
  assert.match(
    r.out,
    new RegExp(`waiting for SageMaker DescribeTrainingJob at ${proxy.url.replace(/\./g, '\\.')} \\(\\d+ s`),
  );
  assert.match(r.out, /no answer from .*retrying \(attempt 2 of 3\)/);
  const last = r.out.trimEnd().split('\n').at(-1)!;
  assert.match(
    last,
    new RegExp(`${proxy.url.replace(/\./g, '\\.')} accepted the connection but sent nothing for 1\\.9 s`),
  );
  assert.match(last, /SAGEMAKER_HF_TIMEOUT_SECONDS=<seconds>.*sagemakerHf\.requestTimeoutSeconds/);
});

test('a Hub that accepts the connection and never answers: the tokenizer load says what it waits for, then times out naming the URL', async () => {
  const hub = await startStandInHub({ 'acme/stall-bert': path.join(shared, 'models/bert-base-uncased') });
  hub.stall = true;
  try {
    const spec = writeSpec('hub-stall', { tokenizer: 'acme/stall-bert' });
    const r = await cli(['prepare', spec, '--no-upload', '--out', path.join(tmp, 'hub-stall-out')], {
      env: { HF_ENDPOINT: hub.url, SAGEMAKER_HF_TIMEOUT_SECONDS: '4', XDG_CACHE_HOME: path.join(tmp, 'cache-stall') },
    });
    assert.equal(r.code, 1, r.out);
    assert.ok(hub.requests.length > 0, 'the stand-in Hub was asked');
    assert.match(
      r.out,
      new RegExp(
        `waiting for ${hub.url.replace(/\./g, '\\.')}/acme/stall-bert/resolve/main/\\S+ \\(nothing for \\d+ s`,
      ),
    );
    const last = r.out.trimEnd().split('\n').at(-1)!;
    assert.match(last, /dataset\.tokenizer: tokenizer 'acme\/stall-bert'/);
    assert.match(last, /accepted the connection but sent nothing for 4 s/);
    assert.match(last, /SAGEMAKER_HF_TIMEOUT_SECONDS/);
  } finally {
    await hub.close();
  }
});

test('an unreachable Hub: the tokenizer error names the URL and the cause, not just "fetch failed"', async () => {
  const hub = await startStandInHub({});
  const url = hub.url;
  await hub.close(); // nothing listens there any more
  const spec = writeSpec('hub-down', { tokenizer: 'acme/down-bert' });
  const r = await cli(['prepare', spec, '--no-upload', '--out', path.join(tmp, 'hub-down-out')], {
    env: { HF_ENDPOINT: url, XDG_CACHE_HOME: path.join(tmp, 'cache-down') },
  });
  assert.equal(r.code, 1, r.out);
  const last = r.out.trimEnd().split('\n').at(-1)!;
  assert.match(
    last,
    new RegExp(`cannot reach ${url.replace(/\./g, '\\.')}/acme/down-bert/resolve/main/\\S+ \\(.*ECONNREFUSED`),
  );
  assert.match(last, /HF_ENDPOINT/);
});

test('connection cut mid-upload (the abort cut too), then a rerun: no manifest while incomplete, the rerun completes, no open multipart upload, foreign objects untouched', async () => {
  // 16000 rows at 128 tokens make a 12 MiB arrow file, over the 8 MiB part size: a real multipart upload.
  // The last assertion (no open upload after the rerun) holds because prepare aborts every unfinished
  // multipart upload under the run's prefix at its start and end, leftovers of earlier runs included.
  const spec = writeSpec('cut', {
    source: { train: path.join(shared, 'data/emotion/train.jsonl') },
    splits: { train: 'train' },
    limit: 16000,
    maxLength: 128,
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const foreign = {
    'other-team/data.csv': 'a,b\n',
    'it/cut.backup/keep.jsonl': '{}\n',
    'it/cutting/notes.txt': 'mine',
  };
  for (const [Key, Body] of Object.entries(foreign)) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  const cut = proxy.add({ service: 's3', operation: /^(UploadPart|AbortMultipartUpload)$/, fault: { kind: 'cut' } });
  const first = await cli(['prepare', spec]);
  assert.equal(first.code, 1, first.out);
  assert.ok(
    proxy.injected.some((c) => c.operation === 'UploadPart'),
    'an upload part was cut',
  );
  let left = await audit();
  assert.ok(
    !left.keys.includes('it/cut/.sagemaker-hf-manifest.json'),
    `no manifest after the cut: ${left.keys.join(', ')}`,
  );
  proxy.remove(cut);
  const rerun = await cli(['prepare', spec]);
  assert.equal(rerun.code, 0, rerun.out);
  left = await audit();
  assert.ok(left.keys.includes('it/cut/.sagemaker-hf-manifest.json'), 'the rerun completes with its manifest');
  assert.deepEqual(left.uploads, [], 'no unfinished multipart upload is left to bill');
  for (const key of Object.keys(foreign)) assert.ok(left.keys.includes(key), `${key} untouched`);
});

// ---------------------------------------------------------------------------------------------- credentials

test('expired credentials: one line naming the profile and the command that refreshes them', async () => {
  const config = path.join(tmp, 'aws-config');
  const creds = path.join(tmp, 'aws-credentials');
  writeFileSync(config, '[profile dev]\nregion = us-east-1\n');
  writeFileSync(
    creds,
    '[dev]\naws_access_key_id = testing\naws_secret_access_key = testing\naws_session_token = testing\n',
  );
  const env = {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: creds,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
  };
  await createJob('exp-job');

  proxy.add({
    service: 'sagemaker',
    fault: {
      kind: 'error',
      status: 400,
      code: 'ExpiredTokenException',
      message: 'The security token included in the request is expired',
    },
  });
  const a = await cli(['logs', 'exp-job', '--profile', 'dev'], { env });
  assert.equal(a.code, 1, a.out);
  assert.deepEqual(a.out.trimEnd().split('\n'), [
    `sagemaker-hf logs: Reading training job exp-job failed: the credentials of profile 'dev' have expired. Refresh them (for SSO: 'aws sso login --profile dev') and try again.`,
  ]);
  assert.equal(proxy.injected.length, 1, 'an expired token is not retried');

  proxy.clear();
  proxy.add({
    service: 'sts',
    fault: {
      kind: 'error',
      status: 403,
      code: 'ExpiredToken',
      message: 'The security token included in the request is expired',
    },
  });
  const b = await cli(['connect', '--profile', 'dev'], { env });
  assert.equal(b.code, 1, b.out);
  assert.equal(b.out.trimEnd().split('\n').length, 1, b.out);
  assert.match(b.out, /profile 'dev' have expired.*'aws sso login --profile dev'/);
});

test('an expired SSO session: one line naming the profile and aws sso login --profile', async () => {
  const home = path.join(tmp, 'sso-home');
  mkdirSync(path.join(home, '.aws', 'sso', 'cache'), { recursive: true });
  const config = path.join(home, '.aws', 'config');
  writeFileSync(
    config,
    [
      '[profile sso-dev]',
      'sso_session = corp',
      'sso_account_id = 123456789012',
      'sso_role_name = ML',
      'region = us-east-1',
      '',
      '[sso-session corp]',
      'sso_start_url = https://corp.awsapps.com/start',
      'sso_region = us-east-1',
      'sso_registration_scopes = sso:account:access',
      '',
    ].join('\n'),
  );
  // The cached token the SDK finds for session "corp" (file name: sha1 of the session name), expired an hour ago.
  const { createHash } = await import('node:crypto');
  writeFileSync(
    path.join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`),
    JSON.stringify({
      accessToken: 'expired',
      expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
      region: 'us-east-1',
      startUrl: 'https://corp.awsapps.com/start',
    }),
  );
  const r = await cli(['connect', '--profile', 'sso-dev'], {
    env: {
      HOME: home,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
    },
  });
  assert.equal(r.code, 1, r.out);
  assert.equal(r.out.trimEnd().split('\n').length, 1, r.out);
  assert.match(r.out, /the SSO session for profile 'sso-dev' has expired.*Run 'aws sso login --profile sso-dev'/);
});

// ---------------------------------------------------------------------------------------------- Ctrl-C while training

/** moto's jobs are born Completed and StopTrainingJob is missing (notes B2): the proxy keeps the job InProgress and answers the stop. */
function jobStaysInProgress(): { stopped: () => boolean } {
  let stopped = false;
  proxy.add({
    service: 'sagemaker',
    operation: 'StopTrainingJob',
    fault: { kind: 'respond', status: 200, body: {}, then: () => (stopped = true) },
  });
  proxy.add({
    service: 'sagemaker',
    operation: 'DescribeTrainingJob',
    fault: {
      kind: 'patch',
      fields: () =>
        stopped
          ? { TrainingJobStatus: 'Stopping', SecondaryStatus: 'Stopping' }
          : { TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' },
    },
  });
  return { stopped: () => stopped };
}

test('train --wait, job InProgress, Ctrl-C on a terminal: the job, its price and the stop command are shown; Enter stops it', async () => {
  const spec = writeSpec('ctrlc-train');
  await fakePreparedDataset('it/ctrlc-train');
  const job = jobStaysInProgress();
  const r = startCli(['train', spec, '--wait', '--poll-seconds', '0.2'], { tty: true });
  await r.waitFor(/InProgress \(Training\)/);
  r.interrupt();
  await r.waitFor(/Stop training job it-ctrlc-train-[\d-]+ now\? \[Y\/n\]/);
  assert.match(
    r.out,
    /Training job (it-ctrlc-train-[\d-]+) is still InProgress on 1 x ml\.p3\.2xlarge, about \$3\.83\/h, offline table \(us-east-1 prices\), billed until it ends \(at most 24 h\)\. Stop it with: sagemaker-hf stop \1/,
  );
  r.type('\r');
  assert.equal(await r.done, 130, r.out);
  assert.ok(job.stopped(), 'StopTrainingJob was sent');
  assert.match(r.out, /Stop requested: it-ctrlc-train-[\d-]+ is Stopping; billing ends when it is Stopped\./);
});

test('train --wait, Ctrl-C without a terminal: names the running job, its price and the command; stops nothing', async () => {
  const spec = writeSpec('ctrlc-train-pipe');
  await fakePreparedDataset('it/ctrlc-train-pipe');
  const job = jobStaysInProgress();
  const r = startCli(['train', spec, '--wait', '--poll-seconds', '0.2']);
  await r.waitFor(/InProgress \(Training\)/);
  r.interrupt();
  assert.equal(await r.done, 130, r.out);
  assert.equal(job.stopped(), false);
  const { jobs } = await audit();
  assert.equal(jobs.length, 1);
  assert.match(
    r.out,
    new RegExp(
      `Training job ${jobs[0]} is still InProgress on 1 x ml\\.p3\\.2xlarge, about \\$3\\.83/h, offline table \\(us-east-1 prices\\).*Stop it with: sagemaker-hf stop ${jobs[0]}`,
    ),
  );
});

test('Ctrl-C after CreateTrainingJob reached SageMaker but before its answer: the job is named, not forgotten', async () => {
  const spec = writeSpec('ctrlc-create');
  await fakePreparedDataset('it/ctrlc-create');
  jobStaysInProgress();
  proxy.add({ service: 'sagemaker', operation: 'CreateTrainingJob', fault: { kind: 'stall', afterForward: true } });
  const r = startCli(['train', spec]);
  await r.waitFor(/Creating training job/);
  while (!proxy.injected.length) await new Promise((res) => setTimeout(res, 50));
  r.interrupt();
  assert.equal(await r.done, 130, r.out);
  const { jobs, keys } = await audit();
  assert.equal(jobs.length, 1, 'moto holds the job');
  assert.match(r.out, new RegExp(`Training job ${jobs[0]} is still InProgress .*sagemaker-hf stop ${jobs[0]}`));
  assert.ok(
    keys.some((k) => k === `${jobs[0]}/source/sourcedir.tar.gz`),
    'the running job keeps its source',
  );
});

// ---------------------------------------------------------------------------------------------- endpoints

/** DescribeEndpoint answers through the proxy: Creating for `creating` polls, then `then`. */
function endpointGoes(creating: number, then: Record<string, unknown>): void {
  let polls = 0;
  proxy.add({
    service: 'sagemaker',
    operation: 'DescribeEndpoint',
    fault: { kind: 'patch', fields: () => (++polls <= creating ? { EndpointStatus: 'Creating' } : then) },
  });
}

test('an endpoint that goes Creating then Failed: the FailureReason and the last log lines shown, what deploy created deleted', async () => {
  await createJob('ep-job');
  const group = '/aws/sagemaker/Endpoints/ep-fails';
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'AllTraffic/i-0abc' }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: 'AllTraffic/i-0abc',
      logEvents: [
        { timestamp: Date.now() - 2000, message: 'Loading model from /opt/ml/model' },
        { timestamp: Date.now() - 1000, message: 'OSError: Unable to load weights from pytorch checkpoint file' },
      ],
    }),
  );
  endpointGoes(2, {
    EndpointStatus: 'Failed',
    FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.',
  });
  const r = await cli(['deploy', 'ep-job', '--endpoint-name', 'ep-fails', '--yes', '--poll-seconds', '0.1']);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /endpoint ep-fails is Creating/);
  assert.match(
    r.out,
    /Deploying endpoint ep-fails failed: it is Failed: The primary container for production variant AllTraffic did not pass the ping health check\./,
  );
  assert.match(r.out, /The endpoint, its config and model were deleted/);
  assert.match(r.out, /OSError: Unable to load weights from pytorch checkpoint file/);
  assert.deepEqual(await sageMakerLeftovers(sm), { models: [], configs: [], endpoints: [] });
});

test('deploy, Ctrl-C while the endpoint is Creating, on a terminal: price and delete command shown; Enter deletes all three', async () => {
  await createJob('ep-job2');
  endpointGoes(Infinity, {});
  const r = startCli(['deploy', 'ep-job2', '--endpoint-name', 'ep-ctrlc', '--yes', '--poll-seconds', '0.2'], {
    tty: true,
  });
  await r.waitFor(/endpoint ep-ctrlc is Creating/);
  r.interrupt();
  await r.waitFor(/Delete endpoint ep-ctrlc \(and its config and model\) now\? \[Y\/n\]/);
  assert.match(
    r.out,
    /Endpoint ep-ctrlc is still Creating on 1 x ml\.g4dn\.xlarge, about \$0\.\d+\/h, offline table \(us-east-1 prices\), billed until deleted\. Delete it with: sagemaker-hf delete ep-ctrlc/,
  );
  r.type('\r');
  assert.equal(await r.done, 130, r.out);
  // deploy(endpoint_name=) names the endpoint and its config; the model keeps the job's default name.
  assert.match(r.out, /Deleted endpoint ep-ctrlc, endpoint config ep-ctrlc and model ep-job2-[\d-]+\./);
  assert.deepEqual(await sageMakerLeftovers(sm), { models: [], configs: [], endpoints: [] });
});

test('deploy, Ctrl-C while Creating, no terminal: the endpoint is named with its price and command, and is all that is left', async () => {
  await createJob('ep-job3');
  endpointGoes(Infinity, {});
  const r = startCli(['deploy', 'ep-job3', '--endpoint-name', 'ep-pipe', '--yes', '--poll-seconds', '0.2']);
  await r.waitFor(/endpoint ep-pipe is Creating/);
  r.interrupt();
  assert.equal(await r.done, 130, r.out);
  assert.match(
    r.out,
    /Endpoint ep-pipe is still Creating on 1 x ml\.g4dn\.xlarge, about \$0\.\d+\/h, offline table \(us-east-1 prices\), billed until deleted\. Delete it with: sagemaker-hf delete ep-pipe/,
  );
  const left = await sageMakerLeftovers(sm);
  assert.deepEqual({ ...left, models: [] }, { models: [], configs: ['ep-pipe'], endpoints: ['ep-pipe'] });
  // The model keeps the job's default name (deploy(endpoint_name=) names only the endpoint and config).
  assert.equal(left.models.length, 1);
  assert.match(left.models[0]!, /^ep-job3-[\d-]+$/);
});

// ---------------------------------------------------------------------------------------------- Ctrl-C at every stage

/** The models the endpoints' configs name (a model may keep another name than its endpoint). */
async function modelsServing(endpoints: string[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const e of endpoints) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: e }));
    const c = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: d.EndpointConfigName }));
    for (const v of c.ProductionVariants ?? []) if (v.ModelName) names.add(v.ModelName);
  }
  return names;
}

/**
 * Ctrl-C at one stage, chosen by stalling one call (after moto did it when `afterForward`, the worst
 * case: the resource exists but the CLI never heard). Afterwards moto holds nothing half-made, and every
 * training job or endpoint left is named in the output.
 */
async function ctrlCAt(
  args: string[],
  operation: string,
  opts: { afterForward?: boolean; service?: string; setup?: () => Promise<void>; jobCompleted?: boolean } = {},
) {
  proxy.clear();
  proxy.calls.length = 0;
  proxy.injected.length = 0;
  await moto.reset();
  await opts.setup?.();
  if (!opts.jobCompleted) jobStaysInProgress();
  const before = await audit();
  endpointGoes(Infinity, {});
  const stall = proxy.add({
    service: opts.service ?? 'sagemaker',
    operation,
    fault: { kind: 'stall', afterForward: opts.afterForward },
  });
  const r = startCli(args);
  const deadline = Date.now() + 60_000;
  while (!proxy.injected.some((c) => c.operation === operation)) {
    if (r.code !== -1) throw new Error(`${args[0]} exited ${r.code} before ${operation}:\n${r.out}`);
    if (Date.now() > deadline) throw new Error(`no ${operation} within 60 s:\n${r.out}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  // Only the call in flight stalls: what the CLI asks after the Ctrl-C is answered.
  proxy.remove(stall);
  r.interrupt();
  const code = await r.done;
  const left = await audit();
  const where = `${args[0]} at ${operation}${opts.afterForward ? ' (done, answer lost)' : ''}:\n${r.out}\nleft: ${JSON.stringify(left)}`;
  assert.equal(code, 130, where);
  assert.deepEqual(left.uploads, [], `no unfinished multipart upload; ${where}`);
  // A job that was there before (the one deploy deploys) is not the command's to name.
  for (const j of left.jobs.filter((j) => !before.jobs.includes(j)))
    assert.match(
      r.out,
      new RegExp(`sagemaker-hf stop ${j}\\b|stopped training job ${j}\\b`),
      `job ${j} named; ${where}`,
    );
  for (const e of left.endpoints)
    assert.match(r.out, new RegExp(`sagemaker-hf delete ${e}\\b`), `endpoint ${e} named; ${where}`);
  // A model or config without its endpoint is half-made (it bills nothing, but nobody would find it).
  const served = await modelsServing(left.endpoints);
  for (const m of left.models) assert.ok(served.has(m), `model ${m} without endpoint; ${where}`);
  for (const c of left.configs) assert.ok(left.endpoints.includes(c), `config ${c} without endpoint; ${where}`);
  // Only a job that runs keeps its source.
  for (const k of left.keys.filter((k) => k.endsWith('sourcedir.tar.gz')))
    assert.ok(
      left.jobs.some((j) => k.startsWith(`${j}/`)),
      `source ${k} without its job; ${where}`,
    );
  return { out: r.out, left };
}

test('Ctrl-C at every stage of prepare, train --wait, deploy and run: nothing half-made, nothing billing unnamed', async () => {
  const spec = writeSpec('stages');
  const prepared = () => fakePreparedDataset('it/stages');
  const deployJob = () => createJob('stage-job');
  let stages = 0;
  // prepare: before the channels are up, and with the manifest written but unanswered.
  for (const [op, afterForward] of [
    ['PutObject', false],
    ['PutObject', true],
  ] as const) {
    const { left } = await ctrlCAt(['prepare', spec], op, { service: 's3', afterForward });
    assert.ok(
      !left.keys.includes('it/stages/.sagemaker-hf-manifest.json'),
      `no manifest for an interrupted prepare (${op})`,
    );
    stages++;
  }
  // train --wait: the source upload, the create (before / after SageMaker made the job), the waiting.
  for (const [op, afterForward, service] of [
    ['PutObject', false, 's3'],
    ['CreateTrainingJob', false, 'sagemaker'],
    ['CreateTrainingJob', true, 'sagemaker'],
    ['DescribeTrainingJob', false, 'sagemaker'],
  ] as const) {
    await ctrlCAt(['train', spec, '--wait', '--poll-seconds', '0.2'], op, { afterForward, service, setup: prepared });
    stages++;
  }
  // deploy: each create (before / after SageMaker made it) and the waiting.
  for (const [op, afterForward] of [
    ['CreateModel', false],
    ['CreateModel', true],
    ['CreateEndpointConfig', true],
    ['CreateEndpoint', false],
    ['CreateEndpoint', true],
    ['DescribeEndpoint', false],
  ] as const) {
    // deploy needs moto's job as it is born: Completed.
    await ctrlCAt(['deploy', 'stage-job', '--endpoint-name', 'stage-ep', '--yes', '--poll-seconds', '0.2'], op, {
      afterForward,
      setup: deployJob,
      jobCompleted: true,
    });
    stages++;
  }
  // run --target sagemaker: its own cleanup stops the job and deletes the endpoint it made.
  for (const [op, afterForward] of [
    ['CreateTrainingJob', true],
    ['DescribeTrainingJob', false],
    ['CreateEndpoint', true],
  ] as const) {
    if (op === 'CreateEndpoint') {
      // The deploy step needs moto's job Completed (as it is born), so only the endpoint is held Creating.
      await moto.reset();
      proxy.clear();
      proxy.injected.length = 0;
      endpointGoes(Infinity, {});
      const stall = proxy.add({
        service: 'sagemaker',
        operation: 'CreateEndpoint',
        fault: { kind: 'stall', afterForward: true },
      });
      const r = startCli(['run', spec, '--target', 'sagemaker', '--yes']);
      while (!proxy.injected.some((c) => c.operation === 'CreateEndpoint')) {
        if (r.code !== -1) throw new Error(`run exited before CreateEndpoint:\n${r.out}`);
        await new Promise((res) => setTimeout(res, 50));
      }
      proxy.remove(stall);
      r.interrupt();
      assert.equal(await r.done, 130, r.out);
      const left = await audit();
      assert.deepEqual(
        { models: left.models, configs: left.configs, endpoints: left.endpoints, uploads: left.uploads },
        { models: [], configs: [], endpoints: [], uploads: [] },
        r.out,
      );
      assert.match(r.out, /deleted endpoint it-stages-[\d-]+, its config and model \(created by this run\)/);
    } else {
      const { out } = await ctrlCAt(['run', spec, '--target', 'sagemaker', '--yes'], op, { afterForward });
      assert.match(out, /stopped training job it-stages-[\d-]+/);
    }
    stages++;
  }
  assert.equal(stages, 15);
});
