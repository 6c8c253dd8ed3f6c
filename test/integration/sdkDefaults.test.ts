// The SageMaker Python SDK's defaults files against a real moto_server: an admin file on disk and a user
// file in S3 (a folder URI holding config.yaml), named by SAGEMAKER_ADMIN_CONFIG_OVERRIDE and
// SAGEMAKER_USER_CONFIG_OVERRIDE so the real /etc/xdg and ~/.config are never read. A training job, a
// model, an endpoint config and an endpoint are created and read back with the file's values in them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { startSageMakerProxy, type SageMakerProxy } from '../helpers/sageMakerProxy';
import { resetClients } from '../../src/aws/clients';
import { connect, type Connection } from '../../src/workflow/connect';
import { describeTrainingJob, startTraining } from '../../src/workflow/training/train';
import { deployFromJob } from '../../src/workflow/endpoints/deploy';
import { loadSpecFile } from '../../src/workflow/specFile';
import { MANIFEST_NAME } from '../../src/core/dataset/manifest';
import { UserError } from '../../src/core/errors';

const repo = path.resolve(__dirname, '../../..');
const example = path.join(repo, 'examples/emotion.sagemaker-hf.json');
const cli = path.join(repo, 'dist/cli.js');
const run = promisify(execFile);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
const CORP_BUCKET = 'corp-ml-artifacts';

const ADMIN_DOC = `SchemaVersion: "1.0"
SageMaker:
  PythonSDK:
    Modules:
      Session:
        DefaultS3Bucket: ${CORP_BUCKET}
        DefaultS3ObjectKeyPrefix: team-nlp
  TrainingJob:
    VpcConfig:
      SecurityGroupIds: [sg-0123456789abcdef0]
      Subnets: [subnet-0123456789abcdef0]
    Environment: { CORP_PROXY: "http://proxy:3128" }
    Tags:
      - { Key: cost-center, Value: "1234" }
  Model:
    VpcConfig:
      SecurityGroupIds: [sg-0123456789abcdef0]
      Subnets: [subnet-0123456789abcdef0]
    Tags: [{ Key: cost-center, Value: "1234" }]
  EndpointConfig:
    KmsKeyId: arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/endpoint
    Tags: [{ Key: cost-center, Value: "1234" }]
`;
// The user file: its Tags replace the admin's TrainingJob.Tags, its Environment merges key by key.
const USER_DOC = `SchemaVersion: "1.0"
SageMaker:
  TrainingJob:
    Environment: { TEAM: nlp }
    Tags: [{ Key: owner, Value: me }]
  Endpoint:
    Tags: [{ Key: owner, Value: me }]
`;

let moto: Moto;
let proxy: SageMakerProxy;
let restore: () => void;
let tmp: string;
let conn: Connection;
let adminFile: string;
let trainedJob = '';
const saved: Record<string, string | undefined> = {};
const ENV = ['SAGEMAKER_ADMIN_CONFIG_OVERRIDE', 'SAGEMAKER_USER_CONFIG_OVERRIDE'] as const;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  // moto's DescribeTrainingJob leaves Environment out: the proxy records the requests as sent.
  proxy = await startSageMakerProxy(moto.endpoint);
  process.env.AWS_ENDPOINT_URL = proxy.url;
  resetClients();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sdkdefaults-it-'));
  adminFile = path.join(tmp, 'admin.yaml');
  fs.writeFileSync(adminFile, ADMIN_DOC);
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'corp-config' }));
  await s3.send(new PutObjectCommand({ Bucket: 'corp-config', Key: 'sdk/config.yaml', Body: USER_DOC }));
  await s3.send(new PutObjectCommand({ Bucket: 'corp-config', Key: 'sdk/README.txt', Body: 'not the config' }));
  for (const k of ENV) saved[k] = process.env[k];
  process.env.SAGEMAKER_ADMIN_CONFIG_OVERRIDE = adminFile;
  process.env.SAGEMAKER_USER_CONFIG_OVERRIDE = 's3://corp-config/sdk';
  conn = { ...(await connect({ region: 'us-east-1' })), role: ROLE };
});
after(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  restore?.();
  await proxy?.close();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('connect reads both files (the S3 folder by its config.yaml) and takes DefaultS3Bucket as the session bucket', () => {
  assert.deepEqual(conn.sdkDefaults?.files, [adminFile, 's3://corp-config/sdk/config.yaml']);
  assert.equal(conn.bucket, CORP_BUCKET);
});

test("training job, model, endpoint config and endpoint carry the files' values, read back from moto", async () => {
  const spec = await loadSpecFile(example);
  const src = path.join(tmp, 'scripts');
  fs.mkdirSync(src, { recursive: true });
  fs.writeFileSync(path.join(src, 'train.py'), 'print("hi")\n');
  spec.training.sourceDir = src;
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: CORP_BUCKET }));
  const prefix = spec.dataset.s3Prefix;
  await s3.send(
    new PutObjectCommand({ Bucket: CORP_BUCKET, Key: `${prefix}/${MANIFEST_NAME}`, Body: '{"version":1}' }),
  );
  for (const ch of ['train', 'test'])
    await s3.send(new PutObjectCommand({ Bucket: CORP_BUCKET, Key: `${prefix}/${ch}/dataset_info.json`, Body: '{}' }));

  const started = await startTraining(spec, conn);
  trainedJob = started.jobName;
  // DefaultS3ObjectKeyPrefix moves the source (and the output), not the data channels.
  assert.equal(started.sourceS3Uri, `s3://${CORP_BUCKET}/team-nlp/${started.jobName}/source/sourcedir.tar.gz`);
  await s3.send(
    new HeadObjectCommand({ Bucket: CORP_BUCKET, Key: `team-nlp/${started.jobName}/source/sourcedir.tar.gz` }),
  );
  const d = await describeTrainingJob(conn, started.jobName);
  assert.equal(d.OutputDataConfig?.S3OutputPath, `s3://${CORP_BUCKET}/team-nlp/`);
  assert.equal(d.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri, `s3://${CORP_BUCKET}/${prefix}/train`);
  assert.deepEqual(d.VpcConfig, { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet-0123456789abcdef0'] });
  const sent = proxy.requests.find((r) => r.target.endsWith('CreateTrainingJob'))!.body;
  // Admin and user Environment maps merged key by key (the spec sets none, so the files' map is taken).
  assert.deepEqual(sent['Environment'], { CORP_PROXY: 'http://proxy:3128', TEAM: 'nlp' });
  assert.equal(d.HyperParameters?.['sagemaker_submit_directory'], JSON.stringify(started.sourceS3Uri));
  const sm = new SageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint, maxAttempts: 1 });
  const jobTags = (await sm.send(new ListTagsCommand({ ResourceArn: d.TrainingJobArn }))).Tags ?? [];
  assert.ok(
    jobTags.some((t) => t.Key === 'owner' && t.Value === 'me'),
    JSON.stringify(jobTags),
  );
  assert.ok(!jobTags.some((t) => t.Key === 'cost-center'), "the user file's Tags list replaced the admin one");
  assert.ok(started.sdkDefaults.some((a) => a.field === 'VpcConfig' && a.files[0] === adminFile));

  const deployed = await deployFromJob(conn, started.jobName, {
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    pollMs: 10,
  });
  const name = deployed.endpointName;
  const model = await sm.send(new DescribeModelCommand({ ModelName: name }));
  assert.deepEqual(model.VpcConfig, {
    SecurityGroupIds: ['sg-0123456789abcdef0'],
    Subnets: ['subnet-0123456789abcdef0'],
  });
  const ec = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }));
  assert.equal(ec.KmsKeyId, `arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/endpoint`);
  const keys = async (arn: string | undefined) =>
    ((await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? []).map((t) => t.Key).sort();
  // The training job's own tags first (HuggingFace.attach(job).deploy()), then the file's SageMaker.Model.Tags.
  assert.deepEqual(await keys(model.ModelArn), [
    'cost-center',
    'owner',
    'sagemaker-hf:created-by',
    'sagemaker-hf:training-job',
  ]);
  const endpointArn = ec.EndpointConfigArn!.replace(':endpoint-config/', ':endpoint/');
  // The endpoint config's file tags land on the endpoint too, then SageMaker.Endpoint.Tags.
  assert.deepEqual(await keys(endpointArn), [
    'cost-center',
    'owner',
    'sagemaker-hf:created-by',
    'sagemaker-hf:training-job',
  ]);
});

test('train --dry-run says which value came from which file', async () => {
  const { stderr } = await run(
    process.execPath,
    [cli, 'train', example, '--dry-run', '--account', MOTO_ACCOUNT, '--role', ROLE, '--region', 'us-east-1'],
    { env: { ...process.env, SAGEMAKER_USER_CONFIG_OVERRIDE: adminFile } },
  );
  assert.match(
    stderr,
    new RegExp(`CreateTrainingJob VpcConfig from ${adminFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  );
});

test('deploy --dry-run names the file of each value it took', async () => {
  assert.ok(trainedJob, 'the training test ran first');
  const { stderr, stdout } = await run(
    process.execPath,
    [
      cli,
      'deploy',
      trainedJob,
      '--dry-run',
      '--instance-type',
      'ml.m5.xlarge',
      '--role',
      ROLE,
      '--region',
      'us-east-1',
    ],
    { env: { ...process.env } },
  );
  assert.ok(
    stderr.includes(`note: CreateEndpointConfig KmsKeyId from ${adminFile} (SageMaker.EndpointConfig.KmsKeyId)`),
    stderr,
  );
  // The job's own owner tag (attach() reads it) is already there, so SageMaker.Endpoint.Tags adds nothing,
  // as the SDK's _append_sagemaker_config_tags skips a key present.
  assert.ok(!stderr.includes('(SageMaker.Endpoint.Tags)'), stderr);
  const sent = JSON.parse(stdout) as { CreateEndpoint: { Tags: { Key: string; Value: string }[] } };
  assert.deepEqual(sent.CreateEndpoint.Tags[0], { Key: 'owner', Value: 'me' });
  assert.equal(JSON.parse(stdout).CreateEndpointConfig.KmsKeyId, `arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/endpoint`);
});

test('a malformed file: connect refuses, naming the file, the line and the key path', async () => {
  const bad = path.join(tmp, 'bad.yaml');
  fs.writeFileSync(
    bad,
    'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    VpcConfig:\n      Subnetz: [subnet-1]\n',
  );
  process.env.SAGEMAKER_ADMIN_CONFIG_OVERRIDE = bad;
  try {
    await assert.rejects(
      connect({ region: 'us-east-1' }),
      (e: unknown) =>
        e instanceof UserError &&
        e.message.startsWith(`${bad}:5: SageMaker.TrainingJob.VpcConfig.Subnetz is not a key`),
    );
  } finally {
    process.env.SAGEMAKER_ADMIN_CONFIG_OVERRIDE = adminFile;
  }
});
