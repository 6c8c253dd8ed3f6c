import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  SCAFFOLD_SCRIPT_FILES,
  SCAFFOLD_SOURCE_DIR,
  scaffoldSpecText,
  scriptFilesToCopy,
  SCAFFOLD_HUB_SOURCE,
  withLocalSource,
} from '../../src/core/spec/specScaffold';
import { loadSpecFile } from '../../src/workflow/specFile';

const repo = path.resolve(__dirname, '../../..');
const exampleText = fs.readFileSync(path.join(repo, 'examples/emotion.sagemaker-hf.json'), 'utf8');

test('the scaffolded spec has no $schema and a sourceDir relative to the spec', () => {
  const text = scaffoldSpecText(exampleText);
  const spec = JSON.parse(text);
  assert.equal(spec.$schema, undefined);
  assert.equal(spec.training.sourceDir, 'training-scripts');
  assert.doesNotMatch(text, /schemas|\.\.\//, 'a path outside the workspace is left in the spec');
  // Only those two lines change: the rest keeps the example's layout and number spellings.
  const removed = exampleText.split('\n').filter((l) => !text.split('\n').includes(l));
  assert.deepEqual(
    removed.map((l) => l.trim()),
    ['"$schema": "../schemas/sagemaker-hf.schema.json",', '"sourceDir": "../training-scripts",'],
  );
  assert.match(text, /"learning_rate": 3e-5/);
});

test('a scaffolded spec with the scripts copied beside it loads and points at the copied train.py', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-scaffold-'));
  try {
    for (const f of scriptFilesToCopy(() => false)) {
      fs.mkdirSync(path.join(dir, SCAFFOLD_SOURCE_DIR), { recursive: true });
      fs.copyFileSync(path.join(repo, 'training-scripts', f), path.join(dir, SCAFFOLD_SOURCE_DIR, f));
    }
    fs.writeFileSync(path.join(dir, 'new.sagemaker-hf.json'), scaffoldSpecText(exampleText));
    const spec = await loadSpecFile(path.join(dir, 'new.sagemaker-hf.json'));
    assert.equal(spec.training.sourceDir, path.join(dir, 'training-scripts'));
    assert.ok(fs.existsSync(path.join(spec.training.sourceDir, spec.training.entryPoint)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('script files already in the workspace are never overwritten', () => {
  assert.deepEqual(SCAFFOLD_SCRIPT_FILES, ['train.py', 'requirements.txt']);
  assert.deepEqual(
    scriptFilesToCopy(() => false),
    ['train.py', 'requirements.txt'],
  );
  assert.deepEqual(
    scriptFilesToCopy((f) => f === 'train.py'),
    ['requirements.txt'],
  );
  assert.deepEqual(
    scriptFilesToCopy(() => true),
    [],
  );
});

test('an example without the lines to rewrite is an error, not a spec pointing elsewhere', () => {
  assert.throws(() => scaffoldSpecText('{ "version": 1, "training": { "entryPoint": "train.py" } }'), /sourceDir/);
});

test('local files instead of the Hub: source is split -> file relative to the spec, no config, one channel per split', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-local-'));
  try {
    // The picker names the example's Hub dataset as the other choice.
    assert.equal(JSON.parse(exampleText).dataset.source, SCAFFOLD_HUB_SOURCE);
    const text = withLocalSource(scaffoldSpecText(exampleText), { train: 'data/train.jsonl', test: 'data/test.csv' });
    assert.match(text, /"source": \{ "train": "data\/train\.jsonl", "test": "data\/test\.csv" \}/);
    assert.doesNotMatch(text, /"config"|dair-ai/);
    assert.match(text, /"learning_rate": 3e-5/);
    fs.writeFileSync(path.join(dir, 'local.sagemaker-hf.json'), text);
    const spec = await loadSpecFile(path.join(dir, 'local.sagemaker-hf.json'));
    assert.deepEqual(spec.dataset.source, {
      train: path.join(dir, 'data', 'train.jsonl'),
      test: path.join(dir, 'data', 'test.csv'),
    });
    assert.deepEqual(spec.dataset.splits, { train: 'train', test: 'test' });
    assert.equal(JSON.parse(text).dataset.config, undefined);
    assert.deepEqual(JSON.parse(withLocalSource(scaffoldSpecText(exampleText), { train: 'a.jsonl' })).dataset.splits, {
      train: 'train',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
