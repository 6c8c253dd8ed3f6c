// Deploy request builders: inference image resolution for the seed's and a current version, the SDK's
// naming, endpoint-name rules and the three requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  inferenceImage,
  processorFor,
  versionsFromTrainingImage,
  CURRENT_INFERENCE_VERSIONS,
} from '../../src/core/images/inferenceImages';
import {
  buildDeployRequests,
  deployBaseName,
  endpointNameProblem,
  isOurs,
  nameFromBase,
  sdkTimestamp,
  CREATED_BY_TAG,
} from '../../src/core/endpoints/deployRequests';
import { UserError } from '../../src/core/errors';

const SEED_TRAINING_IMAGE =
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04';

test("the seed job on ml.g4dn.xlarge gets the SDK's GPU inference image", () => {
  const v = versionsFromTrainingImage(SEED_TRAINING_IMAGE);
  assert.deepEqual(v, { pytorch: '1.9.0', transformers: '4.11.0', py: 'py38' });
  const img = inferenceImage(v, 'ml.g4dn.xlarge', 'us-east-1');
  assert.equal(
    img.uri,
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04',
  );
  assert.equal(img.exact, true);
});

test('CPU instance families get the CPU image; other regions their ECR account and host', () => {
  const v = { transformers: '4.11.0', pytorch: '1.9.0' };
  assert.equal(
    inferenceImage(v, 'ml.m5.xlarge', 'us-east-1').uri,
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.9.0-transformers4.11.0-cpu-py38-ubuntu20.04',
  );
  assert.equal(
    inferenceImage(v, 'ml.c5.large', 'af-south-1').uri.split('/')[0],
    '626614931356.dkr.ecr.af-south-1.amazonaws.com',
  );
  assert.equal(
    inferenceImage(v, 'ml.p3.2xlarge', 'cn-north-1').uri.split('/')[0],
    '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn',
  );
  assert.equal(processorFor('ml.p4d.24xlarge'), 'gpu');
  assert.equal(processorFor('ml.t2.medium'), 'cpu');
  assert.throws(() => processorFor('ml.inf2.xlarge'), /Neuron/);
  assert.throws(() => processorFor('g4dn.xlarge'), /not a SageMaker instance type/);
  assert.throws(() => inferenceImage(v, 'ml.m5.xlarge', 'xx-nowhere-1'), /not published in 'xx-nowhere-1'/);
});

test('a current version resolves exactly; unknown pairs pick the nearest newer image and say so', () => {
  const cur = inferenceImage({ transformers: '4.51.3', pytorch: '2.6.0' }, 'ml.g5.xlarge', 'eu-west-1');
  assert.equal(
    cur.uri,
    '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04',
  );
  const newer = inferenceImage({ transformers: '4.36.0', pytorch: '2.1.0' }, 'ml.m5.xlarge', 'us-east-1');
  assert.equal(newer.transformers, '4.37.0');
  assert.equal(newer.exact, false);
  assert.match(newer.note ?? '', /no inference image for transformers 4\.36\.0/);
  const unknown = inferenceImage(undefined, 'ml.g4dn.xlarge', 'us-east-1');
  assert.equal(unknown.transformers, CURRENT_INFERENCE_VERSIONS.transformers);
  assert.equal(versionsFromTrainingImage('my-own-image:latest'), undefined);
});

test('names follow name_from_base: base trimmed so that base-timestamp is at most 63 characters', () => {
  const now = new Date(Date.UTC(2026, 10, 26, 3, 14, 23, 85));
  assert.equal(sdkTimestamp(now), '2026-11-26-03-14-23-085');
  const name = nameFromBase('training-compiler-bert-base-uncased-emotion', now);
  assert.equal(name, 'training-compiler-bert-base-uncased-emo-2026-11-26-03-14-23-085');
  assert.equal(name.length, 63);
  assert.equal(
    deployBaseName('training-compiler-bert-base-uncased-emotion-2026-11-25-10-00-00-001'),
    'training-compiler-bert-base-uncased-emotion',
  );
  assert.equal(deployBaseName('my_job'), 'my-job');
  assert.equal(endpointNameProblem(name), undefined);
});

test("endpoint names that break SageMaker's rules are explained", () => {
  assert.match(endpointNameProblem('my_endpoint') ?? '', /contains '_'/);
  assert.match(endpointNameProblem('-x') ?? '', /start with a letter or digit/);
  assert.match(endpointNameProblem('x-') ?? '', /end with a letter or digit/);
  assert.match(endpointNameProblem('a'.repeat(64)) ?? '', /64 characters long/);
  assert.match(endpointNameProblem('') ?? '', /empty/);
  assert.equal(endpointNameProblem('a--b'), undefined);
});

test('the three requests: HF_TASK, AllTraffic, one name, our tags', () => {
  const r = buildDeployRequests({
    trainingJobName: 'job-1',
    modelDataUrl: 's3://b/job-1/output/model.tar.gz',
    image: 'img:tag',
    role: 'arn:aws:iam::111122223333:role/r',
    region: 'us-east-1',
    instanceType: 'ml.g4dn.xlarge',
    initialInstanceCount: 2,
    name: 'ep-1',
  });
  assert.equal(r.createModel.ModelName, 'ep-1');
  assert.deepEqual(r.createModel.PrimaryContainer?.Environment, {
    SAGEMAKER_PROGRAM: '',
    SAGEMAKER_SUBMIT_DIRECTORY: '',
    SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
    SAGEMAKER_REGION: 'us-east-1',
    HF_TASK: 'text-classification',
  });
  assert.equal(r.createModel.PrimaryContainer?.ModelDataUrl, 's3://b/job-1/output/model.tar.gz');
  assert.deepEqual(r.createEndpointConfig.ProductionVariants, [
    {
      VariantName: 'AllTraffic',
      ModelName: 'ep-1',
      InitialVariantWeight: 1,
      InitialInstanceCount: 2,
      InstanceType: 'ml.g4dn.xlarge',
    },
  ]);
  assert.deepEqual(
    { n: r.createEndpoint.EndpointName, c: r.createEndpoint.EndpointConfigName },
    { n: 'ep-1', c: 'ep-1' },
  );
  for (const tags of [r.createModel.Tags, r.createEndpointConfig.Tags, r.createEndpoint.Tags])
    assert.ok(isOurs(tags), 'tagged');
  assert.ok(r.createModel.Tags?.some((t) => t.Key === CREATED_BY_TAG));
  assert.ok(r.createModel.Tags?.some((t) => t.Value === 'job-1'));
});

test('bad deploy input is refused with the field named', () => {
  const base = {
    trainingJobName: 'j',
    modelDataUrl: 's3://b/m.tar.gz',
    image: 'i',
    role: 'r',
    region: 'us-east-1',
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    name: 'ok',
  };
  const field = (over: object) => {
    try {
      buildDeployRequests({ ...base, ...over });
      return 'no error';
    } catch (e) {
      assert.ok(e instanceof UserError);
      return e.field;
    }
  };
  assert.equal(field({ name: 'bad_name' }), 'endpointName');
  assert.equal(field({ initialInstanceCount: 0 }), 'initialInstanceCount');
  assert.equal(field({ instanceType: 'huge' }), 'instanceType');
  assert.equal(field({ modelDataUrl: '/local/model.tar.gz' }), 'modelDataUrl');
  assert.equal(field({ role: '' }), 'role');
});
