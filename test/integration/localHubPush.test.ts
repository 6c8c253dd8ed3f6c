// pushToHub rehearsed by a local run: with HF_ENDPOINT set, `train --target local` runs the real train.py,
// which pushes the model as the container's would (huggingface_hub's create_repo and upload_folder, token
// from HF_TOKEN) to that endpoint. The endpoint here is a loopback stand-in for the Hub, because the real
// Hub is not reachable from tests: it answers only what those two calls need (repo create, preupload,
// commit) and records what arrives, so the files can be compared with the job's model folder. Without
// HF_TOKEN the run is refused before training; without HF_ENDPOINT nothing is pushed, and it says so.
import { runCli, type CliResult } from '../helpers/cliRun';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const cli = path.join(repo, 'dist/cli.js');
const python = path.join(repo, '.cache/venv/bin/python');
const execFileP = promisify(execFile);
const TOKEN = 'hf_standin_SECRET_0123456789';

let tmp: string;
let tinyModel: string;

interface StandInHub {
  url: string;
  created: Record<string, unknown>[];
  files: Map<string, Buffer>;
  auth: Set<string>;
  /** Requests the stand-in does not answer: a newer client calling more would show here. */
  unknown: string[];
  close(): Promise<void>;
}

async function standInHub(): Promise<StandInHub> {
  const hub = { created: [], files: new Map(), auth: new Set(), unknown: [] } as unknown as StandInHub;
  const reply = (res: http.ServerResponse, code: number, body: unknown) => {
    const data = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
    res.end(data);
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const p = (req.url ?? '').split('?')[0]!;
      // The token each upload call carries (the GET lookups above carry none).
      if (req.method === 'POST') hub.auth.add(String(req.headers.authorization ?? ''));
      const m = /^\/api\/models\/(.+)\/(preupload|commit)\/main$/.exec(p);
      if (req.method === 'POST' && p === '/api/repos/create') {
        const body = JSON.parse(raw) as { name: string; organization?: string };
        hub.created.push(body);
        const id = `${body.organization ?? 'user'}/${body.name}`;
        return reply(res, 200, { url: `${hub.url}/${id}`, name: id, id: '1' });
      }
      if (req.method === 'POST' && m?.[2] === 'preupload') {
        // Every file "regular": its bytes come base64 in the commit, so no LFS or Xet server is needed.
        const files = (JSON.parse(raw) as { files: { path: string }[] }).files;
        return reply(res, 200, {
          files: files.map((f) => ({ path: f.path, uploadMode: 'regular', shouldIgnore: false })),
          commitOid: '0'.repeat(40),
        });
      }
      if (req.method === 'POST' && m) {
        // The commit is NDJSON: a header line, then one line per file.
        for (const line of raw.split('\n').filter((l) => l.trim())) {
          const x = JSON.parse(line) as { key: string; value: { path: string; content: string } };
          if (x.key === 'file') hub.files.set(x.value.path, Buffer.from(x.value.content, 'base64'));
        }
        return reply(res, 200, {
          commitUrl: `${hub.url}/${m[1]}/commit/${'a'.repeat(40)}`,
          commitOid: 'a'.repeat(40),
          pullRequestUrl: null,
        });
      }
      hub.unknown.push(`${req.method} ${req.url}`);
      reply(res, 404, { error: 'not in the stand-in' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub.close = () => new Promise<void>((r) => server.close(() => r()));
  return hub;
}

function writeSpec(): string {
  const file = path.join(tmp, 'hub.sagemaker-hf.json');
  const spec = {
    version: 1,
    dataset: {
      source: {
        train: path.join(shared, 'data/emotion/train.jsonl'),
        test: path.join(shared, 'data/emotion/test.jsonl'),
      },
      splits: { train: 'train', test: 'test' },
      labelNames: ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'],
      tokenizer: path.join(shared, 'models/bert-base-uncased'),
      padding: 'dynamic',
      maxLength: 32,
      limit: 40,
    },
    training: {
      entryPoint: 'train.py',
      sourceDir: path.join(repo, 'training-scripts'),
      baseJobName: 'hub-push',
      instanceType: 'local',
      pushToHub: { repo: 'acme/emotion-bert', private: false },
      hyperparameters: { model_id: tinyModel, max_steps: 2, train_batch_size: 8, fp16: false },
    },
  };
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

const cliTrain = (env: NodeJS.ProcessEnv): Promise<CliResult> =>
  runCli(cli, ['train', writeSpec(), '--target', 'local', '--python', python, '--workdir', tmp], { cwd: tmp, env });

const baseEnv = () => {
  const env = { ...process.env };
  delete env.HF_ENDPOINT;
  delete env.HF_TOKEN;
  delete env.HUGGING_FACE_HUB_TOKEN;
  return env;
};

before(async () => {
  assert.ok(existsSync(cli), 'dist/cli.js is built (npm run build)');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-hub-'));
  tinyModel = path.join(tmp, 'bert-tiny');
  await execFileP(python, [path.join(repo, 'test/tools/make_tiny_model.py'), tinyModel], { timeout: 300_000 });
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('with HF_ENDPOINT set, the local run pushes the trained model there as the job would', async () => {
  const hub = await standInHub();
  let r;
  try {
    r = await cliTrain({ ...baseEnv(), HF_ENDPOINT: hub.url, HF_TOKEN: TOKEN });
  } finally {
    await hub.close();
  }
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`not applied locally: training\\.pushToHub: rehearsed against HF_ENDPOINT ${hub.url}`),
  );
  assert.match(r.stdout, new RegExp(`hub {8}pushed to HF_ENDPOINT ${hub.url}: acme/emotion-bert \\(public`));
  assert.ok(!r.stdout.includes(TOKEN) && !r.stdout.includes('SECRET'), 'the token is never printed');
  // Newer clients also GET lookups the stand-in does not serve (huggingface_hub 1.x asks for
  // /api/agent-harnesses) and go on at a 404; an upload request it does not know would be a POST.
  assert.deepEqual(
    hub.unknown.filter((u) => !u.startsWith('GET ')),
    [],
  );
  assert.equal(hub.created[0]?.['name'], 'emotion-bert');
  assert.equal(hub.created[0]?.['organization'], 'acme');
  assert.deepEqual([...hub.auth], [`Bearer ${TOKEN}`]);
  for (const f of ['config.json', 'tokenizer.json', 'model.safetensors'])
    assert.ok(hub.files.has(f), `${f} arrived (got ${[...hub.files.keys()].join(', ')})`);
  assert.ok(!hub.files.has('training_args.bin'));
  const jobs = path.join(tmp, '.sagemaker-hf/jobs');
  const jobName = readdirSync(jobs).find((n) => n.startsWith('hub-push'))!;
  const modelDir = path.join(jobs, jobName, 'model');
  assert.deepEqual(hub.files.get('model.safetensors'), readFileSync(path.join(modelDir, 'model.safetensors')));
  const config = JSON.parse(hub.files.get('config.json')!.toString('utf8')) as { id2label: Record<string, string> };
  assert.equal(config.id2label['5'], 'surprise');
});

test('HF_ENDPOINT without HF_TOKEN is refused before training; without HF_ENDPOINT it says the push does not apply', async () => {
  const refused = await cliTrain({ ...baseEnv(), HF_ENDPOINT: 'http://127.0.0.1:9' });
  assert.notEqual(refused.code, 0);
  assert.match(
    refused.stderr,
    /training\.pushToHub: the local run pushes acme\/emotion-bert to HF_ENDPOINT http:\/\/127\.0\.0\.1:9 as the job would, and needs a token .*: set HF_TOKEN/,
  );
  assert.doesNotMatch(refused.stdout, /\[local\] hub-push/, 'nothing started');

  const skipped = await cliTrain(baseEnv());
  assert.equal(skipped.code, 0, skipped.stdout + skipped.stderr);
  assert.match(
    skipped.stdout,
    /not applied locally: training\.pushToHub: not pushed from a local run .*set HF_ENDPOINT to rehearse the push/,
  );
  assert.doesNotMatch(skipped.stdout, /hub {8}/);
});
