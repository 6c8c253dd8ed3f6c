import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseSpecText, validateSpec } from '../../src/core/spec/spec';
import { loadSpecFile } from '../../src/workflow/specFile';
import { UserError } from '../../src/core/errors';

const example = path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json');

test('the example spec reproduces the notebook cell', async () => {
  const spec = await loadSpecFile(example);
  assert.equal(spec.dataset.source, 'dair-ai/emotion');
  assert.equal(spec.dataset.config, 'split');
  assert.deepEqual(spec.dataset.splits, { train: 'train', test: 'test' });
  assert.equal(spec.dataset.padding, 'max_length');
  assert.equal(spec.dataset.s3Prefix, 'samples/datasets/emotion');
  assert.deepEqual(spec.training.hyperparameters, {
    epochs: 4,
    train_batch_size: 24,
    eval_batch_size: 32,
    learning_rate: 3e-5,
    model_id: 'bert-base-uncased',
    fp16: true,
  });
  assert.equal(spec.training.instanceType, 'ml.p3.2xlarge');
  assert.equal(spec.training.instanceCount, 1);
  assert.equal(spec.training.compiler, 'training-compiler');
  assert.equal(spec.training.transformersVersion, '4.11.0');
  assert.equal(spec.training.pytorchVersion, '1.9.0');
  assert.equal(spec.training.pyVersion, 'py38');
  assert.equal(spec.training.disableProfiler, true);
  assert.equal(spec.training.debuggerHookConfig, false);
  assert.equal(spec.training.baseJobName, 'training-compiler-bert-base-uncased-emotion');
  assert.deepEqual(spec.deploy, { instanceType: 'ml.g4dn.xlarge', initialInstanceCount: 1 });
  assert.equal(spec.training.sourceDir, path.resolve(path.dirname(example), '../training-scripts'));
  assert.equal(spec.training.volumeSizeInGB, 30, 'schema default filled');
  assert.equal(spec.training.maxRuntimeInSeconds, 86400, 'schema default filled');
});

function minimal(): Record<string, any> {
  return {
    version: 1,
    dataset: { source: 'dair-ai/emotion', splits: { train: 'train' }, tokenizer: 'bert-base-uncased' },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge' },
  };
}

test('defaults are filled for a minimal spec', () => {
  const s = validateSpec(minimal());
  assert.equal(s.dataset.padding, 'max_length');
  assert.equal(s.dataset.maxLength, 512);
  assert.equal(s.dataset.textColumn, 'text');
  assert.equal(s.dataset.labelColumn, 'label');
  assert.equal(s.training.compiler, 'none');
  assert.equal(s.deploy.instanceType, 'ml.g4dn.xlarge');
});

const bad: [string, (s: Record<string, any>) => void, RegExp][] = [
  ['missing field', (s) => delete s.training.entryPoint, /training\.entryPoint is required/],
  ['unknown field', (s) => (s.training.instanceTyp = 'x'), /training\.instanceTyp is not a known field/],
  [
    'bad enum',
    (s) => (s.dataset.padding = 'longest'),
    /dataset\.padding must be one of "max_length", "auto", "dynamic"/,
  ],
  ['wrong type', (s) => (s.training.instanceCount = '1'), /training\.instanceCount must be integer/],
  ['too small', (s) => (s.training.instanceCount = 0), /training\.instanceCount must be >= 1/],
  ['bad version', (s) => (s.version = 2), /version must be 1/],
  ['bad instance type', (s) => (s.training.instanceType = 'p3.2xlarge'), /training\.instanceType must match pattern/],
  ['bad source', (s) => (s.dataset.source = { train: 'data.txt' }), /dataset\.source/],
  [
    'split without file',
    (s) => (s.dataset.source = { validation: 'v.jsonl' }),
    /dataset\.splits\.train: split 'train' of channel 'train' has no file/,
  ],
];
for (const [name, mutate, re] of bad) {
  test(`invalid spec names the field: ${name}`, () => {
    const s = minimal();
    mutate(s);
    assert.throws(
      () => validateSpec(s, '/x/my.sagemaker-hf.json'),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, re);
        return true;
      },
    );
  });
}

test('JSON syntax errors give line and column', () => {
  const text = '{\n  "version": 1,\n  "dataset": {,\n}';
  assert.throws(
    () => parseSpecText(text, '/tmp/x.sagemaker-hf.json'),
    /x\.sagemaker-hf\.json: not valid JSON at line 3, column 15/,
  );
});

test('local paths resolve against the spec folder', () => {
  const s = minimal();
  s.dataset.source = { train: 'data/train.jsonl' };
  s.dataset.tokenizer = './tok';
  s.training.hyperparameters = { model_id: '../models/tiny' };
  const spec = parseSpecText(JSON.stringify(s), '/work/proj/a.sagemaker-hf.json');
  assert.deepEqual(spec.dataset.source, { train: '/work/proj/data/train.jsonl' });
  assert.equal(spec.dataset.tokenizer, '/work/proj/tok');
  assert.equal(spec.training.hyperparameters.model_id, '/work/models/tiny');
  assert.equal(spec.training.sourceDir, '/work/proj');
});
