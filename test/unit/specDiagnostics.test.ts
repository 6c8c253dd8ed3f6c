// In the editor: a spec with several instances and no distribution gets a warning on
// "instanceCount" (the SDK's text where the SDK warns) and a quick fix that adds the distribution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NO_DISTRIBUTION, specProblems } from '../../src/core/spec/specDiagnostics';
import { parseSpecText } from '../../src/core/spec/spec';

const exampleText = fs.readFileSync(path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json'), 'utf8');

function apply(text: string, fix: { offset: number; insert: string }): string {
  return text.slice(0, fix.offset) + fix.insert + text.slice(fix.offset);
}

test('Training Compiler 1.11 on two instances: the SDK warning on instanceCount, quick fix adds pytorchxla', () => {
  const text = exampleText
    .replace('"instanceCount": 1', '"instanceCount": 2')
    .replace('"4.11.0"', '"4.21.1"')
    .replace('"1.9.0"', '"1.11.0"')
    .replace('"ml.p3.2xlarge"', '"ml.p4d.24xlarge"');
  const [p, ...rest] = specProblems(text);
  assert.equal(rest.length, 0);
  assert.equal(p!.code, NO_DISTRIBUTION);
  assert.equal(text.slice(p!.start, p!.end), '"instanceCount": 2');
  assert.match(p!.message, /Consider setting 'distribution' to 'pytorchxla'/);
  assert.equal(p!.fix!.title, 'Add "distribution": "pytorchxla"');
  const fixed = apply(text, p!.fix!);
  assert.match(fixed, /\n {4}"instanceCount": 2,\n {4}"distribution": "pytorchxla",\n/);
  assert.deepEqual(specProblems(fixed), []);
  // The fixed spec is valid and sends the pytorchxla key.
  assert.equal(parseSpecText(fixed, '/p/x.sagemaker-hf.json').training.distribution, 'pytorchxla');
});

test('torch-compile on two instances: quick fix adds torch_distributed; one instance or a distribution: nothing', () => {
  const text = exampleText
    .replace('"instanceCount": 1', '"instanceCount": 2')
    .replace('"compiler": "training-compiler"', '"compiler": "torch-compile"');
  const [p] = specProblems(text);
  assert.equal(p!.fix!.title, 'Add "distribution": "torch_distributed"');
  assert.deepEqual(specProblems(exampleText), []);
  assert.deepEqual(specProblems(apply(text, p!.fix!)), []);
});

test('Training Compiler before PyTorch 1.11 on two instances: a warning without a quick fix; broken JSON: nothing', () => {
  const text = exampleText.replace('"instanceCount": 1', '"instanceCount": 2');
  const [p] = specProblems(text);
  assert.match(p!.message, /launcher script/);
  assert.equal(p!.fix, undefined);
  assert.deepEqual(specProblems('{ "training": { "instanceCount": 2, '), []);
});
