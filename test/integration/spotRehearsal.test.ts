// The spot interruption rehearsal end to end with the real train.py on CPU: `sagemaker-hf train --target
// local --interrupt-after` sends SIGTERM, train.py saves a checkpoint and exits 143, the local target
// starts it again with the checkpoints folder kept, and the report names the step it resumed from and
// the first step logged after the restart. A script that ignores checkpoints is reported as not resumed
// (exit 1). Also: the notes on what does not apply locally, printed before training starts, and the
// requirements.txt lines the chosen Python does not satisfy.
import { runCli, type CliResult } from '../helpers/cliRun';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { LocalJobRecord } from '../../src/workflow/local/localTraining';

const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const cli = path.join(repo, 'dist/cli.js');
const python = path.join(repo, '.cache/venv/bin/python');
const execFileP = promisify(execFile);

let tmp: string;
let tinyModel: string;

function writeSpec(name: string, training: Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
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
      maxLength: 64,
      limit: 300,
    },
    training: {
      entryPoint: 'train.py',
      sourceDir: path.join(repo, 'training-scripts'),
      baseJobName: `spot-${name}`,
      instanceType: 'local',
      instanceCount: 1,
      ...training,
    },
  };
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

const cliTrain = (args: string[]): Promise<CliResult> =>
  runCli(cli, ['train', ...args, '--python', python, '--quiet'], { cwd: tmp, timeoutMs: 900_000 });

function job(prefix: string): LocalJobRecord {
  const dir = path.join(tmp, '.sagemaker-hf/jobs');
  const name = readdirSync(dir).find((n) => n.startsWith(prefix));
  assert.ok(name, `a job folder ${prefix}-* under ${dir}`);
  return JSON.parse(readFileSync(path.join(dir, name, 'job.json'), 'utf8')) as LocalJobRecord;
}

before(async () => {
  assert.ok(existsSync(cli), 'dist/cli.js is built (npm run build)');
  assert.ok(existsSync(python), '.cache/venv exists (bash scripts/ensure-venv.sh)');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-spot-'));
  tinyModel = path.join(tmp, 'bert-tiny');
  await execFileP(python, [path.join(repo, 'test/tools/make_tiny_model.py'), tinyModel], { timeout: 300_000 });
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('train --target local --interrupt-after: train.py is interrupted, restarted with its checkpoints, and resumes', async () => {
  // 1,200 steps of batch 8 outlast the 12 s before the SIGTERM on any machine; a SIGTERM that arrives
  // while train.py still imports torch is turned into a checkpoint after its first step, so either way
  // there is a checkpoint to resume from.
  const spec = writeSpec('resumes', {
    spot: { maxWaitSeconds: 7200 },
    keepAliveSeconds: 60,
    transformersVersion: '4.11.0',
    hyperparameters: {
      model_id: tinyModel,
      train_batch_size: 8,
      max_steps: 1200,
      logging_steps: 1,
      warmup_steps: 0,
      learning_rate: 5e-4,
      fp16: false,
    },
  });
  const r = await cliTrain([spec, '--target', 'local', '--interrupt-after', '12']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // Said before training: what the local run does not do.
  assert.match(r.stdout, /not applied locally: training\.spot: no spot capacity locally/);
  assert.match(r.stdout, /not applied locally: training\.keepAliveSeconds 60: no warm pool locally/);
  assert.match(
    r.stdout,
    /not applied locally: training\.transformersVersion 4\.11\.0: this Python has transformers \d/,
  );
  const j = job('spot-resumes');
  assert.equal(j.status, 'Completed');
  const s = j.spotRehearsal!;
  assert.equal(s.interruptAfterSeconds, 12);
  assert.equal(s.firstExit, 'exit code 143', 'train.py exits 128 + SIGTERM after saving its checkpoint');
  assert.equal(s.resumed, true);
  assert.ok(s.resumedFromStep! >= 1 && s.resumedFromStep! < 1200, `resumed from step ${s.resumedFromStep}`);
  // The first step after the restart is the one after the checkpoint: nothing was trained twice.
  assert.equal(s.firstStepAfter, s.resumedFromStep! + 1);
  assert.match(
    r.stdout,
    new RegExp(
      `spot rehearsal: interrupted at step \\d+ \\(exit code 143\\); the first step logged after the restart was ${s.firstStepAfter} \\(resumed from step ${s.resumedFromStep}\\): it resumed`,
    ),
  );
  // The checkpoint folder was kept across the restart, and the job ran to its last step.
  const ckpt = path.join(j.jobDir, 'checkpoints');
  assert.equal(j.env.SM_HF_CHECKPOINT_DIR, ckpt);
  assert.ok(existsSync(path.join(ckpt, 'checkpoint-1200', 'trainer_state.json')));
  const log = readFileSync(path.join(j.jobDir, 'train.log'), 'utf8');
  assert.match(
    log,
    new RegExp(`resuming from .*checkpoint-${s.resumedFromStep} \\(global step ${s.resumedFromStep}\\)`),
  );
});

test('a script that ignores its checkpoints is reported as not resumed, and the command fails', async () => {
  const src = path.join(tmp, 'forgetful');
  mkdirSync(src);
  // Logs steps from 1 each time it starts and never reads SM_HF_CHECKPOINT_DIR.
  writeFileSync(
    path.join(src, 'train.py'),
    [
      'import os, time',
      'for step in range(1, 400):',
      '    print("[metrics] step=%d loss=1.0" % step, flush=True)',
      '    time.sleep(0.05)',
      'open(os.path.join(os.environ["SM_MODEL_DIR"], "model.bin"), "w").write("x")',
    ].join('\n'),
  );
  // The container would pip-install these first: the local run says which this Python lacks.
  writeFileSync(path.join(src, 'requirements.txt'), 'torch>=99\nno-such-package-xyz==1.0\ndatasets>=1.0\n');
  const spec = writeSpec('forgetful', { sourceDir: src, hyperparameters: {} });
  const r = await cliTrain([spec, '--target', 'local', '--interrupt-after', '3', '--workdir', tmp]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const s = job('spot-forgetful').spotRehearsal!;
  assert.equal(s.resumed, false);
  assert.equal(s.firstStepAfter, 1);
  assert.ok(s.lastStepBefore! > 1);
  assert.match(r.stdout, /it did NOT resume \(it started over/);
  assert.match(
    r.stdout,
    /requirements\.txt: the container pip-installs it before the script; .* does not satisfy torch>=99 \(has [^)]+\), no-such-package-xyz==1\.0 \(not installed\) \(install/,
  );
  assert.doesNotMatch(r.stdout, /datasets>=1\.0 \(/);
});
