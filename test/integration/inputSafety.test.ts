// Inputs and what leaves the machine, against a real moto_server and the built CLI:
// a local model_id folder goes up as an input channel and its path never reaches AWS (11.5); a spec the
// SDK would refuse fails before the price line, and for Training Compiler specs the one-line reason comes
// before the long note (11.11); bad --role values and instance-type typos fail before anything is
// created (11.9).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { resetClients } from '../../src/aws/clients';
import { connect, type Connection } from '../../src/workflow/connect';
import { MANIFEST_NAME } from '../../src/core/dataset/manifest';
import { describeTrainingJob, startTraining } from '../../src/workflow/training/train';
import { loadSpecFile } from '../../src/workflow/specFile';
import { UserError } from '../../src/core/errors';

const repo = path.resolve(__dirname, '../../..');
const example = path.join(repo, 'examples/emotion.sagemaker-hf.json');
const cli = path.join(repo, 'dist/cli.js');
const run = promisify(execFile);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
let moto: Moto;
let restore: () => void;
let conn: Connection;
let tmp: string;
let s3: S3Client;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  resetClients();
  conn = await connect({ region: 'us-east-1', role: ROLE });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'input-safety-'));
  s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: conn.bucket }));
});
after(async () => {
  restore?.();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function scripts(): string {
  const dir = path.join(tmp, 'scripts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train.py'), 'print("hi")\n');
  return dir;
}

async function putDataset(prefix: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${MANIFEST_NAME}`, Body: '{"version":1}' }),
  );
  for (const ch of ['train', 'test'])
    await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${ch}/dataset_info.json`, Body: '{}' }));
}

async function keys(prefix = ''): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: conn.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

test('11.5: a local model_id folder is uploaded as the "model" channel; its path never reaches AWS', async () => {
  const modelDir = path.join(tmp, 'models', 'my-local-bert');
  fs.mkdirSync(path.join(modelDir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(modelDir, 'config.json'), '{"model_type": "bert"}');
  fs.writeFileSync(path.join(modelDir, 'sub', 'weights.bin'), 'w'.repeat(100));
  const spec = await loadSpecFile(example);
  spec.training.sourceDir = scripts();
  spec.training.hyperparameters['model_id'] = modelDir;
  await putDataset(spec.dataset.s3Prefix);
  const started = await startTraining(spec, conn, { now: new Date(Date.UTC(2022, 0, 2, 3, 4, 5, 6)) });
  const d = await describeTrainingJob(conn, started.jobName);
  assert.equal(d.HyperParameters!['model_id'], '"/opt/ml/input/data/model"');
  assert.ok(!JSON.stringify(d).includes(tmp), 'no local path in what AWS holds');
  const model = d.InputDataConfig!.find((c) => c.ChannelName === 'model');
  assert.equal(model?.DataSource?.S3DataSource?.S3Uri, `s3://${conn.bucket}/${started.jobName}/input/model/`);
  assert.deepEqual(await keys(`${started.jobName}/input/model/`), [
    `${started.jobName}/input/model/config.json`,
    `${started.jobName}/input/model/sub/weights.bin`,
  ]);

  // A path that is not a folder is refused before anything is uploaded or created.
  const before = (
    await new SageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint }).send(new ListTrainingJobsCommand({}))
  ).TrainingJobSummaries!.length;
  const keysBefore = await keys();
  spec.training.hyperparameters['model_id'] = path.join(tmp, 'models', 'missing');
  await assert.rejects(
    startTraining(spec, conn),
    (e: unknown) =>
      e instanceof UserError &&
      /^training\.hyperparameters\.model_id: '.*missing' looks like a local path but is not a folder/.test(e.message),
  );
  assert.equal(
    (await new SageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint }).send(new ListTrainingJobsCommand({})))
      .TrainingJobSummaries!.length,
    before,
  );
  assert.deepEqual(await keys(), keysBefore);
});

function writeSpec(name: string, edit: (raw: any) => void): string {
  const raw = JSON.parse(fs.readFileSync(example, 'utf8'));
  raw.training.sourceDir = scripts();
  delete raw.$schema;
  edit(raw);
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
  fs.writeFileSync(file, JSON.stringify(raw));
  return file;
}

async function cliFails(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  try {
    await run(process.execPath, [cli, ...args], { env });
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    assert.equal(e.code, 1);
    return e;
  }
  assert.fail('the CLI should have failed');
}

test('11.11: a spec the SDK refuses fails before the price line; the reason is the first stderr line, the note after it', async () => {
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const file = writeSpec('bad-compiler', (raw) => {
    raw.training.instanceType = 'ml.g6.xlarge';
  });
  const r = await cliFails(['train', file], env);
  assert.doesNotMatch(r.stdout, /Training on|\$\/h/);
  const lines = r.stderr.trim().split('\n');
  assert.match(
    lines[0]!,
    /^sagemaker-hf train: training\.instanceType: Training Compiler supports only the instance families/,
  );
  assert.match(lines[1]!, /^note: AWS no longer updates SageMaker Training Compiler/);
  const dry = await cliFails(['train', file, '--dry-run'], env);
  assert.match(dry.stderr.split('\n')[0]!, /^sagemaker-hf train: training\.instanceType: /);
});

test('11.9: --role that is not a role ARN and instance-type typos fail before anything is created, with the fix', async () => {
  const keysBefore = await keys();
  const file = writeSpec('ok', () => undefined);
  const role = await cliFails(['train', file], { ...moto.env, SAGEMAKER_ROLE_ARN: 'not a role!' });
  assert.match(
    role.stderr.split('\n')[0]!,
    /^sagemaker-hf train: role \(--role, SAGEMAKER_ROLE_ARN or the sagemakerHf\.executionRole setting\): 'arn:aws:iam::123456789012:role\/not a role!' is not an IAM role ARN/,
  );
  const typo = await cliFails(
    [
      'train',
      writeSpec('typo', (raw) => {
        raw.training.instanceType = 'ml.p3.2xlarg';
      }),
      '--dry-run',
    ],
    { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE },
  );
  assert.match(typo.stderr, /did you mean ml\.p3\.2xlarge\?/);
  assert.deepEqual(await keys(), keysBefore);
});

test('11.8: train --dry-run lists what sourcedir.tar.gz holds and what was left out', async () => {
  const file = writeSpec('listing', () => undefined);
  fs.writeFileSync(path.join(tmp, 'scripts', '.env'), 'HF_TOKEN=hf_x\n');
  const r = await run(process.execPath, [cli, 'train', file, '--dry-run'], {
    env: { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE },
  });
  assert.match(
    r.stderr,
    /sourcedir\.tar\.gz from .*scripts: 1 file, 12 B before compression\n {2}train\.py \(12 B\)\n {2}left out .*: \.env/,
  );
  JSON.parse(r.stdout);
});
