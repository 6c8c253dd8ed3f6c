// Activation stays lazy: requiring the built dist/extension.js and running its activate() must not load
// dist/heavy.js (the AWS SDK, the tokenizer, Arrow, the workflow code), which costs ~200 ms. A module-level
// value of src/extension computed from a core or workflow import (a Set built from a core constant, a
// class extending a core class) loads it; the e2e layer sees that too, this says so in seconds.
import { fakeContext } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const dist = path.join(repo, 'dist');

const loadedBundles = () =>
  Object.keys(require.cache)
    .filter((k) => path.dirname(k) === dist)
    .map((k) => path.basename(k))
    .sort()
    .join('+');

test('require(dist/extension.js) and activate() load no dist/heavy.js', () => {
  const main = path.join(dist, 'extension.js');
  assert.ok(fs.existsSync(main), `${main} is missing: npm run build first`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, as VS Code loads it
  const ext = require(main) as { activate(ctx: unknown): unknown };
  assert.equal(loadedBundles(), 'extension.js', 'loaded by require(extension.js)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-activation-'));
  try {
    ext.activate(fakeContext(dir));
    assert.equal(loadedBundles(), 'extension.js', 'loaded by activate()');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
