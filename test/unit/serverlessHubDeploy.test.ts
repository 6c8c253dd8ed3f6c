// Serverless production variants and Hub models in the deploy requests, field for field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDeployRequests,
  buildHubDeployRequests,
  checkServerless,
  redactDeployRequests,
} from '../../src/core/endpoints/deployRequests';
import { UserError } from '../../src/core/errors';
import { parseSpecText } from '../../src/core/spec/spec';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROLE = 'arn:aws:iam::111122223333:role/SageMakerRole';
const CPU_IMAGE =
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers4.51.3-cpu-py312-ubuntu22.04';
const TOKEN = 'hf_SECRETsecretSECRETsecret1234';

test('serverless: ServerlessConfig and InitialVariantWeight 1 on the variant (production_variant()), no InstanceType or InitialInstanceCount', () => {
  const r = buildDeployRequests({
    trainingJobName: 'job-1',
    modelDataUrl: 's3://b/job-1/output/model.tar.gz',
    image: CPU_IMAGE,
    role: ROLE,
    region: 'us-east-1',
    instanceType: 'ml.g4dn.xlarge',
    initialInstanceCount: 1,
    name: 'ep-1',
    serverless: { memorySizeInMB: 2048, maxConcurrency: 5 },
  });
  assert.deepEqual(r.createEndpointConfig.ProductionVariants, [
    {
      VariantName: 'AllTraffic',
      ModelName: 'ep-1',
      InitialVariantWeight: 1,
      ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 },
    },
  ]);
  assert.equal(r.createModel.PrimaryContainer!.Image, CPU_IMAGE);
  assert.equal(r.createModel.PrimaryContainer!.ModelDataUrl, 's3://b/job-1/output/model.tar.gz');
});

test('serverless limits: memory 1024-6144 in 1 GB steps, concurrency 1-200, each error naming its field', () => {
  const bad = (m: number, c: number, field: string) =>
    assert.throws(
      () => checkServerless({ memorySizeInMB: m, maxConcurrency: c }),
      (e: unknown) => e instanceof UserError && e.field === field,
    );
  bad(512, 5, 'deploy.serverless.memorySizeInMB');
  bad(1500, 5, 'deploy.serverless.memorySizeInMB');
  bad(7168, 5, 'deploy.serverless.memorySizeInMB');
  bad(2048, 0, 'deploy.serverless.maxConcurrency');
  bad(2048, 201, 'deploy.serverless.maxConcurrency');
  for (const m of [1024, 2048, 3072, 4096, 5120, 6144]) checkServerless({ memorySizeInMB: m, maxConcurrency: 200 });
});

test('Hub model: HF_MODEL_ID, HF_TASK and HF_TOKEN in the container, no ModelDataUrl, tagged with the model id', () => {
  const r = buildHubDeployRequests({
    modelId: 'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
    task: 'text-classification',
    token: TOKEN,
    image: CPU_IMAGE,
    role: ROLE,
    region: 'us-east-1',
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    name: 'distilbert-ep',
  });
  assert.deepEqual(r.createModel, {
    ModelName: 'distilbert-ep',
    ExecutionRoleArn: ROLE,
    PrimaryContainer: {
      Image: CPU_IMAGE,
      Environment: {
        HF_MODEL_ID: 'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
        HF_TASK: 'text-classification',
        HF_TOKEN: TOKEN,
        SAGEMAKER_PROGRAM: '',
        SAGEMAKER_SUBMIT_DIRECTORY: '',
        SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        SAGEMAKER_REGION: 'us-east-1',
      },
    },
    Tags: [
      { Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' },
      { Key: 'sagemaker-hf:hub-model', Value: 'distilbert/distilbert-base-uncased-finetuned-sst-2-english' },
    ],
  });
  assert.deepEqual(r.createEndpointConfig.ProductionVariants, [
    {
      VariantName: 'AllTraffic',
      ModelName: 'distilbert-ep',
      InitialVariantWeight: 1,
      InitialInstanceCount: 1,
      InstanceType: 'ml.m5.xlarge',
    },
  ]);
  assert.deepEqual(r.createEndpoint, {
    EndpointName: 'distilbert-ep',
    EndpointConfigName: 'distilbert-ep',
    Tags: r.createModel.Tags,
  });
  const printed = JSON.stringify(redactDeployRequests(r));
  assert.equal(printed.includes(TOKEN), false);
  assert.match(printed, /"HF_TOKEN":"<redacted>"/);
  // Without a token the variable is absent, not empty.
  const open = buildHubDeployRequests({
    modelId: 'gpt2',
    task: 'text-generation',
    image: CPU_IMAGE,
    role: ROLE,
    region: 'us-east-1',
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    name: 'gpt2',
    serverless: { memorySizeInMB: 4096, maxConcurrency: 2 },
  });
  assert.equal('HF_TOKEN' in open.createModel.PrimaryContainer!.Environment!, false);
  assert.deepEqual(open.createEndpointConfig.ProductionVariants![0]!.ServerlessConfig, {
    MemorySizeInMB: 4096,
    MaxConcurrency: 2,
  });
});

test('Hub model: bad ids and unknown tasks are one-line errors; names come from the model id', () => {
  const base = {
    image: CPU_IMAGE,
    role: ROLE,
    region: 'us-east-1',
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    name: 'x',
  };
  assert.throws(
    () => buildHubDeployRequests({ ...base, modelId: 'a/b/c', task: 'text-classification' }),
    /^Error|hub: 'a\/b\/c' is not a Hub model id/,
  );
  assert.throws(
    () => buildHubDeployRequests({ ...base, modelId: 'gpt2', task: 'make-coffee' }),
    (e: unknown) => e instanceof UserError && e.field === 'task' && /one of text-classification/.test(e.message),
  );
});

test('deploy.serverless in the spec: schema names the field and the allowed sizes', () => {
  const raw = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json'), 'utf8'),
  );
  raw.deploy.serverless = { memorySizeInMB: 1500, maxConcurrency: 5 };
  assert.throws(
    () => parseSpecText(JSON.stringify(raw)),
    /deploy\.serverless\.memorySizeInMB must be one of 1024, 2048, 3072, 4096, 5120, 6144/,
  );
  raw.deploy.serverless = { memorySizeInMB: 2048, maxConcurrency: 500 };
  assert.throws(() => parseSpecText(JSON.stringify(raw)), /deploy\.serverless\.maxConcurrency must be <= 200/);
  raw.deploy.serverless = { memorySizeInMB: 2048, maxConcurrency: 5 };
  assert.deepEqual(parseSpecText(JSON.stringify(raw)).deploy.serverless, { memorySizeInMB: 2048, maxConcurrency: 5 });
});
