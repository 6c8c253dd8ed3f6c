// Where "Use auto" writes its choice into a spec file: dataset.padding's value (only that one, not a
// padding key elsewhere), or the start of the dataset object when the key is missing.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { datasetPaddingSpan } from '../../src/core/dataset/padding';

const apply = (text: string, padding: string): string => {
  const span = datasetPaddingSpan(text);
  assert.ok(span, 'a dataset object was found');
  if ('value' in span) return text.slice(0, span.value[0]) + JSON.stringify(padding) + text.slice(span.value[1]);
  return text.slice(0, span.insertAt) + ` "padding": ${JSON.stringify(padding)},` + text.slice(span.insertAt);
};

test('the example spec: max_length becomes auto, nothing else changes', () => {
  const text = readFileSync(path.join(__dirname, '../../../examples/emotion.sagemaker-hf.json'), 'utf8');
  const out = apply(text, 'auto');
  const before = JSON.parse(text),
    after = JSON.parse(out);
  assert.equal(after.dataset.padding, 'auto');
  assert.notEqual(before.dataset.padding, 'auto');
  after.dataset.padding = before.dataset.padding;
  assert.deepEqual(after, before);
  assert.equal(out.split('\n').length, text.split('\n').length, 'the file keeps its lines');
});

test('a padding key outside dataset (hyperparameters, a nested source) is left alone', () => {
  const text =
    '{"training": {"hyperparameters": {"padding": "x"}}, "dataset": {"source": {"padding": "y"}, "padding": "dynamic", "maxLength": 64}}';
  const after = JSON.parse(apply(text, 'auto'));
  assert.equal(after.dataset.padding, 'auto');
  assert.equal(after.training.hyperparameters.padding, 'x');
  assert.equal(after.dataset.source.padding, 'y');
});

test('no padding key: inserted at the start of dataset; strings with braces and escapes do not confuse it', () => {
  const text = '{"note": "a } brace and \\" quote", "dataset": {"textColumn": "te{xt"}}';
  const after = JSON.parse(apply(text, 'auto'));
  assert.deepEqual(after.dataset, { padding: 'auto', textColumn: 'te{xt' });
  assert.equal(after.note, 'a } brace and " quote');
});

test('no dataset object: undefined (the caller says so instead of editing)', () => {
  assert.equal(datasetPaddingSpan('{"training": {"padding": "auto"}}'), undefined);
  assert.equal(datasetPaddingSpan('{"dataset": "not an object"}'), undefined);
});
