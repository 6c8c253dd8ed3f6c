// "No usable Python" errors carry Select Python and Create Environment as resuming buttons: after either
// succeeds, register() runs the command that asked again (shouldResume), so the user does not click the
// CodeLens a second time. Other errors pass through unchanged (no buttons that would fix nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ActionableError, CancelledError, UserError, shouldResume } from '../../src/core/errors';
import { NoPythonError, PythonPackagesMissingError, withPythonFixes } from '../../src/workflow/local/pythonEnv';

const manifestCommands = new Set(
  (
    JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { commands: { command: string }[] } }
  ).contributes.commands.map((c) => c.command),
);

test('no Python at all, or one without torch: an error with two resuming buttons', () => {
  const missing = new PythonPackagesMissingError({
    python: '/usr/bin/python3',
    source: 'path',
    version: '3.11.7',
    packages: { torch: null, transformers: '4.40.0', datasets: null },
    cuda: false,
    missing: ['torch', 'datasets'],
  });
  for (const err of [new NoPythonError([{ python: 'python3', source: 'path' }]), missing]) {
    const fixed = withPythonFixes(err);
    assert.ok(fixed instanceof ActionableError, String(fixed));
    assert.match(fixed.message, /^No Python with torch and transformers: /);
    assert.ok(fixed.message.endsWith(err.message), 'the cause is kept, word for word');
    assert.equal(fixed.field, 'pythonPath');
    assert.deepEqual(
      fixed.actions.map((a) => [a.title, a.command]),
      [
        ['Select Python', 'sagemakerHf.selectPython'],
        ['Create Environment', 'sagemakerHf.createPythonEnvironment'],
      ],
    );
    for (const a of fixed.actions) {
      assert.ok(manifestCommands.has(a.command), `${a.command} is a contributed command`);
      assert.equal(shouldResume(a, true, false), true, `${a.title} succeeded: the command that asked runs again`);
      assert.equal(shouldResume(a, false, false), false, `${a.title} dismissed (or a Python without torch): no resume`);
      assert.equal(shouldResume(a, true, true), false, 'never a second time');
    }
  }
});

test('other errors pass through as they are', () => {
  const cancel = new CancelledError();
  const badPath = new UserError(
    'Python not found: /nope/python (setting sagemakerHf.pythonPath) does not run',
    'pythonPath',
  );
  const other = new Error('EACCES');
  for (const err of [cancel, badPath, other]) assert.equal(withPythonFixes(err), err);
});
