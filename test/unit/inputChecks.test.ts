// Values checked against the SageMaker API's own rules (botocore's service model: RoleArn
// pattern, TrainingInstanceType / ProductionVariantInstanceType enums) before anything is created, with
// the fix in the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { validateSpec } from '../../src/core/spec/spec';
import { loadSpecFile } from '../../src/workflow/specFile';
import { buildTrainingRequest } from '../../src/core/training/trainingRequest';
import { buildDeployRequests } from '../../src/core/endpoints/deployRequests';
import { closest, TRAINING_INSTANCE_TYPES } from '../../src/core/sagemaker/apiChecks';
import { UserError } from '../../src/core/errors';

const example = path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json');
const ctx = {
  account: '111122223333',
  region: 'us-east-1',
  bucket: 'sagemaker-us-east-1-111122223333',
  role: 'arn:aws:iam::111122223333:role/SageMakerRole',
  now: new Date(),
};

const userError = (re: RegExp, field?: string) => (err: unknown) => {
  assert.ok(err instanceof UserError, String(err));
  assert.match(err.message, re);
  if (field) assert.equal(err.field, field);
  return true;
};

test('--role / SAGEMAKER_ROLE_ARN that is not a role ARN is refused before anything is created', async () => {
  const spec = await loadSpecFile(example);
  assert.throws(
    () => buildTrainingRequest(spec, { ...ctx, role: 'not a role!' }),
    userError(
      /^role \(--role, SAGEMAKER_ROLE_ARN or the sagemakerHf\.executionRole setting\): 'arn:aws:iam::111122223333:role\/not a role!' is not an IAM role ARN.*--list-roles/,
      'role',
    ),
  );
  assert.throws(
    () => buildTrainingRequest(spec, { ...ctx, role: 'arn:aws:iam::1234:role/x' }),
    userError(/is not an IAM role ARN/),
  );
  spec.training.role = 'arn:aws:iam::111122223333:user/alice';
  assert.throws(() => buildTrainingRequest(spec, ctx), userError(/^training\.role: /, 'training.role'));
  assert.throws(
    () =>
      buildDeployRequests({
        trainingJobName: 'j',
        modelDataUrl: 's3://b/m.tar.gz',
        image: 'i:t',
        role: 'bad',
        region: 'us-east-1',
        instanceType: 'ml.m5.xlarge',
        initialInstanceCount: 1,
        name: 'n',
      }),
    userError(/^role: 'bad' is not an IAM role ARN/),
  );
});

test('a role in another account than the connection is named', async () => {
  const spec = await loadSpecFile(example);
  const { validated } = buildTrainingRequest(spec, { ...ctx, role: 'arn:aws:iam::999999999999:role/Other' });
  assert.match(
    validated.warnings.join('\n'),
    /role arn:aws:iam::999999999999:role\/Other is in account 999999999999, the connection is account 111122223333/,
  );
  assert.doesNotMatch(buildTrainingRequest(spec, ctx).validated.warnings.join('\n'), /another account|is in account/);
});

test('an instance type typo says what was meant (training and endpoint)', async () => {
  const spec = await loadSpecFile(example);
  spec.training.instanceType = 'ml.p3.2xlarg';
  assert.throws(
    () => buildTrainingRequest(spec, ctx),
    userError(
      /^training\.instanceType: 'ml\.p3\.2xlarg' is not a SageMaker training instance type; did you mean ml\.p3\.2xlarge\?/,
      'training.instanceType',
    ),
  );
  spec.training.instanceType = 'ml.p3.2xlarge';
  assert.ok(buildTrainingRequest(spec, ctx));
  assert.throws(
    () =>
      buildDeployRequests({
        trainingJobName: 'j',
        modelDataUrl: 's3://b/m.tar.gz',
        image: 'i:t',
        role: ctx.role,
        region: 'us-east-1',
        instanceType: 'ml.g4dn.xlarg',
        initialInstanceCount: 1,
        name: 'n',
      }),
    userError(
      /^instanceType: 'ml\.g4dn\.xlarg' is not a SageMaker endpoint instance type; did you mean ml\.g4dn\.xlarge\?/,
    ),
  );
  assert.equal(closest('p3.2xlarge', TRAINING_INSTANCE_TYPES), 'ml.p3.2xlarge');
});

test("an s3Prefix with '..' is refused with the fix", () => {
  const s = {
    version: 1,
    dataset: {
      source: 'dair-ai/emotion',
      splits: { train: 'train' },
      tokenizer: 'bert-base-uncased',
      s3Prefix: '../../evil',
    },
    training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge' },
  };
  assert.throws(
    () => validateSpec(s),
    userError(
      /^dataset\.s3Prefix: '\.\.\/\.\.\/evil' has a '\.\.' segment.*Use a plain key prefix/,
      'dataset.s3Prefix',
    ),
  );
  assert.throws(() => validateSpec({ ...s, dataset: { ...s.dataset, s3Prefix: 'a//b' } }), userError(/empty segment/));
  assert.ok(validateSpec({ ...s, dataset: { ...s.dataset, s3Prefix: 'a/b.c/d' } }));
});
