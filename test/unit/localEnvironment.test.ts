// The local run's environment decisions, as pure functions: what it says and offers when the chosen Python
// lacks lines of sourceDir/requirements.txt (installing unasked only into the tool's own environment), and
// whether it offers an environment with the spec's transformers/torch, read from pip's own answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pipInstallCommand,
  readPipDryRun,
  requirementsAdvice,
  versionDifferences,
  versionsOffer,
  type VersionAvailability,
} from '../../src/core/training/localDifferences';
import { validateSpec, type JobSpec } from '../../src/core/spec/spec';

function spec(training: Record<string, unknown>): JobSpec {
  return validateSpec({
    version: 1,
    dataset: { source: { train: 'train.jsonl' }, splits: { train: 'train' }, tokenizer: 'bert-base-uncased' },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'local', ...training },
  });
}

test('requirements: the own environment is offered the install; a user Python only gets the command', () => {
  const own = requirementsAdvice({
    python: '/ws/.sagemaker-hf/venv/bin/python',
    file: '/ws/src/requirements.txt',
    unmet: ['evaluate>=0.4 (not installed)'],
    ownEnvironment: true,
  });
  assert.equal(own.installHere, true);
  assert.equal(own.command, '/ws/.sagemaker-hf/venv/bin/python -m pip install -r /ws/src/requirements.txt');
  assert.match(
    own.line,
    /does not satisfy evaluate>=0\.4 \(not installed\) \(install with: .* -r \/ws\/src\/requirements\.txt; the local environment\)/,
  );
  const theirs = requirementsAdvice({
    python: '/usr/bin/python3',
    file: '/my project/requirements.txt',
    unmet: ['evaluate (not installed)'],
    ownEnvironment: false,
  });
  assert.equal(theirs.installHere, false);
  // A path with a space is quoted, so the command can be pasted as it is.
  assert.equal(theirs.command, "/usr/bin/python3 -m pip install -r '/my project/requirements.txt'");
  assert.match(theirs.line, /your Python, so nothing is installed into it unasked/);
  assert.equal(pipInstallCommand("/a'b/python", ['x']), `'/a'\\''b/python' -m pip install x`);
});

test('versions: only the libraries that differ, PEP 440 equal versions and local labels are the same', () => {
  const s = spec({ transformersVersion: '4.26', pytorchVersion: '1.13.1' });
  assert.deepEqual(versionDifferences(s, { transformers: '4.26.0', torch: '1.13.1+cpu' }), []);
  assert.deepEqual(versionDifferences(s, { transformers: '5.18.0', torch: null }), [
    { field: 'transformersVersion', pkg: 'transformers', want: '4.26', have: '5.18.0' },
    { field: 'pytorchVersion', pkg: 'torch', want: '1.13.1', have: null },
  ]);
  assert.deepEqual(versionDifferences(spec({}), { transformers: '5.18.0' }), []);
});

test("pip's answers: installable, a Requires-Python from the wheel or the index, a version the index lacks, no answer", () => {
  assert.deepEqual(readPipDryRun('torch', '2.1.0', { code: 0, stderr: '' }), {
    pkg: 'torch',
    want: '2.1.0',
    installable: true,
  });
  const fromWheel = readPipDryRun('transformers', '4.26.0', {
    code: 1,
    stderr: "ERROR: Package 'transformers' requires a different Python: 3.11.7 not in '<3.10'\n",
  });
  assert.deepEqual(fromWheel, {
    pkg: 'transformers',
    want: '4.26.0',
    installable: false,
    reason: 'transformers 4.26.0 needs Python <3.10',
  });
  const fromIndex = readPipDryRun('torch', '1.13.1', {
    code: 1,
    stderr: [
      'ERROR: Ignored the following versions that require a different python version: 1.13.0 Requires-Python >=3.7.0,<3.11; 1.13.1 Requires-Python >=3.7.0,<3.11',
      'ERROR: Could not find a version that satisfies the requirement torch==1.13.1 (from versions: 2.0.0, 2.1.0)',
      'ERROR: No matching distribution found for torch==1.13.1',
    ].join('\n'),
  });
  assert.equal(fromIndex.installable, false);
  assert.equal((fromIndex as { reason: string }).reason, 'torch 1.13.1 needs Python >=3.7.0,<3.11');
  const absent = readPipDryRun('transformers', '4.11.0', {
    code: 1,
    stderr:
      'ERROR: Could not find a version that satisfies the requirement transformers==4.11.0 (from versions: 4.26.0, 4.57.6, 5.17.0, 5.18.0)\n',
  });
  assert.equal(
    (absent as { reason: string }).reason,
    'the package index has no transformers 4.11.0 for this Python (it has 4.26.0, 4.57.6, 5.17.0, 5.18.0)',
  );
  const offline = readPipDryRun('torch', '2.1.0', {
    code: 1,
    stderr:
      'WARNING: Retrying...\nERROR: Could not install packages due to an OSError: [Errno 111] Connection refused\n',
  });
  assert.equal(offline.installable, undefined);
  assert.match(
    (offline as { reason: string }).reason,
    /could not be checked \(ERROR: Could not install .*Connection refused\)/,
  );
});

test('the offer: an environment when every differing version installs; else why not, and the run goes on', () => {
  const diffs = versionDifferences(spec({ transformersVersion: '4.26.0', pytorchVersion: '1.13.1' }), {
    transformers: '5.18.0',
    torch: '2.13.0+cpu',
  });
  const ok: VersionAvailability[] = [
    { pkg: 'transformers', want: '4.26.0', installable: true },
    { pkg: 'torch', want: '1.13.1', installable: true },
  ];
  const offer = versionsOffer(diffs, ok, '3.9.18')!;
  assert.deepEqual(offer.pins, ['transformers==4.26.0', 'torch==1.13.1']);
  assert.equal(offer.envName, 'transformers-4.26.0-torch-1.13.1');
  assert.match(offer.line, /^pip can install the spec's transformers 4\.26\.0 and torch 1\.13\.1 on Python 3\.9\.18/);

  const one = versionsOffer(
    diffs,
    [
      { pkg: 'transformers', want: '4.26.0', installable: false, reason: 'transformers 4.26.0 needs Python <3.10' },
      ok[1]!,
    ],
    '3.11.7',
  )!;
  assert.equal(one.pins, undefined, 'half the spec versions is not the spec environment: no offer');
  assert.equal(
    one.line,
    "the spec's transformers 4.26.0 and torch 1.13.1 cannot be installed on this Python (3.11.7): transformers 4.26.0 needs Python <3.10; the run goes on with transformers 5.18.0 and torch 2.13.0+cpu, so results may differ from the container's",
  );
  const unknown = versionsOffer(
    diffs.slice(0, 1),
    [{ pkg: 'transformers', want: '4.26.0', installable: undefined, reason: 'could not be checked (no pip)' }],
    '3.11.7',
  )!;
  assert.equal(unknown.pins, undefined);
  assert.match(
    unknown.line,
    /^could not check whether pip can install .*\(transformers: could not be checked \(no pip\)\); the run goes on with transformers 5\.18\.0$/,
  );
  assert.equal(versionsOffer([], [], '3.11.7'), undefined);
});
