// The differences found between our requests and SageMaker Python SDK v2.257.6's, each pinned
// to the SDK's behaviour. Expected hyperparameter strings are what CPython 3.11 prints for
// json.dumps(json.loads(text)) -- the spec is JSON read the way the notebook's json.load reads it, and
// Framework.hyperparameters() sends json.dumps of every value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseSpecText } from '../../src/core/spec/spec';
import { loadSpecFile } from '../../src/workflow/specFile';
import { buildTrainingRequest } from '../../src/core/training/trainingRequest';
import { UserError } from '../../src/core/errors';

const example = path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json');
const ctx = {
  account: '111122223333',
  region: 'us-east-1',
  bucket: 'sagemaker-us-east-1-111122223333',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  now: new Date(Date.UTC(2021, 11, 3, 16, 34, 50, 123)),
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
  ['100.0', '100.0'],
  ['1.0', '1.0'],
  ['-0.0', '-0.0'],
  ['1e15', '1000000000000000.0'],
  ['1E5', '100000.0'],
  ['2.5E+3', '2500.0'],
  ['9007199254740993', '9007199254740993'],
  ['100000000000000000000', '100000000000000000000'],
  ['-9223372036854775808', '-9223372036854775808'],
  ['1e16', '1e+16'],
  ['3e-5', '3e-05'],
  ['0.1', '0.1'],
  ['-0', '0'],
  ['1e400', 'Infinity'],
  ['-1e400', '-Infinity'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['-Infinity', '-Infinity'],
  ['1.5e300', '1.5e+300'],
  ['123456789012345678901234567890.0', '1.2345678901234568e+29'],
  ['0.000001', '1e-06'],
  ['1e-7', '1e-07'],
  ['5e-324', '5e-324'],
  ['4', '4'],
];

test('1. numbers in hyperparameters keep their Python meaning (int vs float, exact big ints, repr)', async () => {
  const hp = `{ ${NUMBERS.map(([t], i) => `"n${i}": ${t}`).join(', ')} }`;
  const { request } = buildTrainingRequest(await specWithHyperparameters(hp), ctx);
  NUMBERS.forEach(([t, want], i) => assert.equal(request.HyperParameters![`n${i}`], want, `${t} -> ${want}`));
});

test('1. numbers nested in lists and dicts too', async () => {
  const { request } = buildTrainingRequest(
    await specWithHyperparameters('{ "a": [1.0, {"b": 2, "c": [1e15, -0.0, 9007199254740993]}] }'),
    ctx,
  );
  assert.equal(request.HyperParameters!['a'], '[1.0, {"b": 2, "c": [1000000000000000.0, -0.0, 9007199254740993]}]');
});

test('1. the rest of the spec is plain JSON: schema checks still apply (1.0 is an integer count)', async () => {
  const { readFile } = await import('node:fs/promises');
  const text = (await readFile(example, 'utf8')).replace('"instanceCount": 1', '"instanceCount": 1.0');
  assert.equal(parseSpecText(text, '/p/x.sagemaker-hf.json').training.instanceCount, 1);
  const bad = text.replace('"instanceCount": 1.0', '"instanceCount": 1.5');
  assert.throws(() => parseSpecText(bad, '/p/x.sagemaker-hf.json'), /training\.instanceCount must be integer/);
  assert.throws(
    () => parseSpecText(text.replace('"epochs": 4,', '"epochs": 4,\n      "epochs": 5,'), '/p/x.sagemaker-hf.json'),
    /x\.sagemaker-hf\.json: not valid JSON at line \d+, column \d+: duplicate key 'epochs'/,
  );
});

test('2. dict keys keep the order they were written in', async () => {
  const { request } = buildTrainingRequest(
    await specWithHyperparameters('{ "id2label": {"1": "joy", "0": "sadness", "10": "x", "b": 1, "2": 2} }'),
    ctx,
  );
  assert.equal(request.HyperParameters!['id2label'], '{"1": "joy", "0": "sadness", "10": "x", "b": 1, "2": 2}');
});

test('11. a UTF-8 BOM before the spec is accepted (editors write one)', async () => {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(example, 'utf8');
  const spec = parseSpecText('\uFEFF' + text, '/p/x.sagemaker-hf.json');
  assert.equal(spec.training.instanceType, 'ml.p3.2xlarge');
  // Errors still point at the right line and column.
  assert.throws(
    () => parseSpecText('\uFEFF{\n  "version": 1,\n  "dataset": {,\n}', '/p/x.sagemaker-hf.json'),
    /line 3, column 15/,
  );
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
  assert.deepEqual(spec.training.hyperparameters, {
    epochs: 4,
    train_batch_size: 24,
    eval_batch_size: 32,
    learning_rate: 3e-5,
    model_id: 'bert-base-uncased',
    fp16: true,
  });
});

test('3. a baseJobName longer than 63 characters is accepted and cut as name_from_base cuts it', async () => {
  const { readFile } = await import('node:fs/promises');
  const base = 'a-very-long-base-job-name-for-the-emotion-experiment-with-bert-and-more-words'; // 77
  const text = (await readFile(example, 'utf8')).replace(
    '"training-compiler-bert-base-uncased-emotion"',
    JSON.stringify(base),
  );
  const { jobName } = buildTrainingRequest(parseSpecText(text, '/p/x.sagemaker-hf.json'), ctx);
  // name_from_base: base[: 63 - len(timestamp) - 1] + "-" + timestamp
  assert.equal(jobName, `${base.slice(0, 39)}-2021-12-03-16-34-50-123`);
  assert.equal(jobName.length, 63);
  // The pattern check stays.
  assert.throws(
    () => parseSpecText(text.replace(JSON.stringify(base), '"bad_name"'), '/p/x.sagemaker-hf.json'),
    /training\.baseJobName must match pattern/,
  );
});

test('4. short versions ("4.17" / "1.10") keep the strings as given in the inference image tag', async () => {
  const { inferenceImage, versionsFromTrainingImage } = await import('../../src/core/images/inferenceImages');
  const { readFile } = await import('node:fs/promises');
  const text = (await readFile(example, 'utf8')).replace('"4.11.0"', '"4.17"').replace('"1.9.0"', '"1.10"');
  const { request } = buildTrainingRequest(parseSpecText(text, '/p/x.sagemaker-hf.json'), ctx);
  const training = request.AlgorithmSpecification!.TrainingImage!;
  assert.match(training, /huggingface-pytorch-trcomp-training:1\.10-transformers4\.17-gpu-py38-cu113-ubuntu20\.04$/);
  const img = inferenceImage(versionsFromTrainingImage(training), 'ml.g4dn.xlarge', 'us-east-1');
  assert.equal(
    img.uri,
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.10-transformers4.17-gpu-py38-cu113-ubuntu20.04',
  );
  assert.equal(img.note, undefined);
  assert.equal(
    inferenceImage({ transformers: '4.17', pytorch: '1.10' }, 'ml.m5.xlarge', 'us-east-1').uri.split(':')[1],
    '1.10-transformers4.17-cpu-py38-ubuntu20.04',
  );
});

async function multi(edit: (t: Record<string, unknown>) => void) {
  const spec = await loadSpecFile(example);
  edit(spec.training as unknown as Record<string, unknown>);
  return buildTrainingRequest(spec, ctx);
}

test("5. multi-instance without distribution: no distribution keys (as the SDK), and the SDK's warning", async () => {
  const xla = await multi((t) => {
    t.transformersVersion = '4.21.1';
    t.pytorchVersion = '1.11.0';
    t.instanceType = 'ml.p4d.24xlarge';
    t.instanceCount = 2;
  });
  const keys = Object.keys(xla.request.HyperParameters!);
  assert.deepEqual(
    keys.filter((k) => /distributed|xla|instance_type/.test(k)),
    [],
  );
  assert.match(
    xla.validated.warnings.join('\n'),
    /Consider setting 'distribution' to 'pytorchxla' for distributed training with PyTorch >= 1\.11 and SageMaker Training Compiler enabled\./,
  );
  const plain = await multi((t) => {
    t.compiler = 'torch-compile';
    delete t.transformersVersion;
    delete t.pytorchVersion;
    delete t.pyVersion;
    t.instanceType = 'ml.g5.12xlarge';
    t.instanceCount = 2;
  });
  assert.deepEqual(
    Object.keys(plain.request.HyperParameters!).filter((k) => /distributed|xla|instance_type/.test(k)),
    [],
  );
  assert.match(plain.validated.warnings.join('\n'), /"distribution": "torch_distributed"/);
  // With distribution set, what _huggingface_distribution_configuration sends.
  const ddp = await multi((t) => {
    t.compiler = 'torch-compile';
    delete t.transformersVersion;
    delete t.pytorchVersion;
    delete t.pyVersion;
    t.instanceType = 'ml.g5.12xlarge';
    t.instanceCount = 2;
    t.distribution = 'torch_distributed';
  });
  assert.equal(ddp.request.HyperParameters!['sagemaker_torch_distributed_enabled'], 'true');
  assert.equal(ddp.request.HyperParameters!['sagemaker_instance_type'], '"ml.g5.12xlarge"');
});

test('6. compilerDebug is TrainingCompilerConfig(debug=True): debug mode "true" and the SDK\'s warning', async () => {
  const on = await multi((t) => {
    t.compilerDebug = true;
  });
  assert.equal(on.request.HyperParameters!['sagemaker_training_compiler_debug_mode'], 'true');
  assert.equal(on.request.HyperParameters!['sagemaker_training_compiler_enabled'], 'true');
  assert.match(
    on.validated.warnings.join('\n'),
    /debugging is enabled.*\/opt\/ml\/output\/data\/compiler\/.*might impair training performance/i,
  );
  const off = await multi(() => undefined);
  assert.equal(off.request.HyperParameters!['sagemaker_training_compiler_debug_mode'], 'false');
  await assert.rejects(
    multi((t) => {
      t.compilerDebug = true;
      t.compiler = 'torch-compile';
      delete t.transformersVersion;
      delete t.pytorchVersion;
      delete t.pyVersion;
    }),
    /training\.compilerDebug: only applies to compiler "training-compiler"/,
  );
});

test("7. where SDK v2's catalogue ends, the image chosen and why are said", async () => {
  const { inferenceImage } = await import('../../src/core/images/inferenceImages');
  const late = inferenceImage({ transformers: '4.21.1', pytorch: '1.11.0' }, 'ml.g4dn.xlarge', 'us-east-1');
  assert.equal(
    late.note,
    'SDK v2 has no inference image for transformers 4.21.1 / PyTorch 1.11.0 (its deploy() would fail); using transformers 4.26.0 / PyTorch 1.13.1, the nearest newer',
  );
  const torchCompileDefault = inferenceImage({ transformers: '4.56.2', pytorch: '2.8.0' }, 'ml.g5.xlarge', 'us-east-1');
  assert.match(
    torchCompileDefault.note ?? '',
    /^SDK v2 has no inference image for transformers 4\.56\.2 \/ PyTorch 2\.8\.0/,
  );
  const v5 = await multi((t) => {
    t.compiler = 'torch-compile';
    t.transformersVersion = '5.3.0';
    t.pytorchVersion = '2.9.0';
    delete t.pyVersion;
    t.instanceType = 'ml.g5.xlarge';
  });
  assert.match(
    v5.validated.notes.join('\n'),
    /transformers 5\.3\.0 \/ PyTorch 2\.9\.0: newer than SDK v2's catalogue, which ends at transformers 4\.56\.2/,
  );
  const inV2 = await multi((t) => {
    t.compiler = 'torch-compile';
    delete t.transformersVersion;
    delete t.pytorchVersion;
    delete t.pyVersion;
    t.instanceType = 'ml.g5.xlarge';
  });
  assert.deepEqual(inV2.validated.notes, []);
});
