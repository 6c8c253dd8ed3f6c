// The editor's offers before a local run, in plain Node over a stand-in vscode module and a scripted ui,
// with the real interpreter (.cache/venv) answering what it has: a Python the user chose that lacks a
// requirements.txt line is asked about in a modal whose buttons name the extension's environment first
// and the user's own Python only as an explicit choice; Escape cancels; "Train Without" installs nothing.
// The spec's versions that pip cannot install (an empty wheel folder as the index) are said once.
import { scriptedUi } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError } from '../../src/core/errors';
import { validateSpec } from '../../src/core/spec/spec';
import {
  INSTALL_THEIRS,
  requirementsEnvironment,
  specVersionsEnvironment,
  TRAIN_WITHOUT,
  USE_OWN,
} from '../../src/extension/local/environmentOffers';
import type { Services } from '../../src/extension/services';
import type { PythonCheck } from '../../src/workflow/local/pythonEnv';

const repo = path.resolve(__dirname, '../../..');
const python = path.join(repo, '.cache/venv/bin/python');
const log = { info() {}, warn() {}, error() {}, debug() {}, show() {} };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-hf-offers-'));
const places = () => ({
  ownVenv: path.join(tmp, 'venv'),
  venvsDir: path.join(tmp, 'venvs'),
  scriptsDir: path.join(repo, 'training-scripts'),
  said: new Set<string>(),
});
const userPython: PythonCheck = {
  python,
  source: 'interpreter',
  version: '3.11.7',
  packages: { torch: '2.13.0+cpu', transformers: '5.18.0', datasets: '5.0.1' },
  cuda: false,
  missing: [],
};

function specWith(sourceDir: string, training: Record<string, unknown> = {}) {
  return validateSpec({
    version: 1,
    dataset: { source: { train: 'train.jsonl' }, splits: { train: 'train' }, tokenizer: 'bert-base-uncased' },
    training: { entryPoint: 'train.py', sourceDir, instanceType: 'local', ...training },
  });
}

test("requirements a user's Python lacks: a modal, the extension's environment first, Escape cancels", async () => {
  const src = fs.mkdtempSync(path.join(tmp, 'src-'));
  fs.writeFileSync(path.join(src, 'requirements.txt'), 'no-such-package-xyz==1.0\n');
  const spec = specWith(src);

  const without = scriptedUi({ message: () => TRAIN_WITHOUT });
  const py = await requirementsEnvironment(
    { log, ui: without.ui } as unknown as Services,
    places(),
    spec,
    userPython,
    new AbortController().signal,
  );
  assert.equal(py, userPython, '"Train Without" keeps the Python and installs nothing');
  const asked = without.asked[0]!;
  assert.ok(asked.modal);
  assert.match(
    asked.message,
    /lacks no-such-package-xyz==1\.0 \(not installed\) of .*requirements\.txt, which the SageMaker container pip-installs before the script\. It is your Python \(the editor's selected Python interpreter\): nothing is installed into it unless you choose so\./,
  );
  assert.deepEqual(asked.items, [USE_OWN, INSTALL_THEIRS, TRAIN_WITHOUT]);
  assert.ok(asked.detail!.includes(`${python} -m pip install -r ${path.join(src, 'requirements.txt')}`), asked.detail);

  const escape = scriptedUi({ message: () => undefined });
  await assert.rejects(
    requirementsEnvironment(
      { log, ui: escape.ui } as unknown as Services,
      places(),
      spec,
      userPython,
      new AbortController().signal,
    ),
    CancelledError,
  );

  // Satisfied (or no requirements.txt): nothing is asked.
  fs.writeFileSync(path.join(src, 'requirements.txt'), 'torch\n');
  const quiet = scriptedUi({});
  await requirementsEnvironment(
    { log, ui: quiet.ui } as unknown as Services,
    places(),
    spec,
    userPython,
    new AbortController().signal,
  );
  assert.equal(quiet.asked.length, 0);
});

test('spec versions pip cannot install here: said once per window, no offer, the run goes on', async () => {
  const emptyIndex = fs.mkdtempSync(path.join(tmp, 'wheels-'));
  const saved = { ...process.env };
  Object.assign(process.env, { PIP_CONFIG_FILE: os.devNull, PIP_NO_INDEX: '1', PIP_FIND_LINKS: emptyIndex });
  try {
    const spec = specWith(tmp, { transformersVersion: '4.26.0' });
    const { ui, asked } = scriptedUi({});
    const p = places();
    for (let i = 0; i < 2; i++) {
      const py = await specVersionsEnvironment(
        { log, ui } as unknown as Services,
        p,
        spec,
        userPython,
        new AbortController().signal,
      );
      assert.equal(py, userPython);
    }
    assert.equal(asked.length, 1, 'the same notice is not repeated in one window');
    assert.equal(asked[0]!.kind, 'warning');
    assert.equal(
      asked[0]!.message,
      "Local training: the spec's transformers 4.26.0 cannot be installed on this Python (3.11.7): the package index has no transformers 4.26.0 for this Python (it has none); the run goes on with transformers 5.18.0, so results may differ from the container's.",
    );
    assert.deepEqual(asked[0]!.items, []);
    // The Python has the spec's versions: pip is not even asked.
    const same = scriptedUi({});
    await specVersionsEnvironment(
      { log, ui: same.ui } as unknown as Services,
      p,
      specWith(tmp, { transformersVersion: '5.18' }),
      userPython,
      new AbortController().signal,
    );
    assert.equal(same.asked.length, 0);
  } finally {
    for (const k of ['PIP_CONFIG_FILE', 'PIP_NO_INDEX', 'PIP_FIND_LINKS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
});
