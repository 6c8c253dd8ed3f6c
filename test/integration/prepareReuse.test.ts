// Upload after a local prepare, against a real moto_server: the folder the local pass wrote goes up as
// it is when its record still matches the spec (nothing read or tokenized again: no tokenize stage, the
// shard files keep their modification time, the report keeps its creation time), and is prepared again
// when the spec or a source file changed since.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { client, resetClients } from '../../src/aws/clients';
import { validateSpec, type JobSpec } from '../../src/core/spec/spec';
import { connect, type Connection } from '../../src/workflow/connect';
import { MANIFEST_NAME, type DatasetManifest } from '../../src/core/dataset/manifest';
import { prepareDataset } from '../../src/workflow/dataset/prepare';
import { PREPARED_RECORD } from '../../src/workflow/dataset/prepared/preparedFolder';

const repoRoot = path.resolve(__dirname, '../../..');
const shared = path.resolve(repoRoot, '../shared');
const EMOTION = path.join(shared, 'data/emotion');
const TOKENIZER = path.join(shared, 'models/bert-base-uncased');
const NAMES = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
const PREFIX = 'datasets/emotion-reuse';

let moto: Moto;
let restore: () => void;
let conn: Connection;
let s3: S3Client;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  resetClients();
  conn = await connect({ region: 'us-east-1' });
  s3 = client(S3Client, conn);
});
after(async () => {
  restore?.();
  await moto?.stop();
});

function spec(source: Record<string, string>, dataset: Record<string, unknown> = {}): JobSpec {
  return validateSpec({
    version: 1,
    dataset: {
      source,
      splits: { train: 'train', test: 'test' },
      tokenizer: TOKENIZER,
      labelNames: NAMES,
      s3Prefix: PREFIX,
      padding: 'max_length',
      maxLength: 128,
      limit: 300,
      ...dataset,
    },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local' },
  });
}

const ARROW = 'data-00000-of-00001.arrow';

test('Upload after a local prepare sends the folder as it is: no second read or tokenization', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prep-reuse-'));
  const source = { train: path.join(EMOTION, 'train.jsonl'), test: path.join(EMOTION, 'test.jsonl') };
  const local = await prepareDataset(spec(source), { outDir, workers: 0 });
  assert.ok(fs.existsSync(path.join(outDir, PREPARED_RECORD)), 'the local prepare wrote its record');
  const arrow = path.join(outDir, 'train', ARROW);
  const before = fs.statSync(arrow).mtimeMs;
  const reportBefore = fs.readFileSync(path.join(outDir, 'report.json'), 'utf8');
  // Later than any write the reuse could make, so an unchanged mtime proves no rewrite.
  await new Promise((r) => setTimeout(r, 50));

  const stages: string[] = [];
  const up = await prepareDataset(spec(source), {
    outDir,
    upload: conn,
    reuseFolder: true,
    workers: 0,
    onProgress: (p) => stages.push(p.stage),
  });
  assert.equal(up.reused, true);
  assert.ok(!stages.includes('tokenize') && !stages.includes('read') && !stages.includes('count'), stages.join(','));
  assert.equal(fs.statSync(arrow).mtimeMs, before, 'the shard was not written again');
  assert.equal(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8'), reportBefore, 'the report is the same run');
  assert.equal(up.report.createdAt, local.report.createdAt);
  assert.deepEqual(up.labelNames, NAMES);
  assert.equal(up.maxLength, 128);
  assert.equal(up.channels.train!.s3Uri, `s3://${conn.bucket}/${PREFIX}/train/`);
  assert.equal(up.manifestUri, `s3://${conn.bucket}/${PREFIX}/${MANIFEST_NAME}`);

  // S3 holds what a one-pass prepare with upload would have written: the same files, the same bytes.
  const m = JSON.parse(
    await (
      await s3.send(new GetObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/${MANIFEST_NAME}` }))
    ).Body!.transformToString(),
  ) as DatasetManifest;
  assert.equal(m.createdAt, local.report.createdAt);
  assert.equal(m.maxLength, 128);
  assert.deepEqual(
    m.channels.train!.files.map((f) => f.key),
    [ARROW, 'dataset_info.json', 'state.json'].map((f) => `${PREFIX}/train/${f}`),
  );
  for (const [channel, c] of Object.entries(m.channels))
    for (const f of c.files) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: conn.bucket, Key: f.key }));
      assert.equal(head.ContentLength, fs.statSync(path.join(outDir, channel, path.basename(f.key))).size, f.key);
      assert.equal(head.Metadata?.['dataset-prefix'], encodeURIComponent(PREFIX), `${f.key} is marked ours`);
    }
  assert.equal(m.report.key, `${PREFIX}/.sagemaker-hf-report.md`);
});

test('a changed spec or source file since the local prepare: prepared again, not reused', async () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prep-reuse-'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prep-reuse-src-'));
  const train = path.join(dir, 'train.jsonl');
  const lines = fs.readFileSync(path.join(EMOTION, 'train.jsonl'), 'utf8').split('\n').slice(0, 300);
  fs.writeFileSync(train, lines.join('\n') + '\n');
  const source = { train, test: path.join(EMOTION, 'test.jsonl') };
  await prepareDataset(spec(source), { outDir, workers: 0 });

  // Another maxLength: the folder no longer matches the spec.
  const messages: string[] = [];
  const stages: string[] = [];
  const other = await prepareDataset(spec(source, { maxLength: 64 }), {
    outDir,
    upload: conn,
    reuseFolder: true,
    workers: 0,
    onProgress: (p) => (stages.push(p.stage), messages.push(p.message)),
  });
  assert.equal(other.reused, undefined);
  assert.ok(stages.includes('tokenize'), stages.join(','));
  assert.ok(
    messages.some((m) => /^Preparing again: the dataset spec/.test(m)),
    messages.join(' | '),
  );
  assert.equal(other.maxLength, 64);

  // That run left a folder matching maxLength 64; now the source file changes under it.
  fs.appendFileSync(train, lines[0] + '\n');
  stages.length = 0;
  const edited = await prepareDataset(spec(source, { maxLength: 64 }), {
    outDir,
    upload: conn,
    reuseFolder: true,
    workers: 0,
    onProgress: (p) => stages.push(p.stage),
  });
  assert.equal(edited.reused, undefined, 'an edited source file is read again');
  assert.ok(stages.includes('tokenize'));
  assert.equal(edited.channels.train!.rows, 300, 'limit 300 still applies');

  // Unchanged since that upload: reused; a shard file edited by hand is not.
  const same = await prepareDataset(spec(source, { maxLength: 64 }), { outDir, upload: conn, reuseFolder: true });
  assert.equal(same.reused, true);
  fs.appendFileSync(path.join(outDir, 'test', ARROW), 'x');
  const tampered = await prepareDataset(spec(source, { maxLength: 64 }), {
    outDir,
    upload: conn,
    reuseFolder: true,
    workers: 0,
  });
  assert.equal(tampered.reused, undefined, 'a shard whose size changed is written again');
});
