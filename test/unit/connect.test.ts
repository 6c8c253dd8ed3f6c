import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandRoleName, roleFromIdentity, trustsSageMaker, checkTarget } from '../../src/workflow/connect';
import { regionProblem, defaultBucketName } from '../../src/core/sagemaker/regions';
import { describeAwsError } from '../../src/aws/errors';

test('default bucket name is sagemaker-{region}-{account}', () => {
  assert.equal(defaultBucketName('eu-west-1', '111122223333'), 'sagemaker-eu-west-1-111122223333');
});

test('region typos are caught with a suggestion', () => {
  assert.equal(regionProblem('us-east-1'), undefined);
  assert.match(regionProblem('us-eats-1') ?? '', /'us-eats-1' is not an AWS region \(did you mean 'us-east-1'\?\)/);
  assert.throws(
    () => checkTarget({ region: 'eu-wset-1' }),
    /region: 'eu-wset-1' is not an AWS region \(did you mean 'eu-west-1'\?\)/,
  );
  assert.doesNotThrow(
    () => checkTarget({ region: 'local-test-1', endpoint: 'http://127.0.0.1:5000' }),
    'emulators accept any region',
  );
});

test('role names expand to ARNs; assumed roles map back to their role', () => {
  assert.equal(expandRoleName('MyRole', '111122223333'), 'arn:aws:iam::111122223333:role/MyRole');
  assert.equal(expandRoleName('arn:aws:iam::1:role/x', '2'), 'arn:aws:iam::1:role/x');
  assert.equal(
    expandRoleName('R', '111122223333', 'arn:aws-cn:sts::111122223333:assumed-role/X/s'),
    'arn:aws-cn:iam::111122223333:role/R',
  );
  assert.equal(
    roleFromIdentity('arn:aws:sts::111122223333:assumed-role/SageMakerRole/session'),
    'arn:aws:iam::111122223333:role/SageMakerRole',
  );
  assert.equal(roleFromIdentity('arn:aws:iam::111122223333:user/alice'), undefined);
});

test('trust policy check accepts SageMaker principals only', () => {
  const doc = (svc: string | string[], action: string | string[] = 'sts:AssumeRole', effect = 'Allow') =>
    encodeURIComponent(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: effect, Principal: { Service: svc }, Action: action }],
      }),
    );
  assert.equal(trustsSageMaker(doc('sagemaker.amazonaws.com')), true);
  assert.equal(
    trustsSageMaker(doc(['ec2.amazonaws.com', 'sagemaker.amazonaws.com'], ['sts:AssumeRole', 'sts:TagSession'])),
    true,
  );
  assert.equal(trustsSageMaker(doc('ec2.amazonaws.com')), false);
  assert.equal(trustsSageMaker(doc('sagemaker.amazonaws.com', 'sts:AssumeRole', 'Deny')), false);
  assert.equal(trustsSageMaker('not json'), false);
});

test('AWS errors become actionable lines without secrets', () => {
  const target = { profile: 'dev', region: 'us-east-1' };
  const expired = Object.assign(new Error('The security token included in the request is expired'), {
    name: 'ExpiredTokenException',
    $metadata: { httpStatusCode: 403 },
  });
  assert.match(
    describeAwsError(expired, target, 'Connecting to AWS').message,
    /credentials of profile 'dev' have expired.*aws sso login --profile dev/,
  );
  const missing = Object.assign(
    new Error('Could not resolve credentials using profile: [dev] in configuration/credentials file(s).'),
    { name: 'CredentialsProviderError' },
  );
  assert.match(
    describeAwsError(missing, target, 'Connecting to AWS').message,
    /Connecting to AWS failed: AWS profile 'dev' was not found/,
  );
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.match(
    describeAwsError(refused, { region: 'us-east-1', endpoint: 'http://127.0.0.1:1' }, 'Connecting to AWS').message,
    /Connecting to AWS failed: http:\/\/127\.0\.0\.1:1 did not answer.*Is the emulator running/,
  );
  const signed = new Error(
    'GET https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef&X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F failed',
  );
  const line = describeAwsError(signed, target, 'Download').message;
  assert.doesNotMatch(line, /abcdef|AKIAABCDEFGHIJKLMNOP/);
});
