// Issue 12: the differences found between our requests and SageMaker Python SDK v2.257.6's, each pinned
// to the SDK's behaviour. Expected hyperparameter strings are what CPython 3.11 prints for
// json.dumps(json.loads(text)) -- the spec is JSON read the way the notebook's json.load reads it, and
// Framework.hyperparameters() sends json.dumps of every value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadSpecFile, parseSpecText } from '../../src/core/spec';
import { buildTrainingRequest } from '../../src/core/trainingRequest';
import { UserError } from '../../src/core/errors';

const example = path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json');
const ctx = {
  account: '111122223333', region: 'us-east-1', bucket: 'sagemaker-us-east-1-111122223333',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole', now: new Date(Date.UTC(2021, 11, 3, 16, 34, 50, 123)),
};

/** The example spec's text with other hyperparameters, written as source text (not as JS values). */
async function specWithHyperparameters(hpText: string, file = '/work/proj/x.sagemaker-hf.json') {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(example, 'utf8');
  const edited = text.replace(/"hyperparameters": \{[^}]*\}/, `"hyperparameters": ${hpText}`);
  assert.notEqual(edited, text);
  return parseSpecText(edited, file);
}

// text as written in the spec -> json.dumps(json.loads(text)) (CPython 3.11)
const NUMBERS: [string, string][] = [
  ['100.0', '100.0'], ['1.0', '1.0'], ['-0.0', '-0.0'], ['1e15', '1000000000000000.0'], ['1E5', '100000.0'],
  ['2.5E+3', '2500.0'], ['9007199254740993', '9007199254740993'], ['100000000000000000000', '100000000000000000000'],
  ['-9223372036854775808', '-9223372036854775808'], ['1e16', '1e+16'], ['3e-5', '3e-05'], ['0.1', '0.1'],
  ['-0', '0'], ['1e400', 'Infinity'], ['-1e400', '-Infinity'], ['NaN', 'NaN'], ['Infinity', 'Infinity'],
  ['-Infinity', '-Infinity'], ['1.5e300', '1.5e+300'], ['123456789012345678901234567890.0', '1.2345678901234568e+29'],
  ['0.000001', '1e-06'], ['1e-7', '1e-07'], ['5e-324', '5e-324'], ['4', '4'],
];

test('1. numbers in hyperparameters keep their Python meaning (int vs float, exact big ints, repr)', async () => {
  const hp = `{ ${NUMBERS.map(([t], i) => `"n${i}": ${t}`).join(', ')} }`;
  const { request } = buildTrainingRequest(await specWithHyperparameters(hp), ctx);
  NUMBERS.forEach(([t, want], i) => assert.equal(request.HyperParameters![`n${i}`], want, `${t} -> ${want}`));
});

test('1. numbers nested in lists and dicts too', async () => {
  const { request } = buildTrainingRequest(await specWithHyperparameters('{ "a": [1.0, {"b": 2, "c": [1e15, -0.0, 9007199254740993]}] }'), ctx);
  assert.equal(request.HyperParameters!['a'], '[1.0, {"b": 2, "c": [1000000000000000.0, -0.0, 9007199254740993]}]');
});

test('1. the rest of the spec is plain JSON: schema checks still apply (1.0 is an integer count)', async () => {
  const { readFile } = await import('node:fs/promises');
  const text = (await readFile(example, 'utf8')).replace('"instanceCount": 1', '"instanceCount": 1.0');
  assert.equal(parseSpecText(text, '/p/x.sagemaker-hf.json').training.instanceCount, 1);
  const bad = text.replace('"instanceCount": 1.0', '"instanceCount": 1.5');
  assert.throws(() => parseSpecText(bad, '/p/x.sagemaker-hf.json'), /training\.instanceCount must be integer/);
  assert.throws(() => parseSpecText(text.replace('"epochs": 4,', '"epochs": 4,\n      "epochs": 5,'), '/p/x.sagemaker-hf.json'), /x\.sagemaker-hf\.json: not valid JSON at line \d+, column \d+: duplicate key 'epochs'/);
});

test('2. dict keys keep the order they were written in', async () => {
  const { request } = buildTrainingRequest(await specWithHyperparameters('{ "id2label": {"1": "joy", "0": "sadness", "10": "x", "b": 1, "2": 2} }'), ctx);
  assert.equal(request.HyperParameters!['id2label'], '{"1": "joy", "0": "sadness", "10": "x", "b": 1, "2": 2}');
});

test('11. a UTF-8 BOM before the spec is accepted (editors write one)', async () => {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(example, 'utf8');
  const spec = parseSpecText('\uFEFF' + text, '/p/x.sagemaker-hf.json');
  assert.equal(spec.training.instanceType, 'ml.p3.2xlarge');
  // Errors still point at the right line and column.
  assert.throws(() => parseSpecText('\uFEFF{\n  "version": 1,\n  "dataset": {,\n}', '/p/x.sagemaker-hf.json'), /line 3, column 15/);
});

test('11. a 5,000-level-deep hyperparameter is a clear error naming the field, not a stack overflow', async () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  await assert.rejects(specWithHyperparameters(`{ "epochs": 1, "deep": ${deep} }`), (err: unknown) => {
    assert.ok(err instanceof UserError, String(err));
    assert.match(err.message, /training\.hyperparameters\.deep is nested more than 512 levels deep \(line \d+\)/);
    assert.equal(err.field, 'training.hyperparameters.deep');
    return true;
  });
});

test('11. ~/ in spec paths is the home folder', async () => {
  const os = await import('node:os');
  const spec = await specWithHyperparameters('{ "model_id": "~/models/bert" }');
  assert.equal(spec.training.hyperparameters['model_id'], path.join(os.homedir(), 'models/bert'));
  const { readFile } = await import('node:fs/promises');
  const text = (await readFile(example, 'utf8')).replace('"../training-scripts"', '"~/scripts"');
  assert.equal(parseSpecText(text, '/p/x.sagemaker-hf.json').training.sourceDir, path.join(os.homedir(), 'scripts'));
});

test('example spec unchanged by the lossless reading', async () => {
  const spec = await loadSpecFile(example);
  assert.deepEqual(spec.training.hyperparameters, { epochs: 4, train_batch_size: 24, eval_batch_size: 32, learning_rate: 3e-5, model_id: 'bert-base-uncased', fp16: true });
});
