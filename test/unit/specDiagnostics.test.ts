// In the editor: a spec with several instances and no distribution gets a warning on
// "instanceCount" (the SDK's text where the SDK warns) and a quick fix that adds the distribution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NO_DISTRIBUTION, START_CHECK, specProblems } from '../../src/core/spec/specDiagnostics';
import { validateTraining } from '../../src/core/training/trainingValidation';
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
    .replace('"compiler": "training-compiler"', '"compiler": "torch-compile"')
    // torch.compile needs a PyTorch 2.x image: without versions, the newest.
    .replace(/\n\s*"(transformers|pytorch|py)Version": "[^"]+",/g, '');
  const [p, ...rest] = specProblems(text);
  assert.deepEqual(rest, []);
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

test('the checks Start runs: an instance-type typo and a spot wait below the runtime, each on its field', () => {
  const text = exampleText
    .replace('"ml.p3.2xlarge"', '"ml.p3.2xlarg"')
    .replace(
      '"instanceCount": 1,',
      '"instanceCount": 1,\n    "maxRuntimeInSeconds": 3600,\n    "spot": { "maxWaitSeconds": 600 },',
    );
  const problems = specProblems(text);
  assert.deepEqual(
    problems.map((p) => [text.slice(p.start, p.end), p.severity, p.code]),
    [
      ['"instanceType": "ml.p3.2xlarg"', 'error', START_CHECK],
      ['"maxWaitSeconds": 600', 'error', START_CHECK],
    ],
  );
  assert.equal(
    problems[0]!.message,
    "'ml.p3.2xlarg' is not a SageMaker training instance type; did you mean ml.p3.2xlarge?",
  );
  assert.match(
    problems[1]!.message,
    /^600 is less than training.maxRuntimeInSeconds \(3600\).*set maxWaitSeconds to at least 3600/,
  );
  // The same text refused by the checks Start runs, with the same words.
  const spec = parseSpecText(text, '/p/x.sagemaker-hf.json');
  assert.throws(() => validateTraining(spec, 'us-east-1'), /did you mean ml\.p3\.2xlarge\?/);
});

test('a deploy instance-type typo and a split without a file are errors; schema errors are left to jsonValidation', () => {
  const deploy = exampleText.replace(/("deploy"[\s\S]*?"instanceType": )"[^"]+"/, '$1"ml.g4dn.xlarg"');
  const [p] = specProblems(deploy);
  assert.equal(deploy.slice(p!.start, p!.end), '"instanceType": "ml.g4dn.xlarg"');
  assert.match(p!.message, /endpoint instance type; did you mean ml\.g4dn\.xlarge\?/);
  assert.ok(p!.start > deploy.indexOf('"deploy"'));
  const split = exampleText.replace('"dair-ai/emotion"', '{ "train": "train.jsonl" }');
  const [q] = specProblems(split);
  assert.equal(split.slice(q!.start, q!.end), '"test": "test"');
  assert.match(q!.message, /^split 'test' of channel 'test' has no file in dataset.source \(it has: train\)/);
  const schemaBroken = exampleText.replace('"ml.p3.2xlarge"', '42');
  assert.deepEqual(specProblems(schemaBroken), []);
});
