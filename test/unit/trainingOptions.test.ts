// Spot training, warm pools and push-to-Hub in the CreateTrainingJob request: the exact fields, where
// the token goes (Environment only) and the errors naming the spec field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseSpecText, type JobSpec } from '../../src/core/spec/spec';
import { loadSpecFile } from '../../src/workflow/specFile';
import { buildTrainingRequest } from '../../src/core/training/trainingRequest';
import { redactTrainingRequest, REDACTED } from '../../src/core/training/trainingOptions';
import { UserError } from '../../src/core/errors';

const example = path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json');
const ctx = {
  account: '111122223333',
  region: 'us-east-1',
  bucket: 'sagemaker-us-east-1-111122223333',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  now: new Date(Date.UTC(2021, 11, 3, 16, 34, 50, 123)),
};
const JOB = 'training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123';
const TOKEN = 'hf_SECRETsecretSECRETsecret1234';

async function variant(edit: (s: JobSpec) => void): Promise<JobSpec> {
  const spec = await loadSpecFile(example);
  edit(spec);
  return spec;
}

const fieldError = (field: string, re: RegExp) => (e: unknown) =>
  e instanceof UserError && e.field === field && e.message.startsWith(`${field}: `) && re.test(e.message);

test('spot: EnableManagedSpotTraining, MaxWaitTimeInSeconds next to MaxRuntime, CheckpointConfig under the job', async () => {
  const spec = await variant((s) => {
    s.training.spot = { maxWaitSeconds: 172800 };
  });
  const { request } = buildTrainingRequest(spec, ctx);
  assert.equal(request.EnableManagedSpotTraining, true);
  assert.deepEqual(request.StoppingCondition, { MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 });
  assert.deepEqual(request.CheckpointConfig, {
    S3Uri: `s3://sagemaker-us-east-1-111122223333/${JOB}/checkpoints`,
    LocalPath: '/opt/ml/checkpoints',
  });
  // Nothing else changes: the notebook's request stays the SDK's.
  const plain = buildTrainingRequest(await loadSpecFile(example), ctx).request;
  const { EnableManagedSpotTraining: _e, CheckpointConfig: _c, StoppingCondition: _s, ...rest } = request;
  const { StoppingCondition: _s2, ...plainRest } = plain;
  assert.deepEqual(rest, plainRest);
  assert.equal('EnableManagedSpotTraining' in plain, false);
  assert.equal('CheckpointConfig' in plain, false);
});

test('spot: maxWaitSeconds below maxRuntimeInSeconds is refused naming the field and the rule', async () => {
  const short = await variant((s) => {
    s.training.spot = { maxWaitSeconds: 3600 };
  });
  assert.throws(
    () => buildTrainingRequest(short, ctx),
    fieldError(
      'training.spot.maxWaitSeconds',
      /3600 is less than training\.maxRuntimeInSeconds \(86400\).*MaxWaitTimeInSeconds >= MaxRuntimeInSeconds/,
    ),
  );
  const ok = await variant((s) => {
    s.training.maxRuntimeInSeconds = 3600;
    s.training.spot = { maxWaitSeconds: 3600 };
  });
  assert.deepEqual(buildTrainingRequest(ok, ctx).request.StoppingCondition, {
    MaxRuntimeInSeconds: 3600,
    MaxWaitTimeInSeconds: 3600,
  });
  // The schema catches a missing field before the builder runs.
  const text = JSON.stringify({
    ...(await loadSpecFile(example)),
    file: undefined,
    training: { ...(await loadSpecFile(example)).training, spot: {} },
  });
  assert.throws(() => parseSpecText(text), /training\.spot\.maxWaitSeconds is required/);
});

test('warm pool: KeepAlivePeriodInSeconds in ResourceConfig, 0 sent as 0, the API model range 0-21600', async () => {
  const spec = await variant((s) => {
    s.training.keepAliveSeconds = 1800;
  });
  assert.deepEqual(buildTrainingRequest(spec, ctx).request.ResourceConfig, {
    VolumeSizeInGB: 30,
    InstanceCount: 1,
    InstanceType: 'ml.p3.2xlarge',
    KeepAlivePeriodInSeconds: 1800,
  });
  // job.py _prepare_resource_config: `if keep_alive_period_in_seconds is not None`, so 0 is sent.
  const zero = await variant((s) => {
    s.training.keepAliveSeconds = 0;
  });
  assert.equal(buildTrainingRequest(zero, ctx).request.ResourceConfig!.KeepAlivePeriodInSeconds, 0);
  const six = await variant((s) => {
    s.training.keepAliveSeconds = 7200;
  });
  assert.equal(buildTrainingRequest(six, ctx).request.ResourceConfig!.KeepAlivePeriodInSeconds, 7200);
  const big = await variant((s) => {
    s.training.keepAliveSeconds = 21601;
  });
  assert.throws(
    () => buildTrainingRequest(big, ctx),
    fieldError('training.keepAliveSeconds', /from 0 to 21600 \(got 21601\)/),
  );
  const base = await loadSpecFile(example);
  const text = JSON.stringify({ ...base, file: undefined, training: { ...base.training, keepAliveSeconds: 21601 } });
  assert.throws(() => parseSpecText(text), /training\.keepAliveSeconds must be <= 21600/);
  const both = await variant((s) => {
    s.training.keepAliveSeconds = 600;
    s.training.spot = { maxWaitSeconds: 90000 };
  });
  assert.match(buildTrainingRequest(both, ctx).validated.warnings.join('\n'), /keepAliveSeconds with training\.spot/);
});

test('pushToHub: hub_model_id and hub_private_repo SDK-encoded, the token only in Environment.HF_TOKEN', async () => {
  const spec = await variant((s) => {
    s.training.pushToHub = { repo: 'my-user/bert-emotion', private: false };
  });
  const { request } = buildTrainingRequest(spec, { ...ctx, hubToken: TOKEN });
  const hp = request.HyperParameters!;
  assert.equal(hp['hub_model_id'], '"my-user/bert-emotion"');
  assert.equal(hp['hub_private_repo'], 'false');
  // After the user's keys, before the SageMaker keys (the SDK's dict order).
  const keys = Object.keys(hp);
  assert.deepEqual(keys.slice(keys.indexOf('fp16'), keys.indexOf('fp16') + 4), [
    'fp16',
    'hub_model_id',
    'hub_private_repo',
    'sagemaker_submit_directory',
  ]);
  assert.deepEqual(request.Environment, { HF_TOKEN: TOKEN });
  assert.equal(JSON.stringify(hp).includes(TOKEN), false);
  const printed = JSON.stringify(redactTrainingRequest(request));
  assert.equal(printed.includes(TOKEN), false);
  assert.match(printed, new RegExp(`"HF_TOKEN":"${REDACTED}"`));
  assert.equal(request.Environment!.HF_TOKEN, TOKEN, 'redaction works on a copy');
  // private defaults to true; no pushToHub, no Environment.
  const priv = await variant((s) => {
    s.training.pushToHub = { repo: 'bert-emotion' };
  });
  assert.equal(
    buildTrainingRequest(priv, { ...ctx, hubToken: TOKEN }).request.HyperParameters!['hub_private_repo'],
    'true',
  );
  assert.equal(
    'Environment' in buildTrainingRequest(await loadSpecFile(example), { ...ctx, hubToken: TOKEN }).request,
    false,
  );
});

test('pushToHub without a token, or a token in hyperparameters, is refused before anything is sent', async () => {
  const spec = await variant((s) => {
    s.training.pushToHub = { repo: 'my-user/bert-emotion' };
  });
  assert.throws(
    () => buildTrainingRequest(spec, ctx),
    fieldError('training.pushToHub', /needs a Hugging Face token.*HF_TOKEN/),
  );
  const leaky = await variant((s) => {
    s.training.hyperparameters['hf_token'] = TOKEN;
  });
  assert.throws(
    () => buildTrainingRequest(leaky, ctx),
    (e: unknown) =>
      fieldError('training.hyperparameters.hf_token', /must not be hyperparameters/)(e) &&
      !(e as Error).message.includes(TOKEN),
  );
  const twice = await variant((s) => {
    s.training.pushToHub = { repo: 'a/b' };
    s.training.hyperparameters['hub_model_id'] = 'c/d';
  });
  assert.throws(
    () => buildTrainingRequest(twice, { ...ctx, hubToken: TOKEN }),
    fieldError('training.hyperparameters.hub_model_id', /set by training\.pushToHub/),
  );
  const base = await loadSpecFile(example);
  const text = JSON.stringify({
    ...base,
    file: undefined,
    training: { ...base.training, pushToHub: { repo: 'a/b/c' } },
  });
  assert.throws(() => parseSpecText(text), /training\.pushToHub\.repo/);
});

test("API ranges: spot.maxWaitSeconds beyond the API's integers and maxRuntimeInSeconds over 28 days are refused; --bucket is a bucket name", async () => {
  const huge = await variant((s) => {
    s.training.spot = { maxWaitSeconds: 1e12 };
  });
  assert.throws(
    () => buildTrainingRequest(huge, ctx),
    fieldError('training.spot.maxWaitSeconds', /1000000000000 is beyond what the API accepts \(at most 2147483647\)/),
  );
  const long = await variant((s) => {
    s.training.maxRuntimeInSeconds = 29 * 86400;
  });
  assert.throws(
    () => buildTrainingRequest(long, ctx),
    fieldError('training.maxRuntimeInSeconds', /more than SageMaker's 28 days \(2419200 s/),
  );
  const { bucketNameProblem } = await import('../../src/core/sagemaker/apiChecks');
  assert.match(bucketNameProblem('b/c')!, /contains '\/'/);
  assert.match(bucketNameProblem('My_Bucket')!, /not an S3 bucket name/);
  assert.equal(bucketNameProblem('sagemaker-us-east-1-123456789012'), undefined);
});
