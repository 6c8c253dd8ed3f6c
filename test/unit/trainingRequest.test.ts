// The example spec must give, field for field, the CreateTrainingJob request of the notebook cell as the
// SageMaker Python SDK v2 sends it (../shared/notes/sagemaker-training-request.md §1.1), plus only the
// documented additions (Tags, MetricDefinitions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { type JobSpec } from '../../src/core/spec/spec';
import { loadSpecFile } from '../../src/workflow/specFile';
import { buildTrainingRequest } from '../../src/core/training/trainingRequest';
import { metricDefinitions } from '../../src/core/training/metrics';
import { buildHyperParameters } from '../../src/core/training/hyperparameters';
import { UserError } from '../../src/core/errors';

const example = path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json');
const ctx = {
  account: '111122223333',
  region: 'us-east-1',
  bucket: 'sagemaker-us-east-1-111122223333',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  now: new Date(Date.UTC(2021, 11, 3, 16, 34, 50, 123)),
};

// §1.1 of the note, with that run's account, bucket, role and time.
const SECTION_1_1 = {
  AlgorithmSpecification: {
    TrainingInputMode: 'File',
    TrainingImage:
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04',
    EnableSageMakerMetricsTimeSeries: true,
  },
  OutputDataConfig: { S3OutputPath: 's3://sagemaker-us-east-1-111122223333/' },
  TrainingJobName: 'training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123',
  StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  ResourceConfig: { VolumeSizeInGB: 30, InstanceCount: 1, InstanceType: 'ml.p3.2xlarge' },
  RoleArn: 'arn:aws:iam::111122223333:role/SageMakerRole',
  InputDataConfig: [
    {
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: 's3://sagemaker-us-east-1-111122223333/samples/datasets/emotion/train',
          S3DataDistributionType: 'FullyReplicated',
        },
      },
      ChannelName: 'train',
    },
    {
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: 's3://sagemaker-us-east-1-111122223333/samples/datasets/emotion/test',
          S3DataDistributionType: 'FullyReplicated',
        },
      },
      ChannelName: 'test',
    },
  ],
  HyperParameters: {
    epochs: '4',
    train_batch_size: '24',
    eval_batch_size: '32',
    learning_rate: '3e-05',
    model_id: '"bert-base-uncased"',
    fp16: 'true',
    sagemaker_submit_directory:
      '"s3://sagemaker-us-east-1-111122223333/training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123/source/sourcedir.tar.gz"',
    sagemaker_program: '"train.py"',
    sagemaker_container_log_level: '20',
    sagemaker_job_name: '"training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123"',
    sagemaker_region: '"us-east-1"',
    sagemaker_training_compiler_enabled: 'true',
    sagemaker_training_compiler_debug_mode: 'false',
  },
  ProfilerConfig: { DisableProfiler: true },
};

test('the example spec gives the SDK request of §1.1, field for field, plus Tags and MetricDefinitions', async () => {
  const spec = await loadSpecFile(example);
  const { jobName, request, sourceS3Uri } = buildTrainingRequest(spec, ctx);
  assert.equal(jobName, 'training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123');
  assert.equal(jobName.length, 63);
  assert.equal(sourceS3Uri, `s3://sagemaker-us-east-1-111122223333/${jobName}/source/sourcedir.tar.gz`);
  const { Tags, ...rest } = structuredClone(request);
  const { MetricDefinitions, ...algo } = rest.AlgorithmSpecification!;
  assert.deepEqual({ ...rest, AlgorithmSpecification: algo }, SECTION_1_1);
  // Same key order as the SDK's dict (the API ignores order, but a diff against the SDK reads cleanly).
  assert.deepEqual(Object.keys(request.HyperParameters!), Object.keys(SECTION_1_1.HyperParameters));
  assert.equal('DebugHookConfig' in request, false);
  assert.deepEqual(Tags, [
    { Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' },
    { Key: 'sagemaker-hf:spec', Value: 'emotion.sagemaker-hf.json' },
  ]);
  assert.deepEqual(MetricDefinitions, metricDefinitions());
  assert.ok(MetricDefinitions!.some((m) => m.Name === 'eval_accuracy'));
});

async function variant(edit: (s: JobSpec) => void): Promise<JobSpec> {
  const spec = await loadSpecFile(example);
  edit(spec);
  return spec;
}

test('a role name becomes an ARN in the account (expand_role); no role is a clear error', async () => {
  const spec = await loadSpecFile(example);
  assert.equal(
    buildTrainingRequest(spec, { ...ctx, role: 'MyRole' }).request.RoleArn,
    'arn:aws:iam::111122223333:role/MyRole',
  );
  assert.equal(
    buildTrainingRequest(spec, { ...ctx, region: 'us-east-1', role: 'MyRole', partition: 'aws-cn' }).request.RoleArn,
    'arn:aws-cn:iam::111122223333:role/MyRole',
  );
  assert.throws(
    () => buildTrainingRequest(spec, { ...ctx, role: undefined }),
    (e: unknown) => e instanceof UserError && /training\.role/.test(e.message),
  );
});

test('SDK defaults for debugger and profiler when the spec keeps them on', async () => {
  const spec = await variant((s) => {
    s.training.debuggerHookConfig = true;
    s.training.disableProfiler = false;
  });
  const { request } = buildTrainingRequest(spec, ctx);
  assert.deepEqual(request.DebugHookConfig, {
    S3OutputPath: 's3://sagemaker-us-east-1-111122223333/',
    CollectionConfigurations: [],
  });
  assert.deepEqual(request.ProfilerConfig, {
    S3OutputPath: 's3://sagemaker-us-east-1-111122223333/',
    DisableProfiler: false,
  });
});

test('torch-compile: plain HF PyTorch 2.x image, no compiler keys, torch_compile hyperparameter', async () => {
  const spec = await variant((s) => {
    s.training.compiler = 'torch-compile';
    delete s.training.transformersVersion;
    delete s.training.pytorchVersion;
    delete s.training.pyVersion;
    s.training.instanceType = 'ml.g5.xlarge';
  });
  const { request } = buildTrainingRequest(spec, ctx);
  assert.equal(
    request.AlgorithmSpecification!.TrainingImage,
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04',
  );
  const hp = request.HyperParameters!;
  assert.equal(hp['torch_compile'], 'true');
  assert.equal(
    Object.keys(hp).some((k) => k.startsWith('sagemaker_training_compiler')),
    false,
  );
  assert.equal(request.ResourceConfig!.InstanceType, 'ml.g5.xlarge');
  // The job is named after the image repository's base when the spec gives none? It gives one here.
  assert.match(request.TrainingJobName!, /^training-compiler-bert-base-uncased-emo-\d{4}-/);
});

test('multi-instance: pytorchxla on the compiler 1.11 image, torch_distributed on current images', async () => {
  const xla = await variant((s) => {
    s.training.transformersVersion = '4.21.1';
    s.training.pytorchVersion = '1.11.0';
    s.training.instanceType = 'ml.p4d.24xlarge';
    s.training.instanceCount = 2;
    s.training.distribution = 'pytorchxla';
  });
  const a = buildTrainingRequest(xla, ctx);
  assert.equal(a.request.HyperParameters!['sagemaker_pytorch_xla_multi_worker_enabled'], 'true');
  assert.equal(a.request.ResourceConfig!.InstanceCount, 2);
  assert.match(
    a.request.AlgorithmSpecification!.TrainingImage!,
    /trcomp-training:1\.11\.0-transformers4\.21\.1-gpu-py38-cu113-ubuntu20\.04$/,
  );
  assert.deepEqual(Object.keys(a.request.HyperParameters!).slice(-3), [
    'sagemaker_pytorch_xla_multi_worker_enabled',
    'sagemaker_training_compiler_enabled',
    'sagemaker_training_compiler_debug_mode',
  ]);

  const ddp = await variant((s) => {
    s.training.compiler = 'torch-compile';
    s.training.transformersVersion = '4.49.0';
    s.training.pytorchVersion = '2.5.1';
    delete s.training.pyVersion;
    s.training.instanceType = 'ml.g5.12xlarge';
    s.training.instanceCount = 2;
    s.training.distribution = 'torch_distributed';
  });
  const b = buildTrainingRequest(ddp, ctx);
  assert.equal(b.request.HyperParameters!['sagemaker_torch_distributed_enabled'], 'true');
  assert.equal(b.request.HyperParameters!['sagemaker_instance_type'], '"ml.g5.12xlarge"');
  assert.equal(b.request.HyperParameters!['sagemaker_pytorch_xla_multi_worker_enabled'], undefined);
});

test('reserved sagemaker_ keys and over-long values are refused', () => {
  const base = {
    submitDirectory: 's3://b/k',
    program: 'train.py',
    jobName: 'j',
    region: 'us-east-1',
    instanceType: 'ml.p3.2xlarge',
  };
  assert.throws(() => buildHyperParameters({ sagemaker_program: 'x' }, base), /reserved/);
  assert.throws(() => buildHyperParameters({ big: 'x'.repeat(2600) }, base), /2500/);
  const many = Object.fromEntries(Array.from({ length: 96 }, (_, i) => [`k${i}`, i]));
  assert.throws(() => buildHyperParameters(many, base), /at most 100/);
});
