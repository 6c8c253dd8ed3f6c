// Connection resolution, default bucket creation and role listing against a real moto_server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { connect, ensureDefaultBucket, listSageMakerRoles } from '../../src/workflow/connect';
import { resetClients } from '../../src/aws/clients';

const cli = path.resolve(__dirname, '../../../dist/cli.js');
const run = promisify(execFile);
let moto: Moto;
let restore: () => void;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
});
after(async () => {
  restore?.();
  await moto?.stop();
});

test('connect resolves the account and the default bucket name through STS', async () => {
  resetClients();
  const conn = await connect({ region: 'us-east-1' });
  assert.equal(conn.account, MOTO_ACCOUNT);
  assert.equal(conn.bucket, `sagemaker-us-east-1-${MOTO_ACCOUNT}`);
  assert.equal(conn.endpoint, undefined, 'endpoint came from AWS_ENDPOINT_URL, not the target');
});

for (const region of ['us-east-1', 'eu-west-1']) {
  test(`default bucket is created once in ${region} with the SDK's location rule`, async () => {
    resetClients();
    const conn = await connect({ region });
    const first = await ensureDefaultBucket(conn);
    assert.deepEqual(first, { bucket: `sagemaker-${region}-${MOTO_ACCOUNT}`, created: true });
    const second = await ensureDefaultBucket(conn);
    assert.equal(second.created, false);
    const s3 = new S3Client({ region, endpoint: moto.endpoint, forcePathStyle: true });
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: first.bucket }));
    assert.equal(loc.LocationConstraint ?? 'us-east-1', region === 'us-east-1' ? 'us-east-1' : region);
  });
}

test('a bucket owned by another account (403) is refused with a clear message', async () => {
  // moto keeps one bucket namespace per account and never answers 403 to ExpectedBucketOwner, so this
  // one case uses a loopback stand-in that answers as S3 does for a bucket someone else owns.
  const { createServer } = await import('node:http');
  const calls: string[] = [];
  const srv = createServer((req, res) => {
    calls.push(`${req.method} ${req.url?.split('?')[0]} ${req.headers['x-amz-expected-bucket-owner'] ?? ''}`.trim());
    if ((req.method === 'GET' && req.url?.startsWith('/?')) || req.url === '/') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end('<ListAllMyBucketsResult><Buckets></Buckets><Owner><ID>x</ID></Owner></ListAllMyBucketsResult>');
      return;
    }
    res.writeHead(req.method === 'HEAD' ? 403 : 409);
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  try {
    resetClients();
    const conn = {
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      account: '111122223333',
      arn: '',
      bucket: 'sagemaker-us-east-1-111122223333',
    };
    await assert.rejects(
      ensureDefaultBucket(conn),
      /the default bucket sagemaker-us-east-1-111122223333 exists but is not accessible to account 111122223333 \(403/,
    );
    assert.deepEqual(
      calls,
      ['GET /', 'HEAD /sagemaker-us-east-1-111122223333/ 111122223333'],
      'ListBuckets, then HeadBucket with ExpectedBucketOwner, and no CreateBucket',
    );
  } finally {
    srv.close();
  }
});

test('role listing returns only roles SageMaker can assume', async () => {
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint });
  const trust = (svc: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: svc }, Action: 'sts:AssumeRole' }],
    });
  await iam.send(
    new CreateRoleCommand({ RoleName: 'SageMakerExec', AssumeRolePolicyDocument: trust('sagemaker.amazonaws.com') }),
  );
  await iam.send(new CreateRoleCommand({ RoleName: 'Ec2Only', AssumeRolePolicyDocument: trust('ec2.amazonaws.com') }));
  resetClients();
  const roles = await listSageMakerRoles({ region: 'us-east-1' });
  assert.deepEqual(
    roles.map((r) => r.name),
    ['SageMakerExec'],
  );
  assert.equal(roles[0]?.arn, `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerExec`);
});

test('CLI connect prints the connection and creates the bucket', async () => {
  const { stdout } = await run(
    process.execPath,
    [cli, 'connect', '--region', 'ap-southeast-2', '--create-bucket', '--json'],
    { env: moto.env },
  );
  const out = JSON.parse(stdout);
  assert.equal(out.account, MOTO_ACCOUNT);
  assert.equal(out.bucket, `sagemaker-ap-southeast-2-${MOTO_ACCOUNT}`);
  assert.equal(out.bucketCreated, true);
});

test('CLI reports bad input in one line with a non-zero exit', async () => {
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [
      ['connect', '--region', 'us-eats-1'],
      { ...moto.env, AWS_ENDPOINT_URL: '' },
      /^sagemaker-hf connect: region: 'us-eats-1' is not an AWS region \(did you mean 'us-east-1'\?\)\n$/,
    ],
    [
      ['connect', '--region', 'us-east-1', '--profile', 'nope'],
      { ...moto.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' },
      /AWS profile 'nope' was not found/,
    ],
    [
      ['connect', '--region', 'us-east-1'],
      { ...moto.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
      /http:\/\/127\.0\.0\.1:9 did not answer/,
    ],
    [['frobnicate'], moto.env, /unknown command 'frobnicate'/],
  ];
  for (const [args, env, re] of cases) {
    const res = await run(process.execPath, [cli, ...args], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (e) => ({ code: e.code as number, stderr: String(e.stderr) }),
    );
    assert.notEqual(res.code, 0, args.join(' '));
    assert.match(res.stderr, re, args.join(' '));
    assert.equal(res.stderr.trim().split('\n').length, 1, `one line: ${res.stderr}`);
  }
});
