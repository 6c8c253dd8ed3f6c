// Guards against billing that nobody watches, against a real moto_server: a training job's spending cap
// (training.maxCostUsd / train --max-cost) reaches SageMaker as MaxRuntimeInSeconds at the price the
// confirmation shows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { resetClients } from '../../src/aws/clients';
import { connect, ensureDefaultBucket, type Connection } from '../../src/workflow/connect';
import { MANIFEST_NAME } from '../../src/core/dataset/manifest';
import { describeTrainingJob } from '../../src/workflow/training/train';

const repo = path.resolve(__dirname, '../../..');
const example = path.join(repo, 'examples/emotion.sagemaker-hf.json');
const cli = path.join(repo, 'dist/cli.js');
const run = promisify(execFile);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
let moto: Moto;
let restore: () => void;
let conn: Connection;
let tmp: string;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  resetClients();
  conn = await connect({ region: 'us-east-1', role: ROLE });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'forgotten-it-'));
  await ensureDefaultBucket(conn);
  await putDataset('samples/datasets/emotion');
});
after(async () => {
  restore?.();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function specFile(name: string, edit: (raw: Record<string, any>) => void): string {
  const dir = path.join(tmp, 'scripts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train.py'), 'print("hi")\n');
  const raw = JSON.parse(fs.readFileSync(example, 'utf8'));
  delete raw.$schema;
  raw.training.sourceDir = dir;
  edit(raw);
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
  fs.writeFileSync(file, JSON.stringify(raw));
  return file;
}

async function putDataset(prefix: string): Promise<void> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${MANIFEST_NAME}`, Body: '{}' }));
  for (const ch of ['train', 'test'])
    await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${ch}/dataset_info.json`, Body: '{}' }));
}

test('train --max-cost 20 on ml.p3.2xlarge: MaxRuntimeInSeconds 18798 at the $3.83/h the confirmation shows', async () => {
  const file = specFile('capped', (raw) => (raw.training.baseJobName = 'capped'));
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const out = await run(process.execPath, [cli, 'train', file, '--max-cost', '20'], { env });
  // The price line and the cap line show the same rate.
  assert.match(out.stdout, /about \$3\.83\/h, offline table/);
  assert.match(out.stdout, /Spending cap: stops after 5 h 13 min: \$20\.00 at \$3\.83\/h x 1/);
  const job = /Created training job (\S+)/.exec(out.stdout)![1]!;
  const d = await describeTrainingJob(conn, job);
  assert.equal(d.StoppingCondition?.MaxRuntimeInSeconds, 18798);
});

test('training.maxCostUsd in the spec with a lower maxRuntimeInSeconds: the runtime wins and the confirmation says so', async () => {
  const file = specFile('bounded', (raw) => {
    raw.training.baseJobName = 'bounded';
    raw.training.maxCostUsd = 20;
    raw.training.maxRuntimeInSeconds = 7200;
  });
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const out = await run(process.execPath, [cli, 'train', file], { env });
  assert.match(
    out.stdout,
    /Spending cap: stops after 2 h: training\.maxRuntimeInSeconds \(7200 s\) is the lower bound; the cap of \$20\.00 at \$3\.83\/h x 1 would allow 5 h 13 min/,
  );
  const job = /Created training job (\S+)/.exec(out.stdout)![1]!;
  assert.equal((await describeTrainingJob(conn, job)).StoppingCondition?.MaxRuntimeInSeconds, 7200);
});

test('a cap that does not buy one minute is refused before anything is created', async () => {
  const file = specFile('tiny', (raw) => (raw.training.baseJobName = 'tiny'));
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const err = await run(process.execPath, [cli, 'train', file, '--max-cost', '0.05'], { env }).then(
    () => assert.fail('expected a refusal'),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  assert.equal(err.code, 1);
  assert.match(err.stderr, /training\.maxCostUsd: \$0\.05 buys 46 s at \$3\.83\/h x 1, less than one minute/);
  assert.doesNotMatch(err.stdout, /Created training job/);
});
