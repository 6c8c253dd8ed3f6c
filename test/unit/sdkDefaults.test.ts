// The SageMaker Python SDK's defaults file, rule by rule as SDK v2.257.6 reads and applies it. Each test
// names the SDK function whose behaviour it pins (sagemaker/config/config.py, sagemaker/utils.py,
// sagemaker/session.py, sagemaker/estimator.py, sagemaker/model.py); the files are temp files named by
// the override variables, never the real /etc/xdg or ~/.config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  describeApplied,
  mergeSdkDefaults,
  parseSdkDefaultsFile,
  sdkConfigLocations,
  type ConfigMap,
  type SdkDefaults,
} from '../../src/core/sagemaker/sdkDefaults';
import {
  applyDeployDefaults,
  applyProcessingDefaults,
  applyTrainingDefaults,
  defaultS3Bucket,
  instanceSupportsKms,
} from '../../src/core/sagemaker/sdkDefaultsApply';
import { loadSdkDefaults } from '../../src/workflow/sdkDefaultsFiles';
import { dryRun } from '../../src/workflow/training/train';
import { expectedBucketOwner } from '../../src/workflow/connect';
import { loadSpecFile } from '../../src/workflow/specFile';
import { UserError } from '../../src/core/errors';
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';

const ADMIN = '/etc/xdg/sagemaker/config.yaml';
const USER = '/home/u/.config/sagemaker/config.yaml';

function defaults(admin: string, user?: string): SdkDefaults {
  const docs: { file: string; doc: ConfigMap }[] = [];
  const a = parseSdkDefaultsFile(admin, ADMIN);
  if (a) docs.push({ file: ADMIN, doc: a });
  const u = user === undefined ? undefined : parseSdkDefaultsFile(user, USER);
  if (u) docs.push({ file: USER, doc: u });
  return mergeSdkDefaults(docs);
}

const BUCKET = 'sagemaker-us-east-1-111122223333';
const JOB = 'huggingface-pytorch-trcomp-training-2021-12-03-16-34-50-123';
const SOURCE = `s3://${BUCKET}/${JOB}/source/sourcedir.tar.gz`;

function trainingRequest(extra: Partial<CreateTrainingJobRequest> = {}): CreateTrainingJobRequest {
  return {
    AlgorithmSpecification: { TrainingInputMode: 'File', TrainingImage: 'img' },
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/` },
    TrainingJobName: JOB,
    StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    ResourceConfig: { VolumeSizeInGB: 30, InstanceCount: 1, InstanceType: 'ml.p3.2xlarge' },
    RoleArn: 'arn:aws:iam::111122223333:role/R',
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `s3://${BUCKET}/samples/datasets/emotion/train`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
      },
    ],
    HyperParameters: { sagemaker_submit_directory: JSON.stringify(SOURCE), sagemaker_program: '"train.py"' },
    DebugHookConfig: { S3OutputPath: `s3://${BUCKET}/`, CollectionConfigurations: [] },
    ProfilerConfig: { DisableProfiler: true },
    Tags: [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }],
    ...extra,
  };
}

const train = (d: SdkDefaults, extra: Partial<CreateTrainingJobRequest> = {}) =>
  applyTrainingDefaults({ request: trainingRequest(extra), sourceS3Uri: SOURCE, jobName: JOB }, d, BUCKET);

// ---- config.py: where the files are, how they are read ----

test('config.py _DEFAULT_ADMIN/USER_CONFIG_FILE_PATH: platformdirs site/user config dirs on Linux, overridden by the env vars', () => {
  assert.deepEqual(sdkConfigLocations({}, 'linux', '/home/u'), [
    { location: '/etc/xdg/sagemaker/config.yaml' },
    { location: '/home/u/.config/sagemaker/config.yaml' },
  ]);
  assert.deepEqual(
    sdkConfigLocations({ XDG_CONFIG_DIRS: '/opt/xdg:/etc/xdg', XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u').map(
      (l) => l.location,
    ),
    ['/opt/xdg/sagemaker/config.yaml', '/cfg/sagemaker/config.yaml'],
  );
  assert.deepEqual(
    sdkConfigLocations(
      { SAGEMAKER_ADMIN_CONFIG_OVERRIDE: 's3://b/admin/', SAGEMAKER_USER_CONFIG_OVERRIDE: '/tmp/x' },
      'linux',
      '/home/u',
    ),
    [
      { location: 's3://b/admin/', fromEnv: 'SAGEMAKER_ADMIN_CONFIG_OVERRIDE' },
      { location: '/tmp/x', fromEnv: 'SAGEMAKER_USER_CONFIG_OVERRIDE' },
    ],
  );
  assert.equal(
    sdkConfigLocations({}, 'darwin', '/Users/u')[1]!.location,
    '/Users/u/Library/Application Support/sagemaker/config.yaml',
  );
});

test('config.py load_sagemaker_config: an override may name a folder (its config.yaml); a missing override is an error, a missing default file is not', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sdkdefaults-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'config.yaml'),
      'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    EnableNetworkIsolation: true\n',
    );
    const home = path.join(dir, 'home');
    const d = await loadSdkDefaults(
      { region: 'us-east-1' },
      {
        env: { SAGEMAKER_ADMIN_CONFIG_OVERRIDE: dir, XDG_CONFIG_HOME: path.join(dir, 'nothing') },
        platform: 'linux',
        home,
      },
    );
    assert.deepEqual(d.files, [path.join(dir, 'config.yaml')]);
    assert.equal(
      (d.config as { SageMaker: { TrainingJob: { EnableNetworkIsolation: boolean } } }).SageMaker.TrainingJob
        .EnableNetworkIsolation,
      true,
    );
    await assert.rejects(
      loadSdkDefaults(
        { region: 'us-east-1' },
        {
          env: { SAGEMAKER_ADMIN_CONFIG_OVERRIDE: dir, SAGEMAKER_USER_CONFIG_OVERRIDE: path.join(dir, 'gone.yaml') },
          platform: 'linux',
          home,
        },
      ),
      (e: Error) =>
        e instanceof UserError &&
        /SAGEMAKER_USER_CONFIG_OVERRIDE: no SDK defaults file at .*gone\.yaml/.test(e.message),
    );
    // An empty file is skipped, as the SDK skips a falsy document.
    fs.writeFileSync(path.join(dir, 'empty.yaml'), '');
    const none = await loadSdkDefaults(
      { region: 'us-east-1' },
      {
        env: {
          SAGEMAKER_ADMIN_CONFIG_OVERRIDE: path.join(dir, 'empty.yaml'),
          SAGEMAKER_USER_CONFIG_OVERRIDE: path.join(dir, 'empty.yaml'),
        },
        platform: 'linux',
        home,
      },
    );
    assert.deepEqual(none.files, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('config.py validate_sagemaker_config: the SDK schema; the error names the file, the line and the key path', () => {
  assert.throws(
    () =>
      parseSdkDefaultsFile(
        'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    VpcConfig:\n      Subnet: [a]\n',
        ADMIN,
      ),
    (e: Error) =>
      e instanceof UserError &&
      e.message.startsWith(`${ADMIN}:5: SageMaker.TrainingJob.VpcConfig.Subnet is not a key`) &&
      e.field === 'SageMaker.TrainingJob.VpcConfig.Subnet',
  );
  assert.throws(
    () => parseSdkDefaultsFile('SageMaker:\n  TrainingJob:\n    EnableNetworkIsolation: true\n', USER),
    (e: Error) =>
      e instanceof UserError &&
      /^\/home\/u\/\.config\/sagemaker\/config\.yaml:1: SchemaVersion is required/.test(e.message),
  );
  assert.throws(
    () =>
      parseSdkDefaultsFile(
        'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    Tags:\n      - Key: team\n        Value: 3\n',
        USER,
      ),
    (e: Error) =>
      e instanceof UserError && e.message.includes(':6: SageMaker.TrainingJob.Tags[0].Value must be string'),
  );
  assert.throws(
    () => parseSdkDefaultsFile('SchemaVersion: "1.0"\nSageMaker: [\n', USER),
    (e: Error) => e instanceof UserError && e.message.startsWith(`${USER}:`) && e.message.includes('not valid YAML'),
  );
});

test('config.py _load_config_from_file: yaml.safe_load is YAML 1.1, so `yes` is a boolean', () => {
  const doc = parseSdkDefaultsFile(
    'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    EnableNetworkIsolation: yes\n',
    ADMIN,
  );
  assert.equal(
    (doc as { SageMaker: { TrainingJob: { EnableNetworkIsolation: unknown } } }).SageMaker.TrainingJob
      .EnableNetworkIsolation,
    true,
  );
});

// ---- merging the two files: botocore merge_dicts ----

const ADMIN_DOC = `SchemaVersion: "1.0"
SageMaker:
  PythonSDK:
    Modules:
      Session:
        DefaultS3Bucket: corp-ml-bucket
        DefaultS3ObjectKeyPrefix: team-nlp
  TrainingJob:
    Environment: { A: admin, B: admin }
    VpcConfig:
      SecurityGroupIds: [sg-0123456789abcdef0]
      Subnets: [subnet-0123456789abcdef0]
    Tags:
      - { Key: cost-center, Value: "1234" }
      - { Key: team, Value: admin }
`;

test('config.py load_sagemaker_config (botocore merge_dicts): maps merge key by key, a user Tags list replaces the admin one', () => {
  const d = defaults(
    ADMIN_DOC,
    'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    Environment: { B: user }\n    Tags: [{ Key: owner, Value: me }]\n',
  );
  const tj = (d.config as { SageMaker: { TrainingJob: Record<string, unknown> } }).SageMaker.TrainingJob;
  assert.deepEqual(tj['Environment'], { A: 'admin', B: 'user' });
  assert.deepEqual(tj['Tags'], [{ Key: 'owner', Value: 'me' }]);
  assert.equal(defaultS3Bucket(d), 'corp-ml-bucket');
});

// ---- Session.get_train_request / EstimatorBase.__init__ ----

test("Session.get_train_request resolve_value_from_config(environment): an explicit Environment replaces the files' map whole", () => {
  const d = defaults(ADMIN_DOC, 'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    Environment: { B: user }\n');
  assert.deepEqual(train(d).request.Environment, { A: 'admin', B: 'user' });
  const env = train(d).applied.find((a) => a.field === 'Environment')!;
  assert.deepEqual(env.files, [ADMIN, USER]);
  assert.deepEqual(train(d, { Environment: { HF_TOKEN: 'x' } }).request.Environment, { HF_TOKEN: 'x' });
});

test('Session._append_sagemaker_config_tags: explicit tags first, file tags with new keys appended; SageMaker.TrainingJob.Tags only on the job', () => {
  const d = defaults(ADMIN_DOC);
  const r = train(d, { Tags: [{ Key: 'team', Value: 'explicit' }] });
  assert.deepEqual(r.request.Tags, [
    { Key: 'team', Value: 'explicit' },
    { Key: 'cost-center', Value: '1234' },
  ]);
  const dep = applyDeployDefaults(
    {
      createModel: { ModelName: 'm', Tags: [] },
      createEndpointConfig: { EndpointConfigName: 'm', ProductionVariants: [], Tags: [] },
      createEndpoint: { EndpointName: 'm', EndpointConfigName: 'm', Tags: [] },
    },
    d,
  );
  assert.deepEqual([dep.createModel.Tags, dep.createEndpointConfig.Tags, dep.createEndpoint.Tags], [[], [], []]);
});

test('update_nested_dictionary_with_values_from_config(VpcConfig): the file fills the keys the request lacks; the dry-run names the file', () => {
  const d = defaults(ADMIN_DOC);
  const r = train(d);
  assert.deepEqual(r.request.VpcConfig, {
    SecurityGroupIds: ['sg-0123456789abcdef0'],
    Subnets: ['subnet-0123456789abcdef0'],
  });
  const vpc = r.applied.find((a) => a.field === 'VpcConfig')!;
  assert.equal(describeApplied(vpc), `CreateTrainingJob VpcConfig from ${ADMIN} (SageMaker.TrainingJob.VpcConfig)`);
  const explicit = train(d, { VpcConfig: { Subnets: ['subnet-explicit'], SecurityGroupIds: undefined as never } });
  assert.deepEqual(explicit.request.VpcConfig!.Subnets, ['subnet-explicit']);
});

test('Session.default_bucket_prefix (DefaultS3ObjectKeyPrefix): moves the output path and the source, not the data channels', () => {
  const r = train(defaults(ADMIN_DOC));
  assert.equal(r.request.OutputDataConfig!.S3OutputPath, `s3://${BUCKET}/team-nlp/`);
  assert.equal(r.request.DebugHookConfig!.S3OutputPath, `s3://${BUCKET}/team-nlp/`);
  assert.equal(r.sourceS3Uri, `s3://${BUCKET}/team-nlp/${JOB}/source/sourcedir.tar.gz`);
  assert.equal(r.request.HyperParameters!['sagemaker_submit_directory'], JSON.stringify(r.sourceS3Uri));
  assert.equal(
    r.request.InputDataConfig![0]!.DataSource!.S3DataSource!.S3Uri,
    `s3://${BUCKET}/samples/datasets/emotion/train`,
  );
  // An explicit output path (EstimatorBase._prepare_for_training: output_path given) keeps it and the source.
  const own = train(defaults(ADMIN_DOC), { OutputDataConfig: { S3OutputPath: 's3://mine/out/' } });
  assert.equal(own.request.OutputDataConfig!.S3OutputPath, 's3://mine/out/');
  assert.equal(own.sourceS3Uri, SOURCE);
});

test('EstimatorBase.__init__ volume_kms_key: SageMaker.TrainingJob.ResourceConfig.VolumeKmsKeyId only on instances with an EBS volume', () => {
  const d = defaults(
    'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    ResourceConfig: { VolumeKmsKeyId: vol-key }\n    OutputDataConfig: { KmsKeyId: out-key }\n',
  );
  assert.equal(train(d).request.ResourceConfig!.VolumeKmsKeyId, 'vol-key');
  const g5 = train(d, { ResourceConfig: { VolumeSizeInGB: 30, InstanceCount: 1, InstanceType: 'ml.g5.xlarge' } });
  assert.equal(g5.request.ResourceConfig!.VolumeKmsKeyId, undefined);
  assert.equal(g5.request.OutputDataConfig!.KmsKeyId, 'out-key');
  assert.deepEqual(
    [
      'ml.p3.2xlarge',
      'ml.p4d.24xlarge',
      'ml.g5.xlarge',
      'ml.g6.xlarge',
      'ml.p5.48xlarge',
      'ml.trn1.2xlarge',
      'ml.c5d.xlarge',
      'ml.m5.xlarge',
    ].map(instanceSupportsKms),
    [true, false, false, false, false, false, false, true],
  );
});

test('EstimatorBase.__init__ enable_network_isolation from the file: the source travels as the code channel', () => {
  const d = defaults(
    'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    EnableNetworkIsolation: true\n    EnableInterContainerTrafficEncryption: true\n',
  );
  const r = train(d);
  assert.equal(r.request.EnableNetworkIsolation, true);
  assert.equal(r.request.EnableInterContainerTrafficEncryption, true);
  assert.equal(r.request.HyperParameters!['sagemaker_submit_directory'], '"/opt/ml/input/data/code/sourcedir.tar.gz"');
  const code = r.request.InputDataConfig!.find((c) => c.ChannelName === 'code')!;
  assert.equal(code.DataSource!.S3DataSource!.S3Uri, SOURCE);
  // Explicitly off: the file does not turn it on (resolve_value_from_config keeps a direct False).
  assert.equal(train(d, { EnableNetworkIsolation: false }).request.EnableNetworkIsolation, false);
});

// ---- Model.deploy / Session.create_model / endpoint_from_production_variants / create_endpoint ----

const DEPLOY_DOC = `SchemaVersion: "1.0"
SageMaker:
  Model:
    EnableNetworkIsolation: true
    VpcConfig: { SecurityGroupIds: [sg-1], Subnets: [subnet-1] }
    PrimaryContainer:
      Environment: { SAGEMAKER_REGION: file, EXTRA: file }
    Tags: [{ Key: model-tag, Value: m }]
  EndpointConfig:
    KmsKeyId: ec-key
    Tags: [{ Key: ec-tag, Value: c }]
  Endpoint:
    Tags: [{ Key: ep-tag, Value: e }, { Key: ec-tag, Value: dup }]
  TrainingJob:
    Tags: [{ Key: job-only, Value: j }]
`;

function deployRequests(serverless = false) {
  const own = [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }];
  return {
    createModel: {
      ModelName: 'm',
      ExecutionRoleArn: 'arn:aws:iam::111122223333:role/R',
      PrimaryContainer: {
        Image: 'img',
        Environment: { SAGEMAKER_REGION: 'us-east-1', HF_TASK: 'text-classification' },
      },
      Tags: own,
    },
    createEndpointConfig: {
      EndpointConfigName: 'm',
      ProductionVariants: [
        serverless
          ? { VariantName: 'AllTraffic', ModelName: 'm', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 1 } }
          : {
              VariantName: 'AllTraffic',
              ModelName: 'm',
              InitialVariantWeight: 1,
              InitialInstanceCount: 1,
              InstanceType: 'ml.m5.xlarge' as const,
            },
      ],
      Tags: own,
    },
    createEndpoint: { EndpointName: 'm', EndpointConfigName: 'm', Tags: own },
  };
}

test('Session._create_model_request: PrimaryContainer merges key by key (explicit wins); VpcConfig, EnableNetworkIsolation and Tags from SageMaker.Model', () => {
  const r = applyDeployDefaults(deployRequests(), defaults(DEPLOY_DOC));
  assert.deepEqual(r.createModel.PrimaryContainer!.Environment, {
    SAGEMAKER_REGION: 'us-east-1',
    EXTRA: 'file',
    HF_TASK: 'text-classification',
  });
  assert.equal(r.createModel.EnableNetworkIsolation, true);
  assert.deepEqual(r.createModel.VpcConfig, { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] });
  assert.deepEqual(
    r.createModel.Tags!.map((t) => t.Key),
    ['sagemaker-hf:created-by', 'model-tag'],
  );
});

test("endpoint_from_production_variants: EndpointConfig.KmsKeyId for instances; the config's file tags also land on the endpoint, then SageMaker.Endpoint.Tags", () => {
  const r = applyDeployDefaults(deployRequests(), defaults(DEPLOY_DOC));
  assert.equal(r.createEndpointConfig.KmsKeyId, 'ec-key');
  assert.deepEqual(
    r.createEndpointConfig.Tags!.map((t) => t.Key),
    ['sagemaker-hf:created-by', 'ec-tag'],
  );
  assert.deepEqual(r.createEndpoint.Tags, [
    { Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' },
    { Key: 'ec-tag', Value: 'c' },
    { Key: 'ep-tag', Value: 'e' },
  ]);
  // Serverless: no InstanceType, so instance_supports_kms never holds and the key is not sent.
  assert.equal(
    applyDeployDefaults(deployRequests(true), defaults(DEPLOY_DOC)).createEndpointConfig.KmsKeyId,
    undefined,
  );
});

// ---- Session.process ----

test('Session.process: NetworkConfig, output and volume KMS keys merge in; Environment only when the request has none; ProcessingJob.Tags', () => {
  const d = defaults(`SchemaVersion: "1.0"
SageMaker:
  ProcessingJob:
    Environment: { P: file }
    NetworkConfig:
      VpcConfig: { SecurityGroupIds: [sg-1], Subnets: [subnet-1] }
    ProcessingOutputConfig: { KmsKeyId: out-key }
    ProcessingResources: { ClusterConfig: { VolumeKmsKeyId: vol-key } }
    Tags: [{ Key: proc, Value: p }]
`);
  const r = applyProcessingDefaults(
    {
      ProcessingJobName: 'p',
      RoleArn: 'arn:aws:iam::111122223333:role/R',
      AppSpecification: { ImageUri: 'img' },
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.g5.xlarge', VolumeSizeInGB: 30 } },
      ProcessingOutputConfig: { Outputs: [] },
      Tags: [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }],
    },
    d,
  );
  assert.deepEqual(r.request.NetworkConfig, { VpcConfig: { SecurityGroupIds: ['sg-1'], Subnets: ['subnet-1'] } });
  assert.equal(r.request.ProcessingOutputConfig!.KmsKeyId, 'out-key');
  // Session.process checks no instance type (unlike a training job's volume key).
  assert.equal(r.request.ProcessingResources!.ClusterConfig!.VolumeKmsKeyId, 'vol-key');
  assert.equal(r.request.ProcessingResources!.ClusterConfig!.InstanceType, 'ml.g5.xlarge');
  assert.deepEqual(r.request.Environment, { P: 'file' });
  assert.deepEqual(
    r.request.Tags!.map((t) => t.Key),
    ['sagemaker-hf:created-by', 'proc'],
  );
});

test('no defaults file: every request unchanged and nothing listed', () => {
  const none = mergeSdkDefaults([]);
  const r = train(none);
  assert.deepEqual(r.request, trainingRequest());
  assert.deepEqual(r.applied, []);
  assert.deepEqual(applyDeployDefaults(deployRequests(), none).applied, []);
});

test('EstimatorBase.__init__ resolve_value_from_config(role, SageMaker.TrainingJob.RoleArn): the file role only when none is given', async () => {
  const spec = await loadSpecFile(path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json'));
  delete spec.training.role;
  const ctx = { account: '111122223333', region: 'us-east-1', bucket: BUCKET, now: new Date(Date.UTC(2021, 11, 3)) };
  const d = defaults(
    'SchemaVersion: "1.0"\nSageMaker:\n  TrainingJob:\n    RoleArn: arn:aws:iam::111122223333:role/FromFile\n',
  );
  const planned = dryRun(spec, ctx, d);
  assert.equal(planned.request.RoleArn, 'arn:aws:iam::111122223333:role/FromFile');
  assert.equal(
    describeApplied(planned.sdkDefaults[0]!),
    `CreateTrainingJob RoleArn from ${ADMIN} (SageMaker.TrainingJob.RoleArn)`,
  );
  const given = dryRun(spec, { ...ctx, role: 'arn:aws:iam::111122223333:role/Given' }, d);
  assert.equal(given.request.RoleArn, 'arn:aws:iam::111122223333:role/Given');
  assert.throws(
    () => dryRun(spec, ctx, mergeSdkDefaults([])),
    (e: Error) => e instanceof UserError && e.field === 'training.role',
  );
});

test('Session._get_account_id_if_default_bucket: ExpectedBucketOwner only on the SDK-made bucket name, not on DefaultS3Bucket', () => {
  const base = { region: 'us-east-1', account: '111122223333' };
  assert.equal(expectedBucketOwner({ ...base, bucket: 'sagemaker-us-east-1-111122223333' }), '111122223333');
  assert.equal(expectedBucketOwner({ ...base, bucket: 'corp-ml-bucket' }), undefined);
});
