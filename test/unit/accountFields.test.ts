// The company-account spec fields (environment, tags, vpc, KMS keys, output and code locations, bucket,
// network isolation, inter-container encryption, checkpoints, deploy.kmsKeyId) in the requests, each checked
// against what SageMaker Python SDK v2.257.6 sends for the estimator / deploy argument (job.py _load_config,
// session.py _get_train_request / endpoint_from_production_variants, estimator.py _stage_user_code_in_s3 and
// deploy(), utils.py format_tags / instance_supports_kms), and the one-line errors naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseSpecText, type JobSpec } from '../../src/core/spec/spec';
import { loadSpecFile } from '../../src/workflow/specFile';
import { buildTrainingRequest } from '../../src/core/training/trainingRequest';
import { s3PathJoin } from '../../src/core/training/accountOptions';
import {
  baseNameFromImage,
  buildDeployRequests,
  buildHubDeployRequests,
  endpointKmsProblem,
  instanceSupportsKms,
} from '../../src/core/endpoints/deployRequests';
import { withSpecBucket } from '../../src/workflow/connect';
import { describeAwsError } from '../../src/aws/errors';
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
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ROLE = ctx.role;

async function variant(edit: (s: JobSpec) => void): Promise<JobSpec> {
  const spec = await loadSpecFile(example);
  edit(spec);
  return spec;
}

/** The example spec's text with some fields set, parsed the way the CLI and the editor parse it. */
async function specText(edit: (raw: Record<string, Record<string, unknown>>) => void): Promise<string> {
  const raw = JSON.parse(JSON.stringify(await loadSpecFile(example))) as Record<string, Record<string, unknown>>;
  delete raw['file'];
  edit(raw);
  return JSON.stringify(raw);
}

test('environment: sent as given as Environment (environment is not None)', async () => {
  const spec = await variant((s) => {
    s.training.environment = { HF_HUB_OFFLINE: '0', TOKENIZERS_PARALLELISM: 'false' };
  });
  assert.deepEqual(buildTrainingRequest(spec, ctx).request.Environment, {
    HF_HUB_OFFLINE: '0',
    TOKENIZERS_PARALLELISM: 'false',
  });
  assert.equal('Environment' in buildTrainingRequest(await loadSpecFile(example), ctx).request, false);
});

test('environment: a bad name or HF_TOKEN is one line naming the field', async () => {
  const bad = await specText((r) => {
    r['training']!['environment'] = { '1BAD': 'x' };
  });
  assert.throws(() => parseSpecText(bad), /invalid spec: training\.environment\.1BAD /);
  const token = await specText((r) => {
    r['training']!['environment'] = { HF_TOKEN: 'hf_x' };
  });
  assert.throws(() => parseSpecText(token), /training\.environment\.HF_TOKEN /);
});

test('tags: {Key, Value} in the spec order first (format_tags), the tool tags after; on Processing too', async () => {
  const spec = await variant((s) => {
    s.tags = { team: 'nlp', 'cost-center': '1234', a: 'z' };
  });
  const tags = buildTrainingRequest(spec, ctx).request.Tags!;
  assert.deepEqual(tags.slice(0, 3), [
    { Key: 'team', Value: 'nlp' },
    { Key: 'cost-center', Value: '1234' },
    { Key: 'a', Value: 'z' },
  ]);
  assert.deepEqual(
    tags.slice(3).map((t) => t.Key),
    ['sagemaker-hf:created-by', 'sagemaker-hf:spec'],
  );
  const reserved = await specText((r) => {
    r['tags'] = { 'aws:owner': 'x' };
  });
  assert.throws(() => parseSpecText(reserved), /invalid spec: tags\.aws:owner /);
  const badValue = await specText((r) => {
    r['tags'] = { team: 'a;b' };
  });
  assert.throws(() => parseSpecText(badValue), /invalid spec: tags\.team must match pattern/);
});

test('vpc: VpcConfig {Subnets, SecurityGroupIds} (vpc_utils.to_dict); both lists required', async () => {
  const spec = await variant((s) => {
    s.training.vpc = { subnets: ['subnet-0a', 'subnet-0b'], securityGroupIds: ['sg-01'] };
  });
  assert.deepEqual(buildTrainingRequest(spec, ctx).request.VpcConfig, {
    Subnets: ['subnet-0a', 'subnet-0b'],
    SecurityGroupIds: ['sg-01'],
  });
  const half = await specText((r) => {
    r['training']!['vpc'] = { subnets: ['subnet-0a'] };
  });
  assert.throws(() => parseSpecText(half), /training\.vpc\.securityGroupIds is required/);
  const wrong = await specText((r) => {
    r['training']!['vpc'] = { subnets: ['sg-0a'], securityGroupIds: ['sg-01'] };
  });
  assert.throws(() => parseSpecText(wrong), /training\.vpc\.subnets\.0 must match pattern/);
});

test('KMS keys: OutputDataConfig.KmsKeyId, ResourceConfig.VolumeKmsKeyId; the source upload takes the output key', async () => {
  const spec = await variant((s) => {
    s.training.outputKmsKeyId = KEY;
    s.training.volumeKmsKeyId = 'alias/volumes';
  });
  const built = buildTrainingRequest(spec, ctx);
  assert.deepEqual(built.request.OutputDataConfig, { S3OutputPath: `s3://${ctx.bucket}/`, KmsKeyId: KEY });
  assert.equal(built.request.ResourceConfig!.VolumeKmsKeyId, 'alias/volumes');
  assert.equal(built.sourceKmsKeyId, KEY);
  const none = buildTrainingRequest(await loadSpecFile(example), ctx);
  assert.equal(none.sourceKmsKeyId, undefined);
  assert.equal('KmsKeyId' in none.request.OutputDataConfig!, false);
});

test("outputPath: sent as given; without codeLocation the source goes to the output bucket's root /{job}/source", async () => {
  const spec = await variant((s) => {
    s.training.outputPath = 's3://models-bucket/team/nlp/';
    s.training.outputKmsKeyId = KEY;
  });
  const built = buildTrainingRequest(spec, ctx);
  assert.equal(built.request.OutputDataConfig!.S3OutputPath, 's3://models-bucket/team/nlp/');
  // _stage_user_code_in_s3: an explicit output_path's key prefix is not used for the code.
  assert.equal(built.sourceS3Uri, `s3://models-bucket/${JOB}/source/sourcedir.tar.gz`);
  assert.equal(built.request.HyperParameters!['sagemaker_submit_directory'], JSON.stringify(built.sourceS3Uri));
  assert.equal(
    built.request.ProfilerConfig!.S3OutputPath ?? 's3://models-bucket/team/nlp/',
    's3://models-bucket/team/nlp/',
  );
  assert.equal(built.sourceKmsKeyId, KEY);
});

test('codeLocation: {codeLocation}/{job}/source; the output key only when it is the output bucket', async () => {
  const other = await variant((s) => {
    s.training.codeLocation = 's3://code-bucket/src/';
    s.training.outputKmsKeyId = KEY;
  });
  const a = buildTrainingRequest(other, ctx);
  assert.equal(a.sourceS3Uri, `s3://code-bucket/src/${JOB}/source/sourcedir.tar.gz`);
  assert.equal(a.sourceKmsKeyId, undefined);
  const same = await variant((s) => {
    s.training.codeLocation = `s3://${ctx.bucket}/code`;
    s.training.outputKmsKeyId = KEY;
  });
  const b = buildTrainingRequest(same, ctx);
  assert.equal(b.sourceS3Uri, `s3://${ctx.bucket}/code/${JOB}/source/sourcedir.tar.gz`);
  assert.equal(b.sourceKmsKeyId, KEY);
  assert.equal(s3PathJoin('s3://', 'b', '', 'x/', '/y'), 's3://b/x/y');
  const bad = await specText((r) => {
    r['training']!['codeLocation'] = 'https://example.com/code';
  });
  assert.throws(() => parseSpecText(bad), /training\.codeLocation must match pattern/);
});

test('bucket: Session(default_bucket=) moves data, source, output and checkpoints; an explicit --bucket stays', async () => {
  const spec = await variant((s) => {
    s.bucket = 'team-ml-bucket';
    s.training.spot = { maxWaitSeconds: 172800 };
  });
  const built = buildTrainingRequest(spec, ctx);
  assert.equal(built.request.OutputDataConfig!.S3OutputPath, 's3://team-ml-bucket/');
  assert.equal(built.sourceS3Uri, `s3://team-ml-bucket/${JOB}/source/sourcedir.tar.gz`);
  assert.equal(built.request.CheckpointConfig!.S3Uri, `s3://team-ml-bucket/${JOB}/checkpoints`);
  for (const c of built.request.InputDataConfig!)
    assert.match(c.DataSource!.S3DataSource!.S3Uri!, /^s3:\/\/team-ml-bucket\//);
  const explicit = buildTrainingRequest(spec, { ...ctx, bucket: 'from-the-cli' });
  assert.equal(explicit.request.OutputDataConfig!.S3OutputPath, 's3://from-the-cli/');
  const conn = { account: ctx.account, region: ctx.region, bucket: ctx.bucket };
  assert.equal(withSpecBucket(conn, spec).bucket, 'team-ml-bucket');
  assert.equal(withSpecBucket(conn, {}), conn);
  const bad = await specText((r) => {
    (r as Record<string, unknown>)['bucket'] = 'Bad_Bucket';
  });
  assert.throws(() => parseSpecText(bad), /invalid spec: bucket must match pattern/);
});

test('networkIsolation: EnableNetworkIsolation, the source as channel "code", submit dir in the container', async () => {
  const spec = await variant((s) => {
    s.training.networkIsolation = true;
  });
  const built = buildTrainingRequest(spec, ctx);
  assert.equal(built.request.EnableNetworkIsolation, true);
  assert.equal(
    built.request.HyperParameters!['sagemaker_submit_directory'],
    JSON.stringify('/opt/ml/input/data/code/sourcedir.tar.gz'),
  );
  assert.deepEqual(built.request.InputDataConfig!.at(-1), {
    DataSource: {
      S3DataSource: { S3DataType: 'S3Prefix', S3Uri: built.sourceS3Uri, S3DataDistributionType: 'FullyReplicated' },
    },
    ChannelName: 'code',
  });
  assert.match(built.validated.warnings.join('\n'), /no network.*Hub model_id/);
  assert.equal('EnableNetworkIsolation' in buildTrainingRequest(await loadSpecFile(example), ctx).request, false);
  const hub = await variant((s) => {
    s.training.networkIsolation = true;
    s.training.pushToHub = { repo: 'me/model' };
  });
  assert.throws(() => buildTrainingRequest(hub, { ...ctx, hubToken: 'hf_x' }), /^UserError: training\.pushToHub: /);
});

test('interContainerEncryption: EnableInterContainerTrafficEncryption only when true', async () => {
  const on = await variant((s) => {
    s.training.interContainerEncryption = true;
  });
  assert.equal(buildTrainingRequest(on, ctx).request.EnableInterContainerTrafficEncryption, true);
  const off = await variant((s) => {
    s.training.interContainerEncryption = false;
  });
  assert.equal('EnableInterContainerTrafficEncryption' in buildTrainingRequest(off, ctx).request, false);
});

test("spot.checkpointS3Uri: CheckpointConfig.S3Uri as given (resume from an earlier job's checkpoints)", async () => {
  const spec = await variant((s) => {
    s.training.spot = { maxWaitSeconds: 172800, checkpointS3Uri: 's3://b/earlier-job/checkpoints' };
  });
  assert.deepEqual(buildTrainingRequest(spec, ctx).request.CheckpointConfig, {
    S3Uri: 's3://b/earlier-job/checkpoints',
    LocalPath: '/opt/ml/checkpoints',
  });
});

const DEPLOY = {
  trainingJobName: 'job-1',
  modelDataUrl: 's3://b/job-1/output/model.tar.gz',
  image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-gpu',
  role: ROLE,
  region: 'us-east-1',
  instanceType: 'ml.m5.xlarge',
  initialInstanceCount: 1,
  name: 'job-1-2026-01-01-00-00-00-000',
};

test('deploy: tags first on all three, VpcConfig on the model, KmsKeyId on the config, model keeps its name', () => {
  const vpc = { Subnets: ['subnet-0a'], SecurityGroupIds: ['sg-01'] };
  const r = buildDeployRequests({
    ...DEPLOY,
    name: 'my-endpoint',
    modelName: DEPLOY.name,
    userTags: [{ Key: 'team', Value: 'nlp' }],
    vpcConfig: vpc,
    kmsKeyId: KEY,
  });
  assert.equal(r.createModel.ModelName, DEPLOY.name);
  assert.equal(r.createEndpointConfig.ProductionVariants![0]!.ModelName, DEPLOY.name);
  assert.equal(r.createEndpointConfig.EndpointConfigName, 'my-endpoint');
  assert.equal(r.createEndpoint.EndpointName, 'my-endpoint');
  assert.deepEqual(r.createModel.VpcConfig, vpc);
  assert.equal(r.createEndpointConfig.KmsKeyId, KEY);
  for (const tags of [r.createModel.Tags, r.createEndpointConfig.Tags, r.createEndpoint.Tags])
    assert.deepEqual(tags![0], { Key: 'team', Value: 'nlp' });
  const plain = buildDeployRequests(DEPLOY);
  assert.equal('KmsKeyId' in plain.createEndpointConfig, false);
  assert.equal('VpcConfig' in plain.createModel, false);
});

test('deploy.kmsKeyId: instance_supports_kms (no "d" family, not g5/g6/p5/trn1) decides the warning; sent as given', () => {
  assert.equal(instanceSupportsKms('ml.m5.xlarge'), true);
  assert.equal(instanceSupportsKms('ml.p3.2xlarge'), true);
  for (const t of [
    'ml.g4dn.xlarge',
    'ml.g5.xlarge',
    'ml.g6.xlarge',
    'ml.p4d.24xlarge',
    'ml.p5.48xlarge',
    'ml.c5d.xlarge',
  ])
    assert.equal(instanceSupportsKms(t), false, t);
  assert.match(
    endpointKmsProblem({ kmsKeyId: KEY, instanceType: 'ml.g4dn.xlarge' })!,
    /^deploy\.kmsKeyId: ml\.g4dn\.xlarge has NVMe/,
  );
  assert.equal(endpointKmsProblem({ kmsKeyId: KEY, instanceType: 'ml.m5.xlarge' }), undefined);
  assert.match(
    endpointKmsProblem({
      kmsKeyId: KEY,
      instanceType: 'ml.m5.xlarge',
      serverless: { memorySizeInMB: 2048, maxConcurrency: 1 },
    })!,
    /serverless/,
  );
  const r = buildDeployRequests({ ...DEPLOY, instanceType: 'ml.g4dn.xlarge', kmsKeyId: KEY });
  assert.equal(r.createEndpointConfig.KmsKeyId, KEY);
});

test('deploy --hub: named from the image (base_name_from_image), SAGEMAKER_PROGRAM/SUBMIT_DIRECTORY empty', () => {
  assert.equal(baseNameFromImage(DEPLOY.image), 'huggingface-pytorch-inference');
  const r = buildHubDeployRequests({
    modelId: 'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
    task: 'text-classification',
    image: DEPLOY.image,
    role: ROLE,
    region: 'us-east-1',
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    name: 'huggingface-pytorch-inference-2026-01-01-00-00-00-000',
  });
  assert.deepEqual(r.createModel.PrimaryContainer!.Environment, {
    HF_MODEL_ID: 'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
    HF_TASK: 'text-classification',
    SAGEMAKER_PROGRAM: '',
    SAGEMAKER_SUBMIT_DIRECTORY: '',
    SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
    SAGEMAKER_REGION: 'us-east-1',
  });
});

test('schema: deploy.kmsKeyId and top-level tags are known fields with one-line errors', async () => {
  const bad = await specText((r) => {
    r['deploy'] = { instanceType: 'ml.m5.xlarge', initialInstanceCount: 1, kmsKeyId: 'not a key!' };
  });
  assert.throws(() => parseSpecText(bad), /invalid spec: deploy\.kmsKeyId must match pattern/);
  const ok = await specText((r) => {
    r['deploy'] = { instanceType: 'ml.m5.xlarge', initialInstanceCount: 1, kmsKeyId: KEY };
    (r as Record<string, unknown>)['tags'] = { team: 'nlp' };
  });
  assert.equal(parseSpecText(ok).deploy.kmsKeyId, KEY);
});

test('when AWS says no: the reason in one line and the field that fixes it', () => {
  const target = { region: 'us-east-1' };
  const err = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });
  const cases: [string, string, string][] = [
    [
      'AccessDeniedException',
      'User: arn:aws:sts::1:assumed-role/dev/x is not authorized to perform: sagemaker:CreateTrainingJob on resource: arn:aws:sagemaker:us-east-1:1:training-job/j with an explicit deny in a service control policy',
      'tags',
    ],
    [
      'AccessDeniedException',
      'User: x is not authorized to perform: iam:PassRole on resource: role/r',
      'training.role',
    ],
    ['ValidationException', 'The subnet subnet-0a does not exist', 'training.vpc'],
    ['ValidationException', 'Invalid KmsKeyId alias/nope', 'training.outputKmsKeyId'],
  ];
  for (const [name, message, field] of cases) {
    const e = describeAwsError(err(name, message), target, 'Creating training job j');
    assert.ok(e instanceof UserError);
    assert.equal(e.field, field, message);
    assert.match(e.message, /^Creating training job j failed: .*Likely /);
    assert.equal(e.message.includes('\n'), false);
  }
  const plain = describeAwsError(err('ValidationException', 'MaxRuntimeInSeconds too large'), target, 'x');
  assert.equal((plain as UserError).field, undefined);
});
