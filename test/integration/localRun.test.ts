// The local target end to end on CPU: `sagemaker-hf run --target local` with a real tiny BERT, real
// emotion rows, real train.py and serve.py processes; then the faults (no Python, Python without
// torch, a failing script, a port in use, a process killed from outside, Ctrl-C), each checked for a
// clear message and no process left behind.
import { runCli, type CliResult } from '../helpers/cliRun';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { loadSpecFile } from '../../src/workflow/specFile';
import { startLocalEndpoint, listLocalEndpoints } from '../../src/workflow/local/localEndpoint';
import {
  LocalTrainingFailedError,
  runLocalTraining,
  type LocalJobRecord,
} from '../../src/workflow/local/localTraining';
import { prepareDataset } from '../../src/workflow/dataset/prepare';

const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const cli = path.join(repo, 'dist/cli.js');
const python = path.join(repo, '.cache/venv/bin/python');
const serveScript = path.join(repo, 'training-scripts/serve.py');
const EMOTIONS = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
const execFileP = promisify(execFile);

let tmp: string;
let tinyModel: string;

function writeSpec(
  name: string,
  hyper: Record<string, unknown> = {},
  extra: { training?: Record<string, unknown> } = {},
): string {
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
  const spec = {
    version: 1,
    dataset: {
      source: {
        train: path.join(shared, 'data/emotion/train.jsonl'),
        test: path.join(shared, 'data/emotion/test.jsonl'),
      },
      splits: { train: 'train', test: 'test' },
      labelNames: EMOTIONS,
      tokenizer: path.join(shared, 'models/bert-base-uncased'),
      padding: 'dynamic',
      maxLength: 64,
      limit: 300,
    },
    training: {
      entryPoint: 'train.py',
      sourceDir: path.join(repo, 'training-scripts'),
      baseJobName: `it-${name}`,
      instanceType: 'local',
      instanceCount: 1,
      hyperparameters: {
        epochs: 1,
        train_batch_size: 32,
        eval_batch_size: 64,
        learning_rate: 5e-4,
        model_id: tinyModel,
        fp16: false,
        warmup_steps: 0,
        logging_steps: 5,
        ...hyper,
      },
      ...extra.training,
    },
  };
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

const cliRun = (args: string[]): Promise<CliResult> => runCli(cli, args, { cwd: tmp });

/** Processes (any user) whose command line mentions this test's temp folder. */
function strayProcesses(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(tmp) && /train\.py|serve\.py/.test(cmd)) out.push(`${pid}: ${cmd}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

async function assertNothingRunning(): Promise<void> {
  // A group just killed may take a moment to be reaped.
  for (let i = 0; i < 50 && strayProcesses().length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(strayProcesses(), [], 'no train.py / serve.py process left');
  assert.deepEqual(await listLocalEndpoints(tmp), [], 'no local endpoint registered');
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

function jobRecords(): LocalJobRecord[] {
  const dir = path.join(tmp, '.sagemaker-hf/jobs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((n) => JSON.parse(readFileSync(path.join(dir, n, 'job.json'), 'utf8')) as LocalJobRecord);
}

before(async () => {
  assert.ok(existsSync(cli), 'dist/cli.js is built (npm run build)');
  assert.ok(existsSync(python), '.cache/venv exists (bash scripts/ensure-venv.sh)');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-local-'));
  tinyModel = path.join(tmp, 'bert-tiny');
  await execFileP(python, [path.join(repo, 'test/tools/make_tiny_model.py'), tinyModel], { timeout: 300_000 });
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('run --target local: prepare, train, deploy, predict, delete; job folder and model.tar.gz as SageMaker makes them', async () => {
  const spec = writeSpec('full');
  const r = await cliRun(['run', spec, '--target', 'local', '--python', python, '--workdir', tmp]);
  assert.equal(r.code, 0, `exit 0; stderr: ${r.stderr}\n${r.stdout.slice(-3000)}`);
  for (const [i, s] of ['prepare', 'train', 'deploy', 'predict', 'delete'].entries())
    assert.match(r.stdout, new RegExp(`\\[${i + 1}/5\\] ${s} done in [\\d.]+ (s|min)`));
  assert.match(r.stdout, /total +[\d.]+ s/);

  const [job, ...more] = jobRecords();
  assert.equal(more.length, 0);
  assert.equal(job!.status, 'Completed');
  assert.equal(job!.exitCode, 0);
  assert.match(job!.jobName, /^it-full-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d{3}$/);
  assert.deepEqual(
    job!.args.filter((a) => a.startsWith('--')),
    [
      '--epochs',
      '--eval_batch_size',
      '--fp16',
      '--learning_rate',
      '--logging_steps',
      '--model_id',
      '--train_batch_size',
      '--warmup_steps',
    ],
  );
  assert.equal(job!.args[job!.args.indexOf('--fp16') + 1], 'False');
  assert.equal(job!.args[job!.args.indexOf('--learning_rate') + 1], '0.0005');
  assert.equal(job!.env.SM_CHANNELS, '["test","train"]');
  assert.equal(job!.env.SM_MODEL_DIR, path.join(job!.jobDir, 'model'));
  assert.ok(!Object.keys(job!.env).some((k) => k.startsWith('AWS_')), 'no user environment (credentials) in job.json');
  for (const f of [
    'train.log',
    'input/config/hyperparameters.json',
    'model/config.json',
    'output/data',
    'output/model.tar.gz',
  ])
    assert.ok(existsSync(path.join(job!.jobDir, f)), f);
  assert.match(readFileSync(path.join(job!.jobDir, 'train.log'), 'utf8'), /\[metrics\] .*eval_accuracy=/);

  const entries: string[] = [];
  await tar.t({ file: job!.modelArtifact!, onReadEntry: (e) => entries.push(e.path) });
  assert.ok(entries.includes('config.json'), `config.json at the archive root: ${entries.join(', ')}`);
  assert.ok(
    entries.some((e) => e === 'model.safetensors' || e === 'pytorch_model.bin'),
    'weights',
  );
  assert.ok(
    entries.includes('tokenizer_config.json') && entries.some((e) => e === 'tokenizer.json' || e === 'vocab.txt'),
    'tokenizer files',
  );
  assert.ok(!entries.some((e) => e.includes('checkpoint-')), 'no checkpoints in model.tar.gz');
  assert.ok(!entries.some((e) => e.startsWith('/') || e.startsWith('model/')), 'entries at the root');
  const config = JSON.parse(readFileSync(path.join(job!.modelDir, 'config.json'), 'utf8')) as {
    id2label: Record<string, string>;
  };
  assert.deepEqual(Object.values(config.id2label), EMOTIONS);

  const predLine = r.stdout.split('\n').find((l) => l.trim().startsWith('prediction '));
  const prediction = JSON.parse(predLine!.trim().slice('prediction '.length)) as { label: string; score: number }[];
  assert.deepEqual(prediction.map((p) => p.label).sort(), [...EMOTIONS].sort());
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(r.stdout)![1]);
  assert.equal(await portOpen(port), false, 'endpoint port closed');
  await assertNothingRunning();
});

test('no Python: a bad --python path is a clear error', async () => {
  const r = await cliRun([
    'run',
    writeSpec('nopython'),
    '--target',
    'local',
    '--python',
    path.join(tmp, 'no/such/python'),
    '--workdir',
    tmp,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Python not found: .*no\/such\/python \(--python\) does not run/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
});

test('a Python without torch/transformers says what is missing and how to create the environment', async () => {
  const bare = path.join(tmp, 'bare-venv');
  await execFileP(python, ['-m', 'venv', '--without-pip', bare]);
  const r = await cliRun([
    'run',
    writeSpec('bare'),
    '--target',
    'local',
    '--python',
    path.join(bare, 'bin/python'),
    '--workdir',
    tmp,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /lacks torch, transformers, datasets: create the local environment/);
  assert.match(r.stderr, /pip install -r training-scripts\/requirements\.txt/);
});

test('train.py failing: job Failed with the exit code and the last lines', async () => {
  const before = jobRecords().length;
  const r = await cliRun([
    'run',
    writeSpec('fails', { epochs: 'not-a-number' }),
    '--target',
    'local',
    '--python',
    python,
    '--workdir',
    tmp,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /local training it-fails-\S+ failed: train\.py exited with code 2; last lines: .*--epochs/);
  const job = jobRecords().find((j) => j.jobName.startsWith('it-fails-'))!;
  assert.equal(jobRecords().length, before + 1);
  assert.equal(job.status, 'Failed');
  assert.equal(job.exitCode, 2);
  assert.ok(job.lastLines!.some((l) => l.includes('--epochs')));
  assert.doesNotMatch(r.stdout, /\[3\/5\] deploy/, 'no deploy after a failed training');
  await assertNothingRunning();
});

test('process killed from outside: job Failed naming the signal, nothing left', async () => {
  const spec = await loadSpecFile(writeSpec('killed', { epochs: 50 }));
  const prepared = await prepareDataset(spec, { outDir: path.join(tmp, 'killed-data') });
  let pid = 0;
  let killedAt = 0;
  await assert.rejects(
    runLocalTraining(spec, {
      python,
      workspaceDir: tmp,
      channels: { train: prepared.channels.train!.dir, test: prepared.channels.test!.dir },
      onStatus: (j) => (pid ||= j.pid ?? 0),
      onLine: (l) => {
        // Kill once the script itself is running (its first own line), like an OOM killer would.
        if (!killedAt && pid && !l.startsWith('[local]')) {
          killedAt = Date.now();
          process.kill(pid, 'SIGKILL');
        }
      },
    }),
    (err: unknown) =>
      err instanceof LocalTrainingFailedError &&
      /train\.py was killed by SIGKILL/.test(err.message) &&
      err.job.status === 'Failed',
  );
  assert.ok(killedAt > 0);
  const job = jobRecords().find((j) => j.jobName.startsWith('it-killed-'))!;
  assert.equal(job.status, 'Failed');
  assert.equal(job.signal, 'SIGKILL');
  await assertNothingRunning();
});

test('port in use: a clear error and no server left', async () => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      startLocalEndpoint({ python, model: tinyModel, workspaceDir: tmp, serveScript, port }),
      new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`),
    );
  } finally {
    busy.close();
  }
  await assertNothingRunning();
});

test('Ctrl-C during training stops it: job Stopped, exit 130, nothing left', async () => {
  const spec = writeSpec('sigint', { epochs: 50 });
  const child = spawn(process.execPath, [cli, 'run', spec, '--target', 'local', '--python', python, '--workdir', tmp], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '',
    err = '';
  let sent = false;
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => {
    out += d;
    // A line of train.py's own output: the script is running.
    if (!sent && /\[2\/5\] train\n[\s\S]*\n {4}(?!\[local\])\S/.test(out)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  assert.ok(sent, `training started: ${out.slice(-2000)}`);
  assert.equal(code, 130, err);
  const job = jobRecords().find((j) => j.jobName.startsWith('it-sigint-'))!;
  assert.equal(job.status, 'Stopped');
  await assertNothingRunning();
});

test('a kept local endpoint answers the CLI predict and is stopped by the CLI delete', async () => {
  const ep = await startLocalEndpoint({
    python,
    model: tinyModel,
    workspaceDir: tmp,
    serveScript,
    port: 0,
    name: 'kept-endpoint',
  });
  try {
    const predicted = await cliRun(['predict', ep.url, 'Winter is coming and it will be dark soon.']);
    assert.equal(predicted.code, 0, predicted.stderr);
    assert.ok(JSON.parse(predicted.stdout), 'prints the response JSON');
    const deleted = await cliRun(['delete', ep.url]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`Stopped local endpoint kept-endpoint \\(pid ${ep.pid}\\)`));
    assert.deepEqual(
      (await listLocalEndpoints(tmp)).map((e) => e.name),
      [],
    );
    assert.deepEqual(strayProcesses(), []);
    const again = await cliRun(['delete', ep.url]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /no local endpoint http:\/\/127\.0\.0\.1:\d+ is registered/);
  } finally {
    await ep.stop().catch(() => undefined);
  }
});
