// The local run's environment against real pip, offline: wheels written here (test/tools/make_wheel.py)
// in a folder pip reads with --no-index --find-links, as a package index would answer. Whether the
// spec's library versions install on a Python is pip's own dry-run resolution (a wheel whose
// Requires-Python excludes this Python, a version the folder lacks, one that installs); and
// `train --target local --install-requirements` pip-installs sourceDir/requirements.txt into the tool's
// own environment (DIR/.sagemaker-hf/venv, a real venv made here) and trains with it, while a Python
// the user chose is refused with the command to run there, nothing installed into it. With
// --spec-versions, versions pip can install get an environment of their own, made once and reused (the
// wheels for it are stand-ins with the right names and versions: the script here imports none of them).
import { runCli, type CliResult } from '../helpers/cliRun';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { probeVersions } from '../../src/workflow/local/requirementsCheck';

const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const cli = path.join(repo, 'dist/cli.js');
const python = path.join(repo, '.cache/venv/bin/python');

let tmp: string;
let wheels: string;
/** pip sees only the wheels made here: no configured index, no other find-links. */
let pipEnv: NodeJS.ProcessEnv;
/** The tool's own environment, DIR/.sagemaker-hf/venv, which the CLI finds without --python. */
let own: string;

/**
 * A real venv whose site-packages also reads .cache/venv's (a .pth line), so it has torch, transformers
 * and datasets without installing them, and what pip installs into it lands in it alone.
 */
function venvOver(dir: string): string {
  execFileSync(python, ['-m', 'venv', dir], { timeout: 120_000 });
  const py = path.join(dir, 'bin', 'python');
  const purelib = (p: string) =>
    execFileSync(p, ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"], { encoding: 'utf8' }).trim();
  writeFileSync(path.join(purelib(py), 'project-venv.pth'), purelib(python) + '\n');
  return py;
}

const hasTestPackage = (py: string) =>
  execFileSync(py, ['-c', 'import importlib.util; print(bool(importlib.util.find_spec("sagemaker_hf_testpkg")))'], {
    encoding: 'utf8',
  }).trim() === 'True';

function writeSpec(
  name: string,
  sourceDir: string,
  training: Record<string, unknown> = {},
  dataset: Record<string, unknown> = {},
): string {
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
  const spec = {
    version: 1,
    dataset: {
      source: { train: path.join(shared, 'data/emotion/train.jsonl') },
      splits: { train: 'train' },
      labelNames: ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'],
      tokenizer: path.join(shared, 'models/bert-base-uncased'),
      padding: 'dynamic',
      maxLength: 32,
      limit: 20,
      ...dataset,
    },
    training: { entryPoint: 'train.py', sourceDir, baseJobName: `env-${name}`, instanceType: 'local', ...training },
  };
  writeFileSync(file, JSON.stringify(spec, null, 2));
  return file;
}

/** `train|run --target local` in a work folder (default this file's), pip seeing only the wheels; args last, so they win. */
const cliLocal = (command: 'train' | 'run', args: string[], workdir = tmp): Promise<CliResult> =>
  runCli(cli, [command, '--target', 'local', '--workdir', workdir, ...args], { cwd: workdir, env: pipEnv });
const cliTrain = (args: string[]) => cliLocal('train', args);

before(() => {
  assert.ok(existsSync(cli), 'dist/cli.js is built (npm run build)');
  assert.ok(existsSync(python), '.cache/venv exists (bash scripts/ensure-venv.sh)');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-env-'));
  wheels = path.join(tmp, 'wheels');
  execFileSync(python, [
    path.join(repo, 'test/tools/make_wheel.py'),
    wheels,
    'transformers:4.26.0:<3.10',
    'transformers:4.57.6',
    'sagemaker-hf-testpkg:1.0',
    // Stand-ins for the spec-versions environment: what training-scripts/requirements.txt asks for.
    'torch:2.0.0',
    'datasets:2.0.0',
  ]);
  pipEnv = {
    ...process.env,
    PIP_CONFIG_FILE: os.devNull,
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: wheels,
  };
  delete pipEnv.PIP_INDEX_URL;
  delete pipEnv.PIP_EXTRA_INDEX_URL;
  own = venvOver(path.join(tmp, '.sagemaker-hf', 'venv'));
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("pip's dry run says which spec versions install on this Python, and why one does not", async () => {
  const version = execFileSync(python, ['-c', 'import platform; print(platform.python_version())'], {
    encoding: 'utf8',
  }).trim();
  assert.ok(!/^3\.[0-9]\./.test(version), `the wheel made for Python <3.10 must not fit this one (${version})`);
  const r = await probeVersions(
    python,
    [
      { pkg: 'transformers', want: '4.26.0' },
      { pkg: 'transformers', want: '4.57.6' },
      { pkg: 'torch', want: '1.13.1' },
    ],
    { env: pipEnv },
  );
  assert.deepEqual(r, [
    { pkg: 'transformers', want: '4.26.0', installable: false, reason: 'transformers 4.26.0 needs Python <3.10' },
    { pkg: 'transformers', want: '4.57.6', installable: true },
    {
      pkg: 'torch',
      want: '1.13.1',
      installable: false,
      reason: 'the package index has no torch 1.13.1 for this Python (it has 2.0.0)',
    },
  ]);
});

test('train --target local --install-requirements fills the own environment; a user Python is left alone', async () => {
  const src = path.join(tmp, 'src');
  mkdirSync(src);
  // Fails at import unless requirements.txt was installed, as the container's pip install would have.
  writeFileSync(
    path.join(src, 'train.py'),
    [
      'import os, sagemaker_hf_testpkg',
      'print("testpkg %s" % sagemaker_hf_testpkg.VERSION, flush=True)',
      'open(os.path.join(os.environ["SM_MODEL_DIR"], "model.bin"), "w").write("x")',
    ].join('\n'),
  );
  writeFileSync(path.join(src, 'requirements.txt'), 'sagemaker-hf-testpkg==1.0\n');
  // The spec's transformers is one whose wheel needs another Python: said plainly, and the run goes on.
  const spec = writeSpec('reqs', src, { transformersVersion: '4.26.0' });

  // A Python the user named: refused before anything runs, with the command to run there.
  const user = venvOver(path.join(tmp, 'user-venv'));
  const refused = await cliTrain([spec, '--python', user, '--install-requirements']);
  assert.notEqual(refused.code, 0, refused.stdout + refused.stderr);
  assert.match(
    refused.stderr,
    /--install-requirements installs only into the tool's own environment .* is --python: install into it yourself \(.*user-venv\/bin\/python -m pip install -r .*src\/requirements\.txt\)/,
  );
  assert.equal(hasTestPackage(user), false, 'nothing was installed into the Python the user chose');

  // The own environment, without the flag: the run says what it lacks and how to add it.
  const told = await cliTrain([spec, '--quiet']);
  assert.match(told.stdout, /needs {4}sagemaker-hf-testpkg==1\.0 \(not installed\): add --install-requirements/);
  assert.match(
    told.stdout,
    /versions the spec's transformers 4\.26\.0 cannot be installed on this Python \(3\.\d+\.\d+\): transformers 4\.26\.0 needs Python <3\.10; the run goes on with transformers \S+/,
  );
  assert.notEqual(told.code, 0, 'train.py cannot import what was not installed');

  const r = await cliTrain([spec, '--install-requirements']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`install  sagemaker-hf-testpkg==1\\.0 \\(not installed\\) into ${own.replace(/[.]/g, '\\.')}`),
  );
  assert.match(r.stdout, /\[pip\] Successfully installed sagemaker-hf-testpkg-1\.0/);
  assert.match(r.stdout, /testpkg 1\.0/);
  assert.doesNotMatch(r.stdout, /not applied locally: .*requirements\.txt/);
  assert.equal(hasTestPackage(own), true);
});

test('train --target local --spec-versions trains in an environment with the spec versions, made once', async () => {
  const src = path.join(tmp, 'src-versions');
  mkdirSync(src);
  writeFileSync(
    path.join(src, 'train.py'),
    [
      'import os, sys',
      'from importlib import metadata',
      'print("running %s with transformers %s" % (sys.executable, metadata.version("transformers")), flush=True)',
      'open(os.path.join(os.environ["SM_MODEL_DIR"], "model.bin"), "w").write("x")',
    ].join('\n'),
  );
  writeFileSync(path.join(src, 'requirements.txt'), 'sagemaker-hf-testpkg==1.0\n');
  const spec = writeSpec('versions', src, { transformersVersion: '4.57.6', pytorchVersion: '2.0.0' });
  const envDir = path.join(tmp, '.sagemaker-hf', 'venvs', 'transformers-4.57.6-torch-2.0.0');

  const offered = await cliTrain([spec, '--quiet']);
  assert.equal(offered.code, 0, offered.stdout + offered.stderr);
  assert.match(
    offered.stdout,
    /versions pip can install the spec's transformers 4\.57\.6 and torch 2\.0\.0 on Python 3\.\d+\.\d+: .*; add --spec-versions to train in one/,
  );
  assert.ok(!existsSync(envDir), 'nothing is created unasked');

  const made = await cliTrain([spec, '--spec-versions', '--quiet']);
  assert.equal(made.code, 0, made.stdout + made.stderr);
  assert.match(made.stdout, new RegExp(`creating ${envDir.replace(/[.]/g, '\\.')}`));
  assert.match(
    made.stdout,
    /python {3}\S+venvs\/transformers-4\.57\.6-torch-2\.0\.0\/bin\/python \(Python [\d.]+, torch 2\.0\.0, transformers 4\.57\.6/,
  );
  assert.doesNotMatch(made.stdout, /not applied locally: training\.(transformers|pytorch)Version/);
  // The sourceDir's requirements went into the new environment too, as the container installs them.
  assert.equal(hasTestPackage(path.join(envDir, 'bin', 'python')), true);

  const reused = await cliTrain([spec, '--spec-versions']);
  assert.equal(reused.code, 0, reused.stdout + reused.stderr);
  assert.match(reused.stdout, /versions the spec's transformers==4\.57\.6, torch==2\.0\.0: using /);
  assert.match(
    reused.stdout,
    new RegExp(`running ${envDir.replace(/[.]/g, '\\.')}/bin/python with transformers 4\\.57\\.6`),
  );
});

test('run --target local --install-requirements installs into the own environment before the whole workflow trains', async () => {
  // A work folder of its own, so its own environment starts without the test package.
  const work = path.join(tmp, 'run-work');
  mkdirSync(work);
  const ownHere = venvOver(path.join(work, '.sagemaker-hf', 'venv'));
  assert.equal(hasTestPackage(ownHere), false);
  const tinyModel = path.join(work, 'bert-tiny');
  execFileSync(python, [path.join(repo, 'test/tools/make_tiny_model.py'), tinyModel], { timeout: 300_000 });
  // The real train.py, made to fail at import unless requirements.txt was installed before it ran.
  const src = path.join(work, 'src');
  mkdirSync(src);
  writeFileSync(
    path.join(src, 'train.py'),
    readFileSync(path.join(repo, 'training-scripts/train.py'), 'utf8').replace(
      /^import argparse$/m,
      'import argparse\nimport sagemaker_hf_testpkg  # from requirements.txt',
    ),
  );
  writeFileSync(path.join(src, 'requirements.txt'), 'sagemaker-hf-testpkg==1.0\n');
  const spec = writeSpec(
    'run-reqs',
    src,
    {
      hyperparameters: {
        epochs: 1,
        train_batch_size: 16,
        eval_batch_size: 16,
        learning_rate: 5e-4,
        model_id: tinyModel,
        fp16: false,
        logging_steps: 1,
      },
    },
    {
      // The whole workflow predicts after training: it needs an evaluation split too.
      source: {
        train: path.join(shared, 'data/emotion/train.jsonl'),
        test: path.join(shared, 'data/emotion/test.jsonl'),
      },
      splits: { train: 'train', test: 'test' },
    },
  );

  const refused = await cliLocal('run', [spec, '--install-requirements', '--target', 'sagemaker'], work);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /--install-requirements is for --target local/);

  const r = await cliLocal('run', [spec, '--install-requirements', '--quiet'], work);
  assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`install  sagemaker-hf-testpkg==1\\.0 \\(not installed\\) into ${ownHere.replace(/[.]/g, '\\.')}`),
  );
  assert.equal(hasTestPackage(ownHere), true);
  for (const [i, s] of ['prepare', 'train', 'deploy', 'predict', 'delete'].entries())
    assert.match(r.stdout, new RegExp(`\\[${i + 1}/5\\] ${s} done in`));
  assert.ok(
    r.stdout.indexOf('install  sagemaker-hf-testpkg') < r.stdout.indexOf('[1/5] prepare'),
    'installed before the workflow starts',
  );
});
