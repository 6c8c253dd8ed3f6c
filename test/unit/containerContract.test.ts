import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  containerInvocation,
  decodeHyperparameters,
  pyFloatRepr,
  pyJsonCompact,
  PyFloat,
  pyStr,
  toCmdArgs,
  splitHyperparameters,
  type ContainerLayout,
} from '../../src/core/training/containerContract';

// The notebook's HyperParameters as CreateTrainingJob carries them (training-request note §1.1).
const NOTEBOOK_REQUEST_HPS = {
  epochs: '4',
  train_batch_size: '24',
  eval_batch_size: '32',
  learning_rate: '3e-05',
  model_id: '"bert-base-uncased"',
  fp16: 'true',
  sagemaker_submit_directory: '"s3://sagemaker-us-east-1-111122223333/job/source/sourcedir.tar.gz"',
  sagemaker_program: '"train.py"',
  sagemaker_container_log_level: '20',
  sagemaker_job_name: '"training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123"',
  sagemaker_region: '"us-east-1"',
  sagemaker_training_compiler_enabled: 'true',
  sagemaker_training_compiler_debug_mode: 'false',
};

const layout: ContainerLayout = {
  channels: { train: '/opt/ml/input/data/train', test: '/opt/ml/input/data/test' },
  modelDir: '/opt/ml/model',
  outputDir: '/opt/ml/output',
  outputDataDir: '/opt/ml/output/data',
  outputIntermediateDir: '/opt/ml/output/intermediate',
  inputDir: '/opt/ml/input',
  inputConfigDir: '/opt/ml/input/config',
  moduleDir: 's3://bucket/job/source/sourcedir.tar.gz',
  entryPoint: 'train.py',
  jobName: 'job-1',
  numGpus: 1,
  numCpus: 8,
};

test('the notebook request gives exactly the arguments the toolkit passes to train.py', () => {
  const inv = containerInvocation(decodeHyperparameters(NOTEBOOK_REQUEST_HPS), layout);
  assert.equal(
    ['python', 'train.py', ...inv.args].join(' '),
    'python train.py --epochs 4 --eval_batch_size 32 --fp16 True --learning_rate 3e-05 --model_id bert-base-uncased --train_batch_size 24',
  );
});

test('spec values (already decoded) give the same arguments as the encoded request', () => {
  const spec = {
    epochs: 4,
    train_batch_size: 24,
    eval_batch_size: 32,
    learning_rate: 3e-5,
    model_id: 'bert-base-uncased',
    fp16: true,
  };
  assert.deepEqual(
    containerInvocation(spec, layout).args,
    containerInvocation(decodeHyperparameters(NOTEBOOK_REQUEST_HPS), layout).args,
  );
});

test('the SM_* environment matches the toolkit for the notebook job', () => {
  const { env } = containerInvocation(decodeHyperparameters(NOTEBOOK_REQUEST_HPS), layout);
  assert.equal(env.SM_CHANNELS, '["test","train"]');
  assert.equal(env.SM_CHANNEL_TRAIN, '/opt/ml/input/data/train');
  assert.equal(env.SM_CHANNEL_TEST, '/opt/ml/input/data/test');
  assert.equal(env.SM_HOSTS, '["algo-1"]');
  assert.equal(env.SM_CURRENT_HOST, 'algo-1');
  assert.equal(env.SM_MODEL_DIR, '/opt/ml/model');
  assert.equal(env.SM_OUTPUT_DATA_DIR, '/opt/ml/output/data');
  assert.equal(env.SM_OUTPUT_DIR, '/opt/ml/output');
  assert.equal(env.SM_INPUT_DIR, '/opt/ml/input');
  assert.equal(env.SM_NUM_GPUS, '1');
  assert.equal(env.SM_NUM_CPUS, '8');
  assert.equal(env.SM_LOG_LEVEL, '20');
  assert.equal(env.SM_MODULE_NAME, 'train');
  assert.equal(env.SM_USER_ENTRY_POINT, 'train.py');
  assert.equal(env.SM_HP_EPOCHS, '4');
  assert.equal(env.SM_HP_LEARNING_RATE, '3e-05');
  assert.equal(env.SM_HP_MODEL_ID, 'bert-base-uncased');
  assert.equal(env.SM_HP_FP16, 'true');
  assert.equal(
    env.SM_FRAMEWORK_PARAMS,
    '{"sagemaker_training_compiler_debug_mode":false,"sagemaker_training_compiler_enabled":true}',
  );
  assert.equal(
    env.SM_HPS,
    '{"epochs":4,"eval_batch_size":32,"fp16":true,"learning_rate":3e-05,"model_id":"bert-base-uncased","train_batch_size":24}',
  );
  assert.deepEqual(JSON.parse(env.SM_USER_ARGS!), [
    '--epochs',
    '4',
    '--eval_batch_size',
    '32',
    '--fp16',
    'True',
    '--learning_rate',
    '3e-05',
    '--model_id',
    'bert-base-uncased',
    '--train_batch_size',
    '24',
  ]);
  const training = JSON.parse(env.SM_TRAINING_ENV!);
  assert.equal(training.job_name, 'job-1');
  assert.deepEqual(training.channel_input_dirs, layout.channels);
  assert.equal(training.hyperparameters.sagemaker_program, undefined, 'no sagemaker_* key among user hyperparameters');
  for (const k of Object.keys(env)) assert.ok(!k.startsWith('SM_HP_SAGEMAKER'), `${k} must not be set`);
});

test('sagemaker_* keys are kept out of the arguments; reserved ones are not framework params', () => {
  const { user, framework } = splitHyperparameters(decodeHyperparameters(NOTEBOOK_REQUEST_HPS));
  assert.deepEqual(Object.keys(user).sort(), [
    'epochs',
    'eval_batch_size',
    'fp16',
    'learning_rate',
    'model_id',
    'train_batch_size',
  ]);
  assert.deepEqual(framework, {
    sagemaker_training_compiler_enabled: true,
    sagemaker_training_compiler_debug_mode: false,
  });
});

test('Python str() of decoded values: bools, None, floats, lists, dicts; single-char keys', () => {
  assert.deepEqual(
    toCmdArgs({
      b: false,
      n: null,
      f: new PyFloat(4),
      lr: 1e-5,
      big: 1e16,
      small: 0.0001,
      list: [1, 'a', true],
      d: { z: 1, a: 'x' },
    }),
    [
      '-b',
      'False',
      '--big',
      '10000000000000000',
      '-d',
      'a=x,z=1',
      '-f',
      '4.0',
      '--list',
      "[1, 'a', True]",
      '--lr',
      '1e-05',
      '-n',
      '',
      '--small',
      '0.0001',
    ],
  );
  assert.equal(pyStr({ a: [1.5, null] }), "{'a': [1.5, None]}");
});

test('float repr follows Python', () => {
  const cases: [number, string][] = [
    [3e-5, '3e-05'],
    [0.0001, '0.0001'],
    [0.5, '0.5'],
    [1.5e16, '1.5e+16'],
    [123.456, '123.456'],
    [-2.5e-7, '-2.5e-07'],
    [1e100, '1e+100'],
    [0.1 + 0.2, '0.30000000000000004'],
  ];
  for (const [x, want] of cases) assert.equal(pyFloatRepr(x), want, String(x));
});

test('decoding: JSON where it parses, the raw string otherwise; 4.0 stays a float', () => {
  const d = decodeHyperparameters({ a: 'not json', b: '4.0', c: '"4"', e: '{"k": [1, 2]}' });
  assert.equal(d.a, 'not json');
  assert.ok(d.b instanceof PyFloat);
  assert.deepEqual(toCmdArgs(d), ['-a', 'not json', '-b', '4.0', '-c', '4', '-e', 'k=[1, 2]']);
  assert.equal(pyJsonCompact('é'), '"\\u00e9"');
});

test('every variable the training toolkit sets for a Training Compiler job, as its own Environment() sets it', () => {
  // test/fixtures/toolkit-environment.json: Environment().to_env_vars() of the toolkit's source run on a
  // local job folder of this spec with training-compiler (test/tools/toolkit_env.py), paths as /opt/ml.
  const table = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'toolkit-environment.json'), 'utf8'),
  ) as { hyperparameters: Record<string, string>; env: Record<string, string> };
  const { env } = containerInvocation(decodeHyperparameters(table.hyperparameters), {
    ...layout,
    jobName: 'JOB',
    moduleDir: '/opt/ml/code',
  });
  delete env.PYTHONUNBUFFERED; // ours: the toolkit's runner reads the pipe unbuffered by other means
  const rows = Object.keys({ ...table.env, ...env }).sort();
  const differ = rows.filter((k) => env[k] !== table.env[k]).map((k) => `${k}: ours ${env[k]} toolkit ${table.env[k]}`);
  assert.deepEqual(differ, [], `variables that differ from the toolkit's:\n${differ.join('\n')}`);
  // The rows the local target lacked before, spelled out.
  assert.equal(
    env.SM_FRAMEWORK_PARAMS,
    '{"sagemaker_training_compiler_debug_mode":false,"sagemaker_training_compiler_enabled":true}',
  );
  assert.equal(env.SAGEMAKER_REGION, 'eu-west-1');
  assert.equal(env.TRAINING_JOB_NAME, 'JOB');
  assert.equal(env.SM_CURRENT_INSTANCE_GROUP, 'homogeneousCluster');
  assert.equal(env.SM_CURRENT_INSTANCE_GROUP_HOSTS, '["algo-1"]');
  assert.equal(env.SM_INSTANCE_GROUPS, '["homogeneousCluster"]');
  assert.equal(
    env.SM_INSTANCE_GROUPS_DICT,
    '{"homogeneousCluster":{"hosts":["algo-1"],"instance_group_name":"homogeneousCluster","instance_type":"local"}}',
  );
  assert.equal(env.SM_IS_HETERO, 'false');
  assert.match(env.SM_MODULE_DIR!, /^s3:\/\/sagemaker-eu-west-1-local\/JOB\/source\/sourcedir\.tar\.gz$/);
  assert.deepEqual(
    Object.keys(JSON.parse(env.SM_TRAINING_ENV!)).sort(),
    Object.keys(JSON.parse(table.env.SM_TRAINING_ENV!)).sort(),
  );
});
