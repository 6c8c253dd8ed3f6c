// A company account's spec against a real moto_server: one spec using every account field (bucket, tags,
// environment, vpc, networkIsolation, interContainerEncryption, outputPath, outputKmsKeyId, volumeKmsKeyId,
// codeLocation, spot.checkpointS3Uri, deploy.kmsKeyId, deploy.endpointName) and an SDK defaults file creates a training job through
// the built CLI, then a model, endpoint config and endpoint, and each is read back from moto. moto's
// DescribeTrainingJob drops Environment, so that one field is checked in the CreateTrainingJob request the
// loopback proxy (test/helpers/sageMakerProxy.ts) recorded on the way.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { startSageMakerProxy, type SageMakerProxy } from '../helpers/sageMakerProxy';
import { connect } from '../../src/workflow/connect';
import { deployFromJob } from '../../src/workflow/endpoints/deploy';
import { loadSpecFile } from '../../src/workflow/specFile';

const repo = path.resolve(__dirname, '../../..');
const example = path.join(repo, 'examples/emotion.sagemaker-hf.json');
const cli = path.join(repo, 'dist/cli.js');
const run = promisify(execFile);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
const BUCKET = 'team-ml-bucket';
const KEY = `arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const VPC = { subnets: ['subnet-0a1b2c3d', 'subnet-0e1f2a3b'], securityGroupIds: ['sg-0123abcd'] };
let moto: Moto;
let proxy: SageMakerProxy;
let sm: SageMakerClient;
let s3: S3Client;
let tmp: string;
let restore: (() => void) | undefined;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  proxy = await startSageMakerProxy(moto.endpoint);
  const cfg = {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  sm = new SageMakerClient(cfg);
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  // The team's bucket, holding the prepared dataset (the default sagemaker-{region}-{account} is never made).
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'samples/datasets/emotion/.sagemaker-hf-manifest.json',
      Body: '{"version":1}',
    }),
  );
  for (const ch of ['train', 'test'])
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `samples/datasets/emotion/${ch}/dataset_info.json`, Body: '{}' }),
    );
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'accounts-it-'));
});
after(async () => {
  restore?.();
  await proxy?.close();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function accountSpec(): string {
  const raw = JSON.parse(fs.readFileSync(example, 'utf8'));
  delete raw.$schema;
  raw.bucket = BUCKET;
  raw.tags = { team: 'nlp', 'cost-center': '1234' };
  raw.training.sourceDir = path.join(repo, 'training-scripts');
  raw.training.baseJobName = 'acct';
  raw.training.environment = { TOKENIZERS_PARALLELISM: 'false' };
  raw.training.vpc = VPC;
  raw.training.networkIsolation = true;
  raw.training.interContainerEncryption = true;
  raw.training.outputPath = `s3://${BUCKET}/models/`;
  raw.training.outputKmsKeyId = KEY;
  raw.training.volumeKmsKeyId = 'alias/volumes';
  raw.training.codeLocation = `s3://${BUCKET}/code`;
  raw.training.spot = { maxWaitSeconds: 172800, checkpointS3Uri: `s3://${BUCKET}/checkpoints/earlier-job` };
  raw.deploy = { instanceType: 'ml.m5.xlarge', initialInstanceCount: 1, endpointName: 'acct-endpoint', kmsKeyId: KEY };
  const file = path.join(tmp, 'acct.sagemaker-hf.json');
  fs.writeFileSync(file, JSON.stringify(raw));
  return file;
}

// An administrator's SDK defaults file beside the spec: its tags come after the spec's, a key the spec sets
// stays the spec's (Session._append_sagemaker_config_tags), and SageMaker.Model.Tags reach only the model.
const ADMIN_DEFAULTS = `SchemaVersion: '1.0'
SageMaker:
  TrainingJob:
    Tags:
      - Key: data-classification
        Value: internal
      - Key: team
        Value: from-the-file
  Model:
    Tags:
      - Key: model-owner
        Value: ml-platform
`;

test('every account field and a defaults file: training job, model, endpoint config and endpoint created and read back', async () => {
  const file = accountSpec();
  const admin = path.join(tmp, 'admin-config.yaml');
  fs.writeFileSync(admin, ADMIN_DEFAULTS);
  const env = {
    ...moto.env,
    AWS_ENDPOINT_URL: proxy.url,
    SAGEMAKER_ROLE_ARN: ROLE,
    SAGEMAKER_ADMIN_CONFIG_OVERRIDE: admin,
  };
  const r = await run(process.execPath, [cli, 'train', file], { env });
  const job = /Created training job (\S+) \(source (\S+)\)/.exec(r.stdout);
  assert.ok(job, r.stdout + r.stderr);
  const [, jobName, source] = job;
  assert.match(r.stdout, new RegExp(`job ${jobName}, image `), 'the confirmation names the job created');
  assert.match(r.stdout, /bucket s3:\/\/team-ml-bucket \(the spec's bucket; created when missing/);
  assert.equal(source, `s3://${BUCKET}/code/${jobName}/source/sourcedir.tar.gz`);

  // The source went up with the output KMS key (code location in the output bucket).
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: source!.slice(`s3://${BUCKET}/`.length) }));
  assert.equal(head.ServerSideEncryption, 'aws:kms');
  assert.equal(head.SSEKMSKeyId, KEY);

  const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
  assert.deepEqual(d.VpcConfig, { Subnets: VPC.subnets, SecurityGroupIds: VPC.securityGroupIds });
  assert.equal(d.EnableNetworkIsolation, true);
  assert.equal(d.EnableInterContainerTrafficEncryption, true);
  assert.deepEqual(d.OutputDataConfig, { S3OutputPath: `s3://${BUCKET}/models/`, KmsKeyId: KEY });
  assert.equal(d.ResourceConfig?.VolumeKmsKeyId, 'alias/volumes');
  assert.equal(d.CheckpointConfig?.S3Uri, `s3://${BUCKET}/checkpoints/earlier-job`);
  assert.equal(d.HyperParameters?.['sagemaker_submit_directory'], '"/opt/ml/input/data/code/sourcedir.tar.gz"');
  assert.deepEqual(
    d.InputDataConfig?.map((c) => [c.ChannelName, c.DataSource?.S3DataSource?.S3Uri]),
    [
      ['train', `s3://${BUCKET}/samples/datasets/emotion/train`],
      ['test', `s3://${BUCKET}/samples/datasets/emotion/test`],
      ['code', source],
    ],
  );
  const jobTags = await sm.send(new ListTagsCommand({ ResourceArn: d.TrainingJobArn }));
  assert.deepEqual(jobTags.Tags?.slice(0, 2), [
    { Key: 'team', Value: 'nlp' },
    { Key: 'cost-center', Value: '1234' },
  ]);
  assert.ok(
    jobTags.Tags?.some((t) => t.Key === 'data-classification' && t.Value === 'internal'),
    'the defaults file adds its new tag key',
  );
  assert.ok(!jobTags.Tags?.some((t) => t.Value === 'from-the-file'), "the spec's team tag wins over the file's");
  assert.match(r.stderr + r.stdout, /Tags from .*admin-config\.yaml/, 'the run says which value came from the file');
  // moto's DescribeTrainingJob has no Environment: the request on the wire says what was sent.
  const created = proxy.requests.find((x) => x.target === 'CreateTrainingJob')!.body as {
    Environment: Record<string, string>;
  };
  assert.deepEqual(created.Environment, { TOKENIZERS_PARALLELISM: 'false' });

  // Deploy as `estimator.deploy(endpoint_name=, kms_key=)` of that estimator: its tags, its VpcConfig.
  const spec = await loadSpecFile(file);
  const before = process.env.SAGEMAKER_ADMIN_CONFIG_OVERRIDE;
  process.env.SAGEMAKER_ADMIN_CONFIG_OVERRIDE = admin;
  let session;
  try {
    session = await connect({ region: 'us-east-1', endpoint: proxy.url });
  } finally {
    process.env.SAGEMAKER_ADMIN_CONFIG_OVERRIDE = before;
  }
  const conn = { ...session, role: ROLE };
  proxy.requests.length = 0;
  const deployed = await deployFromJob(conn, jobName!, {
    instanceType: spec.deploy.instanceType,
    initialInstanceCount: spec.deploy.initialInstanceCount,
    endpointName: spec.deploy.endpointName!,
    kmsKeyId: spec.deploy.kmsKeyId!,
    tags: spec.tags!,
    pollMs: 10,
  });
  assert.equal(deployed.endpointName, 'acct-endpoint');
  assert.deepEqual(deployed.notes, [
    "the training job ran with network isolation; the model does not inherit it (as the SDK's HuggingFace estimator), so the endpoint container has network access",
  ]);
  const modelName = deployed.requests.createModel.ModelName!;
  assert.match(modelName, /^acct-\d{4}(-\d{2}){5}-\d{3}$/, 'the model keeps the default name');
  const model = await sm.send(new DescribeModelCommand({ ModelName: modelName }));
  assert.equal(model.EnableNetworkIsolation ?? false, false);
  assert.deepEqual(model.VpcConfig, { Subnets: VPC.subnets, SecurityGroupIds: VPC.securityGroupIds });
  const cfg = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'acct-endpoint' }));
  assert.equal(cfg.KmsKeyId, KEY);
  assert.equal(cfg.ProductionVariants?.[0]?.ModelName, modelName);
  const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: 'acct-endpoint' }));
  assert.equal(ep.EndpointConfigName, 'acct-endpoint');
  for (const arn of [model.ModelArn, cfg.EndpointConfigArn, ep.EndpointArn]) {
    const tags = await sm.send(new ListTagsCommand({ ResourceArn: arn }));
    assert.deepEqual(tags.Tags?.[0], { Key: 'team', Value: 'nlp' }, arn);
    // SageMaker.Model.Tags reach the model only; SageMaker.TrainingJob.Tags reach none of these.
    assert.equal(
      tags.Tags?.some((t) => t.Key === 'model-owner'),
      arn === model.ModelArn,
      `model-owner on ${arn}`,
    );
    assert.ok(!tags.Tags?.some((t) => t.Key === 'data-classification'), arn);
  }
});

test("deploy <job> from the CLI (no spec): the training job's own tags on model, config and endpoint, as HuggingFace.attach(job).deploy()", async () => {
  const file = accountSpec();
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  raw.tags = { team: 'vision', owner: 'ana' };
  raw.training.baseJobName = 'tagged';
  delete raw.deploy;
  fs.writeFileSync(file, JSON.stringify(raw));
  const env = { ...moto.env, AWS_ENDPOINT_URL: proxy.url, SAGEMAKER_ROLE_ARN: ROLE };
  const r = await run(process.execPath, [cli, 'train', file], { env });
  const jobName = /Created training job (\S+) /.exec(r.stdout)?.[1];
  assert.ok(jobName, r.stdout + r.stderr);
  const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
  // A tag AWS reserves (a CloudFormation stack's, say) is read back but never sent to a create call.
  await sm.send(
    new (await import('@aws-sdk/client-sagemaker')).AddTagsCommand({
      ResourceArn: d.TrainingJobArn,
      Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'ml' }],
    }),
  );
  const dep = await run(
    process.execPath,
    [
      cli,
      'deploy',
      jobName!,
      '--yes',
      '--endpoint-name',
      'tagged-endpoint',
      '--poll-seconds',
      '0.1',
      '--instance-type',
      'ml.m5.xlarge',
    ],
    { env },
  );
  assert.doesNotMatch(dep.stderr, /tags could not be read/);
  const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: 'tagged-endpoint' }));
  const cfg = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'tagged-endpoint' }));
  const model = await sm.send(new DescribeModelCommand({ ModelName: cfg.ProductionVariants![0]!.ModelName! }));
  for (const arn of [model.ModelArn, cfg.EndpointConfigArn, ep.EndpointArn]) {
    const tags = (await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? [];
    assert.deepEqual(
      tags.slice(0, 2),
      [
        { Key: 'team', Value: 'vision' },
        { Key: 'owner', Value: 'ana' },
      ],
      arn,
    );
    assert.ok(!tags.some((t) => t.Key?.startsWith('aws:')), `no aws: tag sent: ${arn}`);
    assert.equal(tags.filter((t) => t.Key === 'sagemaker-hf:created-by').length, 1, `the tool's tag once: ${arn}`);
  }
});
