// Finding the Python for local runs (src/workflow/local/pythonEnv), with real interpreters: the project's venv
// (.cache/venv: torch, transformers, datasets), a python3 without torch (a bare venv made here, found
// through the interpreter setting or a PATH of its own, whatever the machine's python3 has), a missing
// path, and an "interpreter" that hangs (a shell script that sleeps). The order is the issue's: the
// setting, the editor's interpreter, a workspace venv, the extension's own env, PATH; each check has a
// short timeout, and aborting ends a check at once.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError } from '../../src/core/errors';
import {
  NoPythonError,
  PythonPackagesMissingError,
  pythonCandidates,
  resolvePython,
  workspaceVenvDirs,
} from '../../src/workflow/local/pythonEnv';

const repo = path.resolve(__dirname, '../../..');
const venv = realpathSync(path.join(repo, '.cache/venv'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-pydisc-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder layout like a repository opened on examples/: root/.cache/venv (the real venv), root/examples. */
function layout(name: string): { root: string; examples: string } {
  const root = path.join(tmp, name);
  mkdirSync(path.join(root, '.cache'), { recursive: true });
  mkdirSync(path.join(root, 'examples'), { recursive: true });
  symlinkSync(venv, path.join(root, '.cache', 'venv'));
  return { root, examples: path.join(root, 'examples') };
}

function hangingPython(): string {
  const f = path.join(tmp, 'hangs', 'python');
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, '#!/bin/sh\nexec sleep 30\n');
  chmodSync(f, 0o755);
  return f;
}

/**
 * A python3 without torch, whatever the machine's python3 has: a fresh venv (no pip, no site packages)
 * behind a python3 wrapper in a folder of its own, so the tests that need one never depend on PATH.
 */
const bareBin = path.join(tmp, 'bare-bin');
const barePython = path.join(bareBin, 'python3');
(() => {
  const bare = path.join(tmp, 'bare-venv');
  execFileSync('python3', ['-m', 'venv', '--without-pip', bare], { stdio: 'ignore' });
  mkdirSync(bareBin, { recursive: true });
  writeFileSync(barePython, `#!/bin/sh\nexec '${path.join(bare, 'bin/python')}' "$@"\n`);
  chmodSync(barePython, 0o755);
  execFileSync(barePython, ['-c', 'import sys; assert sys.prefix != sys.base_prefix']);
})();

/** Runs `fn` with PATH holding only `dir`. */
async function withPath<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = dir;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

test("candidates come in the issue's order; a configured setting is the only candidate", () => {
  const { root, examples } = layout('order');
  const ownEnv = path.join(root, '.cache', 'venv');
  const c = pythonCandidates({
    interpreter: '/opt/py/bin/python',
    workspaceVenvs: workspaceVenvDirs(examples, root),
    venvDirs: [ownEnv, path.join(tmp, 'none')],
  });
  assert.deepEqual(
    c.map((x) => x.source),
    ['interpreter', 'workspace', 'path'],
  );
  assert.equal(c[1]!.python, path.join(root, '.cache/venv/bin/python'));
  // The extension's own env comes after the workspace's when both exist and differ.
  const own = layout('own');
  const c2 = pythonCandidates({
    workspaceVenvs: workspaceVenvDirs(examples, root),
    venvDirs: [path.join(own.root, '.cache', 'venv')],
  });
  assert.deepEqual(
    c2.map((x) => x.source),
    ['workspace', 'venv', 'path'],
  );
  const set = pythonCandidates({
    setting: '/custom/python',
    interpreter: '/opt/py/bin/python',
    workspaceVenvs: [ownEnv],
  });
  assert.deepEqual(set, [{ python: '/custom/python', source: 'setting' }]);
});

test("workspace venvs: .venv beside the spec first, then folders up to the workspace's parent, never above", () => {
  const { root, examples } = layout('walk');
  symlinkSync(venv, path.join(examples, '.venv'));
  const above = path.join(tmp, '.venv');
  symlinkSync(venv, above);
  try {
    assert.deepEqual(workspaceVenvDirs(examples, root), [
      path.join(examples, '.venv'),
      path.join(root, '.cache', 'venv'),
    ]);
    assert.deepEqual(workspaceVenvDirs(examples, examples), [path.join(examples, '.venv')]);
  } finally {
    rmSync(above);
  }
});

test("the editor's interpreter without torch is passed over for the workspace venv", async () => {
  const { root, examples } = layout('fallthrough');
  const py = await resolvePython({ interpreter: barePython, workspaceVenvs: workspaceVenvDirs(examples, root) });
  assert.equal(py.source, 'workspace');
  assert.equal(py.python, path.join(root, '.cache/venv/bin/python'));
  assert.deepEqual(py.missing, []);
  assert.ok(py.packages.torch && py.packages.transformers, JSON.stringify(py.packages));
});

test('a hanging interpreter is given up on after the probe timeout, not minutes', async () => {
  const { root, examples } = layout('hang');
  const t0 = Date.now();
  const py = await resolvePython({
    interpreter: hangingPython(),
    workspaceVenvs: workspaceVenvDirs(examples, root),
    probeTimeoutMs: 1500,
  });
  const ms = Date.now() - t0;
  assert.equal(py.source, 'workspace');
  assert.ok(ms < 10_000, `took ${ms} ms`);
});

test('nothing usable: a packages-missing error names the Python; with no Python at all, NoPythonError', async () => {
  await withPath(bareBin, () =>
    assert.rejects(resolvePython({ interpreter: path.join(tmp, 'no/such/python') }), (err: unknown) => {
      assert.ok(err instanceof PythonPackagesMissingError, String(err));
      assert.match(err.message, /python3 on PATH\) lacks torch/);
      return true;
    }),
  );
  const saved = process.env.PATH;
  process.env.PATH = path.join(tmp, 'empty-path');
  try {
    await assert.rejects(resolvePython({ interpreter: path.join(tmp, 'no/such/python') }), (err: unknown) => {
      assert.ok(err instanceof NoPythonError, String(err));
      assert.deepEqual(
        err.tried.map((c) => c.source),
        ['interpreter', 'path'],
      );
      return true;
    });
  } finally {
    process.env.PATH = saved;
  }
});

test('aborting during a check ends it at once with CancelledError', async () => {
  const ctl = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ctl.abort(), 300);
  await assert.rejects(
    resolvePython({ interpreter: hangingPython(), signal: ctl.signal, probeTimeoutMs: 20_000 }),
    (err: unknown) => err instanceof CancelledError,
  );
  assert.ok(Date.now() - t0 < 7000, `took ${Date.now() - t0} ms`);
  assert.ok(existsSync(venv));
});
