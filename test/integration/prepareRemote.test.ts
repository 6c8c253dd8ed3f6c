// prepare --on sagemaker against a real moto_server: the inputs uploaded, the Processing job created with
// the planned request, then the job's work done here as SageMaker would do it (each instance's inputs
// downloaded, training-scripts/processing/prepare_dataset.py run with the container paths, its output
// uploaded; moto records CreateProcessingJob and answers Completed but runs no container), then the
// assembly: one save_to_disk folder per channel that the real `datasets` loads, equal to the local
// prepare's, the manifest last, the staging prefix gone. And a job without output changes nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeProcessingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { startMoto, useMotoEnv, MOTO_ACCOUNT, type Moto } from '../helpers/moto';
import { client, resetClients } from '../../src/aws/clients';
import { listKeys } from '../../src/aws/s3Upload';
import { UserError } from '../../src/core/errors';
import { validateSpec, type JobSpec } from '../../src/core/spec/spec';
import { connect, type Connection } from '../../src/workflow/connect';
import { MANIFEST_NAME, type DatasetManifest } from '../../src/core/dataset/manifest';
import { prepareDataset } from '../../src/workflow/dataset/prepare';
import { finishRemotePrepare, launchRemotePrepare } from '../../src/workflow/dataset/prepareRemote';
import { lineRanges } from '../../src/workflow/dataset/textLines';

const execFileP = promisify(execFile);
const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const python = path.join(repo, '.cache/venv/bin/python');
const TOKENIZER = path.join(shared, 'models/bert-base-uncased');
const NAMES = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;

let moto: Moto;
let restore: () => void;
let conn: Connection;
let s3: S3Client;
let tmp: string;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  resetClients();
  conn = await connect({ region: 'us-east-1', role: ROLE });
  s3 = client(S3Client, conn);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prep-remote-'));
});
after(async () => {
  restore?.();
  await moto?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function jsonlRows(split: string, n: number): string {
  return (
    fs
      .readFileSync(path.join(shared, 'data/emotion', `${split}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, n)
      .join('\n') + '\n'
  );
}

function makeSpec(prefix: string): JobSpec {
  const dir = fs.mkdtempSync(path.join(tmp, 'data-'));
  fs.writeFileSync(path.join(dir, 'train.jsonl'), jsonlRows('train', 300));
  fs.writeFileSync(path.join(dir, 'test.jsonl'), jsonlRows('test', 90));
  return validateSpec({
    version: 1,
    dataset: {
      source: { train: path.join(dir, 'train.jsonl'), test: path.join(dir, 'test.jsonl') },
      splits: { train: 'train', test: 'test' },
      tokenizer: TOKENIZER,
      labelNames: NAMES,
      s3Prefix: prefix,
      padding: 'max_length',
      maxLength: 64,
    },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge' },
  });
}

async function download(
  bucket: string,
  prefix: string,
  dir: string,
  keep: (rel: string) => boolean = () => true,
): Promise<string[]> {
  const got: string[] = [];
  for (const k of await listKeys(s3, bucket, prefix)) {
    const rel = k.key.slice(prefix.length);
    if (!keep(rel)) continue;
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: k.key }));
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), Buffer.from(await res.Body!.transformToByteArray()));
    got.push(rel);
  }
  return got;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** What SageMaker does for one instance: its inputs (ShardedByS3Key: every n-th key), the script, its output uploaded. */
async function runInstance(jobKey: string, hostIndex: number, hosts: string[]): Promise<void> {
  const root = path.join(tmp, `container-${hostIndex}`);
  const conf = path.join(root, 'config');
  await download(conn.bucket, `${jobKey}/code/`, path.join(root, 'input/code'));
  await download(conn.bucket, `${jobKey}/tokenizer/`, path.join(root, 'input/tokenizer'));
  for (const split of ['train', 'test']) {
    let i = 0;
    await download(
      conn.bucket,
      `${jobKey}/input/${split}/`,
      path.join(root, 'input/data', split),
      () => i++ % hosts.length === hostIndex,
    );
  }
  fs.mkdirSync(conf, { recursive: true });
  fs.writeFileSync(path.join(conf, 'resourceconfig.json'), JSON.stringify({ current_host: hosts[hostIndex], hosts }));
  await execFileP(python, [path.join(root, 'input/code/prepare_dataset.py')], {
    env: {
      ...process.env,
      SM_PROCESSING_ROOT: root,
      SM_CONFIG_DIR: conf,
      SM_FAILURE_FILE: path.join(root, 'failure'),
      SAGEMAKER_HF_NUM_PROC: '1',
      HF_DATASETS_CACHE: path.join(root, 'cache'),
      HF_HUB_OFFLINE: '1',
    },
    timeout: 300_000,
  });
  const out = path.join(root, 'output');
  for (const f of walk(out)) {
    await s3.send(
      new PutObjectCommand({
        Bucket: conn.bucket,
        Key: `${jobKey}/output/${path.relative(out, f).split(path.sep).join('/')}`,
        Body: fs.readFileSync(f),
      }),
    );
  }
}

async function getManifest(prefix: string): Promise<DatasetManifest | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${MANIFEST_NAME}` }));
    return JSON.parse(await res.Body!.transformToString()) as DatasetManifest;
  } catch {
    return undefined;
  }
}

test('lineRanges: parts end on line boundaries and cover the file exactly', async () => {
  const f = path.join(tmp, 'lines.jsonl');
  fs.writeFileSync(f, jsonlRows('train', 101));
  const text = fs.readFileSync(f);
  for (const parts of [1, 2, 3, 7]) {
    const r = await lineRanges(f, parts);
    assert.equal(r[0]!.start, 0);
    assert.equal(r.at(-1)!.end, text.length);
    for (let i = 0; i < r.length; i++) {
      if (i > 0) assert.equal(r[i]!.start, r[i - 1]!.end);
      assert.equal(text[r[i]!.end - 1], 10, 'each part ends with a newline');
    }
    assert.equal(r.length, parts);
  }
});

test("two instances: job created as planned, parts assembled into the local prepare's folders, manifest last, staging removed", async () => {
  const prefix = 'datasets/emotion-remote';
  const spec = makeSpec(prefix);
  const stages: string[] = [];
  const opts = {
    scriptsDir: path.join(repo, 'training-scripts'),
    instanceType: 'ml.c5.2xlarge',
    instanceCount: 2,
    pollMs: 10,
    onProgress: (p: { stage: string }) => stages.push(p.stage),
  };
  const launched = await launchRemotePrepare(spec, conn, opts);
  const { plan } = launched;
  const jobKey = plan.jobName;

  const job = await client(SageMakerClient, conn).send(
    new DescribeProcessingJobCommand({ ProcessingJobName: plan.jobName }),
  );
  assert.equal(job.ProcessingJobName, plan.jobName);
  assert.deepEqual(job.AppSpecification, plan.request.AppSpecification);
  assert.deepEqual(
    job.ProcessingInputs?.map((i) => [i.InputName, i.S3Input?.S3DataDistributionType]),
    [
      ['code', 'FullyReplicated'],
      ['tokenizer', 'FullyReplicated'],
      ['data-test', 'ShardedByS3Key'],
      ['data-train', 'ShardedByS3Key'],
    ],
  );
  assert.equal(job.RoleArn, ROLE);
  const staged = (await listKeys(s3, conn.bucket, `${jobKey}/`)).map((k) => k.key.slice(jobKey.length + 1)).sort();
  assert.deepEqual(
    staged,
    [
      'code/config.json',
      'code/prepare_dataset.py',
      'input/test/part-00000.jsonl',
      'input/test/part-00001.jsonl',
      'input/train/part-00000.jsonl',
      'input/train/part-00001.jsonl',
      ...fs.readdirSync(TOKENIZER).map((f) => `tokenizer/${f}`),
    ].sort(),
  );

  await runInstance(jobKey, 1, ['algo-1', 'algo-2']);
  await runInstance(jobKey, 0, ['algo-1', 'algo-2']);
  const logs: string[] = [];
  const result = await finishRemotePrepare(spec, conn, launched, { ...opts, onLog: (l) => logs.push(l.text) });

  assert.equal(result.channels.train!.rows, 300);
  assert.equal(result.channels.test!.rows, 90);
  assert.ok(
    logs.some((l) => /^Processing job .* Completed/.test(l)),
    logs.join('\n'),
  );
  const m = (await getManifest(prefix))!;
  assert.equal(m.format, 'sagemaker-hf-dataset');
  assert.deepEqual(m.labelNames, NAMES);
  assert.equal(m.maxLength, 64);
  assert.deepEqual(
    m.channels.train!.files.map((f) => f.key.split('/').pop()),
    ['data-00000-of-00002.arrow', 'data-00001-of-00002.arrow', 'dataset_info.json', 'state.json'],
  );
  assert.ok(m.channels.train!.files.every((f) => f.etag && f.bytes > 0));
  assert.deepEqual(await listKeys(s3, conn.bucket, `${jobKey}/`), [], 'staging removed');
  assert.ok(stages.indexOf('assemble') > stages.indexOf('launch'));

  // The real datasets loads what was assembled, and it equals the local prepare of the same spec.
  const remoteDir = path.join(tmp, 'remote');
  await download(conn.bucket, `${prefix}/`, remoteDir);
  const localDir = path.join(tmp, 'local');
  await prepareDataset(spec, { outDir: localDir });
  const check = `
import sys, datasets
for ch, n in (("train", 300), ("test", 90)):
    r = datasets.load_from_disk(sys.argv[1] + "/" + ch).with_format(None)
    l = datasets.load_from_disk(sys.argv[2] + "/" + ch).with_format(None)
    assert r.num_rows == n == l.num_rows, (ch, r.num_rows, l.num_rows)
    assert r.split == ch and r.features == l.features, (r.split, r.features, l.features)
    for c in ("input_ids", "token_type_ids", "attention_mask", "labels"):
        assert r[c] == l[c], (ch, c)
print("same")
`;
  const { stdout } = await execFileP(python, ['-c', check, remoteDir, localDir], { timeout: 300_000 });
  assert.equal(stdout.trim(), 'same');
  assert.equal(
    fs.readFileSync(path.join(remoteDir, 'train/state.json'), 'utf8').includes('"_format_type": "torch"'),
    true,
  );
  assert.equal(
    fs.readFileSync(path.join(remoteDir, 'train/dataset_info.json'), 'utf8'),
    fs.readFileSync(path.join(localDir, 'train/dataset_info.json'), 'utf8'),
  );
});

test('a job that wrote nothing: clear error, the prepared dataset already there is left as it was', async () => {
  const prefix = 'datasets/emotion-kept';
  await s3.send(
    new PutObjectCommand({
      Bucket: conn.bucket,
      Key: `${prefix}/${MANIFEST_NAME}`,
      Body: '{"format":"sagemaker-hf-dataset"}',
    }),
  );
  const spec = makeSpec(prefix);
  const opts = {
    scriptsDir: path.join(repo, 'training-scripts'),
    instanceType: 'ml.c5.2xlarge',
    instanceCount: 1,
    pollMs: 10,
  };
  const launched = await launchRemotePrepare(spec, conn, opts);
  await assert.rejects(
    finishRemotePrepare(spec, conn, launched, opts),
    (e: unknown) =>
      e instanceof UserError &&
      /wrote no summary\.json.*; the job's staging under s3:\/\/.*\/prep-emotion-kept-.*\/ was removed$/.test(
        e.message,
      ),
  );
  assert.deepEqual(await getManifest(prefix), { format: 'sagemaker-hf-dataset' });
  assert.deepEqual(
    (await listKeys(s3, conn.bucket, `${launched.plan.jobName}/`)).map((k) => k.key),
    [],
    'no staging left behind',
  );
});

test('CLI: --dry-run prints the request and creates nothing; without --yes and no terminal it refuses', async () => {
  const spec = makeSpec('datasets/emotion-cli');
  const file = path.join(tmp, 'cli.sagemaker-hf.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      dataset: spec.dataset,
      training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge' },
    }),
  );
  const cli = path.join(repo, 'dist/cli.js');
  const env = {
    ...moto.env,
    SAGEMAKER_ROLE_ARN: ROLE,
    SAGEMAKER_HF_CACHE: path.join(tmp, 'cache'),
    SAGEMAKER_HF_PRICING_ENDPOINT: 'http://127.0.0.1:9',
  };
  const dry = await execFileP(
    'node',
    [cli, 'prepare', file, '--on', 'sagemaker', '--instance-count', '2', '--dry-run'],
    { env },
  );
  const req = JSON.parse(dry.stdout) as {
    ProcessingResources: { ClusterConfig: { InstanceCount: number; InstanceType: string } };
  };
  assert.deepEqual(req.ProcessingResources.ClusterConfig, {
    InstanceCount: 2,
    InstanceType: 'ml.c5.4xlarge',
    VolumeSizeInGB: 30,
  });
  const refused = await execFileP('node', [cli, 'prepare', file, '--on', 'sagemaker'], { env }).then(
    () => undefined,
    (e: { code: number; stderr: string }) => e,
  );
  assert.ok(refused && refused.code === 1, 'exit 1');
  assert.match(refused!.stderr, /about \$0\.816\/h, offline table/);
  assert.match(refused!.stderr, /pass --yes to confirm/);
  const jobs = await client(SageMakerClient, conn).send(
    new (await import('@aws-sdk/client-sagemaker')).ListProcessingJobsCommand({}),
  );
  assert.ok(!(jobs.ProcessingJobSummaries ?? []).some((j) => j.ProcessingJobName?.startsWith('prep-emotion-cli')));
});

test('CLI: with --endpoint-url (an emulator) the Processing price is not asked of the Price List, and says it is the offline table', async () => {
  const spec = makeSpec('datasets/emotion-endpoint-url');
  const file = path.join(tmp, 'endpoint-url.sagemaker-hf.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      dataset: spec.dataset,
      training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge' },
    }),
  );
  // A Price List stand-in the SDK would reach (AWS_ENDPOINT_URL_PRICING) if the command asked it.
  const asked: string[] = [];
  const priceList = http.createServer((req, res) => {
    asked.push(String(req.headers['x-amz-target']));
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ FormatVersion: 'aws_v1', PriceList: [] }));
  });
  await new Promise<void>((r) => priceList.listen(0, '127.0.0.1', () => r()));
  try {
    const env: NodeJS.ProcessEnv = {
      ...moto.env,
      SAGEMAKER_ROLE_ARN: ROLE,
      SAGEMAKER_HF_CACHE: path.join(tmp, 'cache-endpoint-url'),
      AWS_ENDPOINT_URL_PRICING: `http://127.0.0.1:${(priceList.address() as { port: number }).port}`,
    };
    delete env.AWS_ENDPOINT_URL;
    delete env.SAGEMAKER_HF_PRICING_ENDPOINT;
    const cli = path.join(repo, 'dist/cli.js');
    const refused = await execFileP(
      'node',
      [cli, 'prepare', file, '--on', 'sagemaker', '--endpoint-url', moto.endpoint],
      { env },
    ).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    assert.ok(refused && refused.code === 1, 'exit 1 (no --yes)');
    assert.match(refused!.stderr, /about \$0\.816\/h, offline table \(us-east-1 prices\)/);
    assert.deepEqual(asked, [], 'no Price List request');
  } finally {
    await new Promise<void>((r) => priceList.close(() => r()));
  }
});

test('CLI --yes: the Processing job named in the confirmation is the job created (one clock reading for plan and launch)', async () => {
  const spec = makeSpec('datasets/emotion-cli-yes');
  const file = path.join(tmp, 'cli-yes.sagemaker-hf.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      dataset: spec.dataset,
      training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge' },
    }),
  );
  const cli = path.join(repo, 'dist/cli.js');
  const env = {
    ...moto.env,
    SAGEMAKER_ROLE_ARN: ROLE,
    SAGEMAKER_HF_CACHE: path.join(tmp, 'cache-yes'),
    SAGEMAKER_HF_PRICING_ENDPOINT: 'http://127.0.0.1:9',
    SAGEMAKER_HF_POLL_MS: '10',
  };
  // moto answers Completed and runs no container, so the run ends on "wrote no summary.json": the job exists.
  const run = await execFileP('node', [cli, 'prepare', file, '--on', 'sagemaker', '--yes'], { env }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => e,
  );
  const said = /Creates SageMaker Processing job (\S+) in/.exec(run.stderr)?.[1];
  assert.ok(said, `the confirmation names the job: ${run.stderr}`);
  const jobs = await client(SageMakerClient, conn).send(
    new (await import('@aws-sdk/client-sagemaker')).ListProcessingJobsCommand({}),
  );
  const created = (jobs.ProcessingJobSummaries ?? [])
    .map((j) => j.ProcessingJobName)
    .filter((n) => n?.startsWith('prep-emotion-cli-yes'));
  assert.deepEqual(created, [said]);
});
