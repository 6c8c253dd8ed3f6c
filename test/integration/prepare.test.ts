// Dataset preparation end to end against a real moto_server (upload, manifest, re-run, interrupted
// uploads) and the Hub code path against a local HTTP server serving the Hub's URL paths.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { client, resetClients } from '../../src/aws/clients';
import { deleteKeys, listKeys, listOpenUploads } from '../../src/aws/s3Upload';
import { CancelledError } from '../../src/core/errors';
import { validateSpec, type JobSpec } from '../../src/core/spec/spec';
import { connect, type Connection } from '../../src/workflow/connect';
import { MANIFEST_NAME, type DatasetManifest } from '../../src/core/dataset/manifest';
import { ForeignObjectsError, NestedDatasetError } from '../../src/workflow/dataset/datasetUpload';
import { prepareDataset } from '../../src/workflow/dataset/prepare';

const repoRoot = path.resolve(__dirname, '../../..');
const shared = path.resolve(repoRoot, '../shared');
const EMOTION = path.join(shared, 'data/emotion');
const TOKENIZER = path.join(shared, 'models/bert-base-uncased');
const NAMES = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
const PREFIX = 'datasets/emotion-it';
const MiB = 1024 * 1024;

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

function spec(dataset: Record<string, unknown>): JobSpec {
  return validateSpec({
    version: 1,
    dataset: {
      source: { train: path.join(EMOTION, 'train.jsonl'), test: path.join(EMOTION, 'test.jsonl') },
      splits: { train: 'train', test: 'test' },
      tokenizer: TOKENIZER,
      labelNames: NAMES,
      s3Prefix: PREFIX,
      ...dataset,
    },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local' },
  });
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'prep-it-'));
}

async function manifest(): Promise<DatasetManifest | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/${MANIFEST_NAME}` }));
    return JSON.parse(await res.Body!.transformToString()) as DatasetManifest;
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

// 3000 rows padded to 512 make a ~8.8 MiB train file: two 5 MiB parts, a real multipart upload.
const big = { limit: 3000, padding: 'max_length', maxLength: 512 };

test('upload: channel folders under the prefix, manifest last with sizes and ETags', async () => {
  const stages: string[] = [];
  const res = await prepareDataset(spec(big), {
    outDir: tmp(),
    upload: conn,
    uploadPartSize: 5 * MiB,
    onProgress: (p) => stages.push(p.stage),
  });
  assert.equal(res.bucketCreated, true);
  assert.equal(res.channels.train!.s3Uri, `s3://${conn.bucket}/${PREFIX}/train/`);
  assert.equal(res.manifestUri, `s3://${conn.bucket}/${PREFIX}/${MANIFEST_NAME}`);
  assert.ok(stages.includes('upload') && stages.at(-1) === 'done');
  const m = (await manifest())!;
  assert.deepEqual(m.labelNames, NAMES);
  assert.equal(m.channels.train!.rows, 3000);
  assert.equal(m.channels.test!.rows, 2000);
  assert.equal(m.maxLength, 512);
  const keys = (await listKeys(s3, conn.bucket, `${PREFIX}/`)).map((k) => k.key).sort();
  assert.deepEqual(
    keys,
    [
      `${PREFIX}/${MANIFEST_NAME}`,
      `${PREFIX}/.sagemaker-hf-report.md`,
      ...['test', 'train'].flatMap((c) =>
        ['data-00000-of-00001.arrow', 'dataset_info.json', 'state.json'].map((f) => `${PREFIX}/${c}/${f}`),
      ),
    ].sort(),
  );
  for (const f of [...m.channels.train!.files, m.report]) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: conn.bucket, Key: f.key }));
    assert.equal(head.ContentLength, f.bytes);
    assert.equal(head.ETag, f.etag);
  }
  const arrow = m.channels.train!.files.find((f) => f.key.endsWith('.arrow'))!;
  assert.ok(arrow.bytes > 5 * MiB && /-2"$/.test(arrow.etag), `multipart ETag with 2 parts: ${arrow.etag}`);
  assert.equal(fs.statSync(path.join(res.channels.train!.dir, 'data-00000-of-00001.arrow')).size, arrow.bytes);
});

test("the spec's top-level bucket takes the dataset (Session(default_bucket=)), created when missing", async () => {
  const res = await prepareDataset(
    { ...spec({ limit: 40, maxLength: 32 }), bucket: 'team-data-bucket' },
    { outDir: tmp(), upload: conn },
  );
  assert.equal(res.bucketCreated, true);
  assert.equal(res.manifestUri, `s3://team-data-bucket/${PREFIX}/${MANIFEST_NAME}`);
  const keys = (await listKeys(s3, 'team-data-bucket', `${PREFIX}/`)).map((k) => k.key);
  assert.ok(keys.includes(`${PREFIX}/${MANIFEST_NAME}`), keys.join(', '));
});

test('re-run replaces cleanly: only our stale keys go (shown), foreign objects stop the run or stay untouched', async () => {
  const before = (await manifest())!;
  // A leftover of an interrupted earlier run of ours (marked by its metadata), and a user's own files.
  await s3.send(
    new PutObjectCommand({
      Bucket: conn.bucket,
      Key: `${PREFIX}/train/data-00001-of-00002.arrow`,
      Body: 'stale',
      Metadata: { 'created-by': 'sagemaker-hf', 'dataset-prefix': encodeURIComponent(PREFIX) },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/other-keep.txt`, Body: 'not ours' }));
  await s3.send(
    new PutObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/train/raw-labelled-2024.csv`, Body: 'text,label' }),
  );
  const keysBefore = (await listKeys(s3, conn.bucket, `${PREFIX}/`)).map((k) => `${k.key} ${k.etag}`).sort();
  await assert.rejects(
    prepareDataset(spec({ limit: 500, padding: 'auto' }), { outDir: tmp(), upload: conn }),
    (err) => {
      assert.ok(err instanceof ForeignObjectsError);
      assert.match(
        (err as Error).message,
        /^dataset\.s3Prefix: s3:\/\/.*\/datasets\/emotion-it\/ holds 2 object\(s\) sagemaker-hf did not write: other-keep\.txt, train\/raw-labelled-2024\.csv\. Nothing was uploaded\..*--allow-foreign-objects/,
      );
      return true;
    },
  );
  assert.deepEqual(
    (await listKeys(s3, conn.bucket, `${PREFIX}/`)).map((k) => `${k.key} ${k.etag}`).sort(),
    keysBefore,
    'nothing uploaded or deleted, the old manifest kept',
  );
  assert.equal((await manifest())!.createdAt, before.createdAt);
  // A confirmation that says no stops it the same way (the extension's modal).
  let asked: string[] = [];
  await assert.rejects(
    prepareDataset(spec({ limit: 500 }), {
      outDir: tmp(),
      upload: conn,
      confirmForeignObjects: async (k) => ((asked = k), false),
    }),
    (err) => err instanceof CancelledError,
  );
  assert.deepEqual(asked, [`${PREFIX}/other-keep.txt`, `${PREFIX}/train/raw-labelled-2024.csv`]);
  const progress: string[] = [];
  const res = await prepareDataset(spec({ limit: 500, padding: 'auto' }), {
    outDir: tmp(),
    upload: conn,
    allowForeignObjects: true,
    onProgress: (p) => progress.push(p.message),
  });
  const m = (await manifest())!;
  assert.equal(m.padding, 'auto');
  assert.equal(m.maxLength, 72);
  assert.equal(m.channels.train!.rows, 500);
  assert.deepEqual(res.removedKeys, [`${PREFIX}/train/data-00001-of-00002.arrow`]);
  assert.deepEqual(res.foreignKeys, [`${PREFIX}/other-keep.txt`, `${PREFIX}/train/raw-labelled-2024.csv`]);
  assert.ok(
    progress.some((p) =>
      /^Removing 1 object\(s\) an earlier run of sagemaker-hf wrote under datasets\/emotion-it\/: train\/data-00001-of-00002\.arrow/.test(
        p,
      ),
    ),
    'the removal is shown',
  );
  const keys = (await listKeys(s3, conn.bucket, `${PREFIX}/train/`)).map((k) => k.key).sort();
  assert.deepEqual(
    keys,
    ['data-00000-of-00001.arrow', 'dataset_info.json', 'raw-labelled-2024.csv', 'state.json'].map(
      (f) => `${PREFIX}/train/${f}`,
    ),
  );
  assert.equal(
    (await listKeys(s3, conn.bucket, `${PREFIX}/other-keep.txt`)).length,
    1,
    'foreign objects are never deleted',
  );
  // Tidy up for the next tests: the user's files go (by the test, not by prepare).
  await deleteKeys(s3, conn.bucket, [`${PREFIX}/other-keep.txt`, `${PREFIX}/train/raw-labelled-2024.csv`]);
});

test('nested prefixes: preparing over or inside another dataset is refused, naming both; nothing of it is touched', async () => {
  const inner = 'shared/b/sub';
  await prepareDataset(spec({ limit: 40, s3Prefix: inner }), { outDir: tmp(), upload: conn });
  const innerKeys = async () => (await listKeys(s3, conn.bucket, `${inner}/`)).map((k) => `${k.key} ${k.etag}`).sort();
  const kept = await innerKeys();
  assert.ok(kept.some((k) => k.startsWith(`${inner}/${MANIFEST_NAME} `)));
  for (const outer of ['shared/b', 'shared']) {
    await assert.rejects(
      prepareDataset(spec({ limit: 40, s3Prefix: outer }), { outDir: tmp(), upload: conn, allowForeignObjects: true }),
      (err) => {
        assert.ok(err instanceof NestedDatasetError, String(err));
        assert.match(
          (err as Error).message,
          new RegExp(
            `^dataset\\.s3Prefix: s3://${conn.bucket}/${outer}/ holds another dataset at s3://${conn.bucket}/${inner}/ .*Nothing was uploaded`,
          ),
        );
        return true;
      },
    );
    assert.deepEqual(await innerKeys(), kept, `preparing ${outer} left ${inner} whole`);
  }
  await assert.rejects(
    prepareDataset(spec({ limit: 40, s3Prefix: `${inner}/deeper` }), { outDir: tmp(), upload: conn }),
    (err) =>
      err instanceof NestedDatasetError &&
      (err as Error).message.includes(
        `s3://${conn.bucket}/${inner}/deeper/ lies inside the dataset at s3://${conn.bucket}/${inner}/`,
      ),
  );
  assert.deepEqual(await innerKeys(), kept);
  await deleteKeys(
    s3,
    conn.bucket,
    kept.map((k) => k.split(' ')[0]!),
  );
});

test("a key the manifest lists but another writer put there (no mark, or another dataset's) is never deleted", async () => {
  const P = 'datasets/listed-foreign';
  await prepareDataset(spec({ limit: 40, s3Prefix: P }), { outDir: tmp(), upload: conn });
  const mKey = `${P}/${MANIFEST_NAME}`;
  const m = JSON.parse(
    await (await s3.send(new GetObjectCommand({ Bucket: conn.bucket, Key: mKey }))).Body!.transformToString(),
  ) as DatasetManifest;
  // The user's own file, and one marked for another dataset, both listed by this prefix's manifest.
  await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: `${P}/train/notes.txt`, Body: 'mine' }));
  await s3.send(
    new PutObjectCommand({
      Bucket: conn.bucket,
      Key: `${P}/train/other.arrow`,
      Body: 'theirs',
      Metadata: { 'created-by': 'sagemaker-hf', 'dataset-prefix': encodeURIComponent('datasets/other') },
    }),
  );
  m.channels.train!.files.push(
    { key: `${P}/train/notes.txt`, bytes: 4, etag: '' },
    { key: `${P}/train/other.arrow`, bytes: 6, etag: '' },
  );
  const meta = (await s3.send(new HeadObjectCommand({ Bucket: conn.bucket, Key: mKey }))).Metadata;
  await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: mKey, Body: JSON.stringify(m), Metadata: meta }));
  await assert.rejects(
    prepareDataset(spec({ limit: 40, s3Prefix: P }), { outDir: tmp(), upload: conn }),
    (err) =>
      err instanceof ForeignObjectsError && /2 object\(s\).*train\/notes\.txt, train\/other\.arrow/.test(String(err)),
  );
  const res = await prepareDataset(spec({ limit: 40, s3Prefix: P }), {
    outDir: tmp(),
    upload: conn,
    allowForeignObjects: true,
  });
  assert.deepEqual(res.removedKeys, []);
  const left = (await listKeys(s3, conn.bucket, `${P}/train/`)).map((k) => k.key);
  assert.ok(left.includes(`${P}/train/notes.txt`) && left.includes(`${P}/train/other.arrow`), left.join(', '));
  await deleteKeys(
    s3,
    conn.bucket,
    (await listKeys(s3, conn.bucket, `${P}/`)).map((k) => k.key),
  );
});

test('a multipart upload an earlier failed run left under the prefix is aborted; foreign objects untouched', async () => {
  const orphan = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: conn.bucket, Key: `${PREFIX}/train/data-00000-of-00003.arrow` }),
  );
  await s3.send(
    new UploadPartCommand({
      Bucket: conn.bucket,
      Key: `${PREFIX}/train/data-00000-of-00003.arrow`,
      UploadId: orphan.UploadId,
      PartNumber: 1,
      Body: Buffer.alloc(1024, 1),
    }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/annotations/batch1.jsonl`, Body: '{"a":1}\n' }),
  );
  assert.equal((await listOpenUploads(s3, conn.bucket, `${PREFIX}/`)).length, 1);
  const res = await prepareDataset(spec({ limit: 300, padding: 'dynamic' }), {
    outDir: tmp(),
    upload: conn,
    allowForeignObjects: true,
  });
  assert.equal(res.abortedUploads, 1);
  assert.deepEqual(await listOpenUploads(s3, conn.bucket, `${PREFIX}/`), []);
  const kept = await s3.send(new GetObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/annotations/batch1.jsonl` }));
  assert.equal(await kept.Body!.transformToString(), '{"a":1}\n');
  await deleteKeys(s3, conn.bucket, [`${PREFIX}/annotations/batch1.jsonl`]);
});

test('shards upload as they close: several shards, manifest lists them in folder order with their ETags', async () => {
  const events: { stage: string; rows?: number; totalRows?: number; up?: number }[] = [];
  const res = await prepareDataset(spec({ limit: 3000, padding: 'max_length', maxLength: 128 }), {
    outDir: tmp(),
    upload: conn,
    maxShardBytes: 1024 * 1024,
    workers: 2,
    onProgress: (p) => events.push({ stage: p.stage, rows: p.rows, totalRows: p.totalRows, up: p.bytesUploaded }),
  });
  assert.equal(res.workers, 2);
  const lastRow = events.findIndex((e) => e.stage === 'tokenize' && e.rows === e.totalRows);
  const firstUpload = events.findIndex((e) => e.stage === 'upload' && (e.up ?? 0) > 0);
  assert.ok(
    firstUpload >= 0 && firstUpload < lastRow,
    `a shard was uploading before the last row was tokenized (${firstUpload} < ${lastRow})`,
  );
  const m = (await manifest())!;
  const names = m.channels.train!.files.map((f) => f.key.slice(`${PREFIX}/train/`.length));
  assert.deepEqual(names, [
    'data-00000-of-00003.arrow',
    'data-00001-of-00003.arrow',
    'data-00002-of-00003.arrow',
    'dataset_info.json',
    'state.json',
  ]);
  for (const f of m.channels.train!.files) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: conn.bucket, Key: f.key }));
    assert.equal(head.ContentLength, f.bytes);
    assert.equal(head.Metadata?.['created-by'], 'sagemaker-hf');
  }
  const state = JSON.parse(fs.readFileSync(path.join(res.channels.train!.dir, 'state.json'), 'utf8')) as {
    _data_files: { filename: string }[];
  };
  assert.deepEqual(
    state._data_files.map((f) => f.filename),
    names.slice(0, 3),
  );
});

test('cancel during a multipart upload: no manifest, no open multipart upload', async () => {
  assert.ok(await manifest(), 'a previous complete run exists');
  const ctl = new AbortController();
  let sawPartial = false;
  await assert.rejects(
    prepareDataset(spec(big), {
      outDir: tmp(),
      upload: conn,
      uploadPartSize: 5 * MiB,
      signal: ctl.signal,
      onProgress: (p) => {
        if (
          p.stage === 'upload' &&
          p.fraction !== undefined &&
          p.fraction > 0 &&
          p.fraction < 0.5 &&
          !ctl.signal.aborted
        ) {
          sawPartial = true;
          ctl.abort();
        }
      },
    }),
    (err) => err instanceof CancelledError,
  );
  assert.ok(sawPartial, 'aborted mid-way');
  assert.equal(await manifest(), undefined, 'the old manifest was deleted first and no new one written');
  assert.deepEqual(await listOpenUploads(s3, conn.bucket, `${PREFIX}/`), []);
});

test('a failing request mid-upload: no manifest, the multipart upload is aborted', async () => {
  await prepareDataset(spec({ limit: 200, padding: 'dynamic' }), { outDir: tmp(), upload: conn });
  assert.ok(await manifest());
  // Fault injection: moto cannot be told to fail one UploadPart, so the second part fails in the
  // client; every other request (create, parts, abort, list) goes to the real moto server.
  let failed = 0;
  const name = 'fail-second-part';
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { PartNumber?: number };
      if (context.commandName === 'UploadPartCommand' && input.PartNumber === 2) {
        failed++;
        throw Object.assign(new Error('injected network failure'), { name: 'TimeoutError', $metadata: {} });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await assert.rejects(
      prepareDataset(spec(big), { outDir: tmp(), upload: conn, uploadPartSize: 5 * MiB }),
      /injected network failure|Uploading the dataset/,
    );
  } finally {
    s3.middlewareStack.remove(name);
  }
  assert.ok(failed >= 1);
  assert.equal(await manifest(), undefined);
  assert.deepEqual(await listOpenUploads(s3, conn.bucket, `${PREFIX}/`), []);
});

test('Hub path: parquet listing, downloads (cached), ClassLabel names from parquet metadata, token', async () => {
  const dir = tmp();
  const parquetDir = path.join(dir, 'parquet');
  fs.mkdirSync(parquetDir);
  // The emotion data as the Hub's parquet conversion holds it (label int64 + `huggingface` ClassLabel metadata).
  execFileSync(path.join(repoRoot, '.cache/venv/bin/python'), [
    '-c',
    `
import json, sys, pyarrow as pa, pyarrow.parquet as pq
src, out, names = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
feats = {"text": {"dtype": "string", "_type": "Value"}, "label": {"names": names, "_type": "ClassLabel"}}
for split in ["train", "test"]:
    rows = [json.loads(l) for l in open(f"{src}/{split}.jsonl")]
    t = pa.table({"text": [r["text"] for r in rows], "label": pa.array([r["label"] for r in rows], pa.int64())})
    t = t.replace_schema_metadata({"huggingface": json.dumps({"info": {"features": feats}})})
    pq.write_table(t, f"{out}/{split}-00000-of-00001.parquet", row_group_size=5000)
`,
    EMOTION,
    parquetDir,
    JSON.stringify(NAMES),
  ]);
  const requests: { url: string; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url!, auth: req.headers.authorization });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const send = (status: number, body: string | Buffer, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    let m: RegExpExecArray | null;
    if (req.url === '/api/datasets/dair-ai/emotion/parquet/split') {
      return send(
        200,
        JSON.stringify({
          train: [`${base}/api/datasets/dair-ai/emotion/parquet/split/train/0.parquet`],
          test: [`${base}/api/datasets/dair-ai/emotion/parquet/split/test/0.parquet`],
        }),
      );
    }
    if ((m = /^\/api\/datasets\/dair-ai\/emotion\/parquet\/split\/(train|test)\/0\.parquet$/.exec(req.url!))) {
      // The Hub redirects to the refs/convert/parquet file; so does this server.
      res.writeHead(302, {
        location: `${base}/datasets/dair-ai/emotion/resolve/refs%2Fconvert%2Fparquet/split/${m[1]}/0000.parquet`,
      });
      return res.end();
    }
    if (
      (m = /^\/datasets\/dair-ai\/emotion\/resolve\/refs%2Fconvert%2Fparquet\/split\/(train|test)\/0000\.parquet$/.exec(
        req.url!,
      ))
    ) {
      return send(
        200,
        fs.readFileSync(path.join(parquetDir, `${m[1]}-00000-of-00001.parquet`)),
        'application/octet-stream',
      );
    }
    if (
      (m = /^\/bert-base-uncased\/resolve\/main\/([\w.]+)$/.exec(req.url!)) &&
      fs.existsSync(path.join(TOKENIZER, m[1]!))
    ) {
      return send(200, fs.readFileSync(path.join(TOKENIZER, m[1]!)));
    }
    send(404, JSON.stringify({ error: 'Entry not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const hubSpec = validateSpec({
      version: 1,
      dataset: {
        source: 'dair-ai/emotion',
        config: 'split',
        splits: { train: 'train', eval: 'test' },
        tokenizer: 'bert-base-uncased',
        padding: 'auto',
      },
      training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local' },
    });
    const cacheDir = path.join(dir, 'cache');
    const res = await prepareDataset(hubSpec, {
      outDir: path.join(dir, 'out'),
      hubEndpoint: endpoint,
      hubToken: 'hf_test_token',
      cacheDir,
    });
    assert.deepEqual(res.labelNames, NAMES, 'names from the parquet ClassLabel metadata, not LABEL_0..5');
    assert.equal(res.report.labelNamesFrom, 'the dataset metadata');
    assert.equal(res.channels.train!.rows, 16000);
    assert.equal(res.channels.eval!.rows, 2000);
    assert.equal(res.channels.eval!.split, 'test');
    assert.equal(res.maxLength, 88);
    assert.deepEqual(res.report.splits[0]!.labelCounts, {
      sadness: 4666,
      joy: 5362,
      love: 1304,
      anger: 2159,
      fear: 1937,
      surprise: 572,
    });
    const hubCalls = requests.filter((r) => !r.url.startsWith('/bert-base-uncased'));
    assert.ok(hubCalls.length >= 5);
    assert.ok(
      requests.every((r) => r.auth === 'Bearer hf_test_token'),
      'the token goes with every request to the Hub endpoint',
    );
    assert.ok(
      requests.some((r) => r.url === '/bert-base-uncased/resolve/main/tokenizer.json'),
      'tokenizer fetched through the Hub path',
    );
    // Second run: parquet files and tokenizer come from the cache.
    requests.length = 0;
    const again = await prepareDataset(hubSpec, { outDir: path.join(dir, 'out2'), hubEndpoint: endpoint, cacheDir });
    assert.equal(again.channels.train!.rows, 16000);
    assert.deepEqual(
      requests.filter((r) => r.url.endsWith('.parquet')),
      [],
    );
    // A split the dataset does not have.
    const missing = validateSpec({
      ...hubSpec,
      dataset: { ...hubSpec.dataset, splits: { train: 'train', validation: 'valid' } },
    });
    await assert.rejects(
      prepareDataset(missing, { outDir: path.join(dir, 'out3'), hubEndpoint: endpoint, cacheDir }),
      /dataset\.splits: split 'valid' is not in dair-ai\/emotion \(config split\); it has: train, test/,
    );
  } finally {
    server.close();
  }
});
