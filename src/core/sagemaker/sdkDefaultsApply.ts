// The SDK defaults file applied to the requests this tool builds, rule for rule as SageMaker Python SDK
// v2.257.6 applies it (sagemaker/session.py, estimator.py, model.py, utils.py). The builders stay
// unaware of the file: each request is built from the spec, then the file fills what the request
// leaves empty, by the SDK's own, uneven rules:
//  - resolve_value_from_config: a value the request has wins whole (Environment of a training or
//    Processing job, a model's VpcConfig); the file's value is taken only where the request has none.
//  - update_nested_dictionary_with_values_from_config: the file's map under the request's, key by key
//    (VpcConfig, OutputDataConfig, ResourceConfig of a training job; a model's PrimaryContainer, so its
//    Environment merges key by key).
//  - _append_sagemaker_config_tags: the request's tags first, then the file's tags whose keys are new.
// Each value taken is listed with the file(s) it came from.
import type {
  CreateEndpointConfigInput,
  CreateEndpointInput,
  CreateModelInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
  Tag,
} from '@aws-sdk/client-sagemaker';
import {
  configValue,
  filesOf,
  SESSION_DEFAULT_S3_BUCKET,
  SESSION_DEFAULT_S3_OBJECT_KEY_PREFIX,
  type AppliedDefault,
  type SdkDefaults,
} from './sdkDefaults';

type Obj = Record<string, unknown>;

/** A request as the plain map the SDK's dict helpers work on. */
const obj = (request: object): Obj => request as Obj;

const isMap = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** botocore merge_dicts(config, explicit): the explicit map wins key by key, recursively. */
function mergeUnder(config: Obj, explicit: Obj): Obj {
  const out: Obj = { ...config };
  for (const [k, v] of Object.entries(explicit)) {
    if (v === undefined) continue;
    out[k] = isMap(v) && isMap(out[k]) ? mergeUnder(out[k] as Obj, v) : v;
  }
  return out;
}

class Applier {
  readonly applied: AppliedDefault[] = [];
  constructor(
    readonly d: SdkDefaults,
    readonly request: string,
  ) {}

  note(field: string, keyPath: string): void {
    this.applied.push({ request: this.request, field, keyPath, files: filesOf(this.d, keyPath) });
  }

  /** resolve_value_from_config: the file's value only where the request has none. */
  value(target: Obj, field: string, keyPath: string): void {
    if (target[field] !== undefined) return;
    const v = configValue(this.d, keyPath);
    if (v === undefined) return;
    target[field] = v;
    this.note(field, keyPath);
  }

  /** A boolean the SDK sends only when true (enable_network_isolation, encrypt_inter_container_traffic). */
  flag(target: Obj, field: string, keyPath: string): boolean {
    if (target[field] !== undefined) return false;
    if (configValue(this.d, keyPath) !== true) return false;
    target[field] = true;
    this.note(field, keyPath);
    return true;
  }

  /** update_nested_dictionary_with_values_from_config: the file's map under the request's. */
  nested(target: Obj, field: string, keyPath: string, label = field): void {
    const v = configValue(this.d, keyPath);
    if (!isMap(v) || Object.keys(v).length === 0) return;
    const current = isMap(target[field]) ? (target[field] as Obj) : undefined;
    const merged = mergeUnder(v, current ?? {});
    if (JSON.stringify(merged) === JSON.stringify(current)) return;
    target[field] = merged;
    this.note(label, keyPath);
  }

  /** _append_sagemaker_config_tags: the file's tags with keys not yet present, after the request's. */
  tags(target: { Tags?: Tag[] }, keyPath: string): void {
    const fromFile = configValue(this.d, keyPath) as Tag[] | undefined;
    if (!fromFile?.length) return;
    const all = [...(target.Tags ?? [])];
    let added = false;
    for (const t of fromFile) {
      if (!all.some((x) => x.Key === t.Key)) {
        all.push(t);
        added = true;
      }
    }
    target.Tags = all;
    if (added) this.note('Tags', keyPath);
  }
}

/**
 * volume_size_supported / instance_supports_kms: an instance type with an EBS volume (no 'd' in the
 * family, not g5, g6, p5 or trn1) takes a volume KMS key.
 */
export function instanceSupportsKms(instanceType: string): boolean {
  if (instanceType.startsWith('local')) return false;
  let parts = instanceType.split('.');
  if (parts.length === 3 && parts[0] === 'ml') parts = parts.slice(1);
  if (parts.length !== 2) return false;
  const family = parts[0]!;
  return !family.includes('d') && !['g5', 'g6', 'p5', 'trn1'].some((p) => family.startsWith(p));
}

/** s3.s3_path_join: parts joined by single slashes, empty parts dropped. */
function s3PathJoin(parts: string[], endSlash = false): string {
  const [first, ...rest] = parts;
  const cleaned = rest.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  const joined = (first ?? '') + cleaned.join('/');
  return endSlash ? `${joined}/` : joined;
}

export interface TrainingWithDefaults {
  request: CreateTrainingJobRequest;
  sourceS3Uri: string;
  applied: AppliedDefault[];
}

/** The container path of the source when it travels as the code channel (network isolation). */
export const CODE_CHANNEL_SOURCEDIR = '/opt/ml/input/data/code/sourcedir.tar.gz';

/**
 * The defaults file on a built CreateTrainingJob request (EstimatorBase.__init__, _prepare_for_training,
 * Session.get_train_request). `bucket` is the session's default bucket the builder used.
 */
export function applyTrainingDefaults(
  built: { request: CreateTrainingJobRequest; sourceS3Uri: string; jobName: string },
  d: SdkDefaults,
  bucket: string,
): TrainingWithDefaults {
  const request = structuredClone(built.request);
  let sourceS3Uri = built.sourceS3Uri;
  const a = new Applier(d, 'CreateTrainingJob');
  const r = request as unknown as Obj;
  const hp = (request.HyperParameters ??= {});

  // DefaultS3ObjectKeyPrefix: the default output path becomes s3://{bucket}/{prefix}/, and the source,
  // staged under the output path's prefix, moves with it; data channels are the caller's own URIs.
  const prefix = configValue(d, SESSION_DEFAULT_S3_OBJECT_KEY_PREFIX) as string | undefined;
  const defaultOutput = `s3://${bucket}/`;
  if (prefix && request.OutputDataConfig?.S3OutputPath === defaultOutput) {
    const moved = s3PathJoin(['s3://', bucket, prefix], true);
    request.OutputDataConfig.S3OutputPath = moved;
    if (request.DebugHookConfig?.S3OutputPath === defaultOutput) request.DebugHookConfig.S3OutputPath = moved;
    if (request.ProfilerConfig?.S3OutputPath === defaultOutput) request.ProfilerConfig.S3OutputPath = moved;
    a.note('OutputDataConfig.S3OutputPath', SESSION_DEFAULT_S3_OBJECT_KEY_PREFIX);
    const defaultSource = `s3://${bucket}/${built.jobName}/source/sourcedir.tar.gz`;
    if (sourceS3Uri === defaultSource) {
      sourceS3Uri = s3PathJoin(['s3://', bucket, prefix, built.jobName, 'source', 'sourcedir.tar.gz']);
      if (hp['sagemaker_submit_directory'] === JSON.stringify(defaultSource))
        hp['sagemaker_submit_directory'] = JSON.stringify(sourceS3Uri);
      for (const c of request.InputDataConfig ?? [])
        if (c.DataSource?.S3DataSource?.S3Uri === defaultSource) c.DataSource.S3DataSource.S3Uri = sourceS3Uri;
      a.note('source location (sagemaker_submit_directory)', SESSION_DEFAULT_S3_OBJECT_KEY_PREFIX);
    }
  }

  a.tags(request, 'SageMaker.TrainingJob.Tags');
  a.flag(r, 'EnableInterContainerTrafficEncryption', 'SageMaker.TrainingJob.EnableInterContainerTrafficEncryption');
  a.value(r, 'RoleArn', 'SageMaker.TrainingJob.RoleArn');
  if (a.flag(r, 'EnableNetworkIsolation', 'SageMaker.TrainingJob.EnableNetworkIsolation')) {
    // An isolated container cannot reach S3: the estimator sends the source as the "code" channel.
    const channels = (request.InputDataConfig ??= []);
    if (!channels.some((c) => c.ChannelName === 'code')) {
      channels.push({
        DataSource: {
          S3DataSource: { S3DataType: 'S3Prefix', S3Uri: sourceS3Uri, S3DataDistributionType: 'FullyReplicated' },
        },
        ChannelName: 'code',
      });
      hp['sagemaker_submit_directory'] = JSON.stringify(CODE_CHANNEL_SOURCEDIR);
    }
  }
  a.nested(r, 'VpcConfig', 'SageMaker.TrainingJob.VpcConfig');
  a.nested(r, 'OutputDataConfig', 'SageMaker.TrainingJob.OutputDataConfig', 'OutputDataConfig.KmsKeyId');
  const rc = (request.ResourceConfig ?? {}) as Obj;
  const customerKey = 'VolumeKmsKeyId' in rc;
  const type = typeof rc['InstanceType'] === 'string' ? (rc['InstanceType'] as string) : undefined;
  // The volume key only where the instance has an EBS volume to encrypt (EstimatorBase.__init__).
  if (customerKey || !type || instanceSupportsKms(type))
    a.nested(r, 'ResourceConfig', 'SageMaker.TrainingJob.ResourceConfig', 'ResourceConfig.VolumeKmsKeyId');
  a.nested(r, 'ProfilerConfig', 'SageMaker.TrainingJob.ProfilerConfig');
  // An explicit environment replaces the file's map whole.
  a.value(r, 'Environment', 'SageMaker.TrainingJob.Environment');
  return { request, sourceS3Uri, applied: a.applied };
}

export interface DeployWithDefaults {
  createModel: CreateModelInput;
  createEndpointConfig: CreateEndpointConfigInput;
  createEndpoint: CreateEndpointInput;
  applied: AppliedDefault[];
}

/**
 * The defaults file on the three deploy requests (Session.create_model, endpoint_from_production_variants,
 * create_endpoint). SageMaker.TrainingJob.* reaches none of them.
 */
export function applyDeployDefaults(
  r: {
    createModel: CreateModelInput;
    createEndpointConfig: CreateEndpointConfigInput;
    createEndpoint: CreateEndpointInput;
  },
  d: SdkDefaults,
): DeployWithDefaults {
  const createModel = structuredClone(r.createModel);
  const createEndpointConfig = structuredClone(r.createEndpointConfig);
  const createEndpoint = structuredClone(r.createEndpoint);
  const m = new Applier(d, 'CreateModel');
  m.tags(createModel, 'SageMaker.Model.Tags');
  m.value(obj(createModel), 'ExecutionRoleArn', 'SageMaker.Model.ExecutionRoleArn');
  m.value(obj(createModel), 'VpcConfig', 'SageMaker.Model.VpcConfig');
  // The SDK sends EnableNetworkIsolation only when true; the HuggingFace model never inherits the estimator's.
  m.flag(obj(createModel), 'EnableNetworkIsolation', 'SageMaker.Model.EnableNetworkIsolation');
  if (createModel.PrimaryContainer) m.nested(obj(createModel), 'PrimaryContainer', 'SageMaker.Model.PrimaryContainer');

  const c = new Applier(d, 'CreateEndpointConfig');
  c.tags(createEndpointConfig, 'SageMaker.EndpointConfig.Tags');
  // The config's KMS key only when some variant runs on instances with an EBS volume (not serverless).
  const kms = (createEndpointConfig.ProductionVariants ?? []).some(
    (v) => v.InstanceType !== undefined && instanceSupportsKms(v.InstanceType),
  );
  if (kms) c.value(obj(createEndpointConfig), 'KmsKeyId', 'SageMaker.EndpointConfig.KmsKeyId');

  const e = new Applier(d, 'CreateEndpoint');
  // endpoint_from_production_variants hands create_endpoint the very list it appended the endpoint
  // config's file tags to, so those reach the endpoint too; then SageMaker.Endpoint.Tags.
  e.tags(createEndpoint, 'SageMaker.EndpointConfig.Tags');
  e.tags(createEndpoint, 'SageMaker.Endpoint.Tags');
  return { createModel, createEndpointConfig, createEndpoint, applied: [...m.applied, ...c.applied, ...e.applied] };
}

export interface ProcessingWithDefaults {
  request: CreateProcessingJobRequest;
  applied: AppliedDefault[];
}

/** The defaults file on a CreateProcessingJob request (Session.process). */
export function applyProcessingDefaults(request0: CreateProcessingJobRequest, d: SdkDefaults): ProcessingWithDefaults {
  const request = structuredClone(request0);
  const r = request as unknown as Obj;
  const a = new Applier(d, 'CreateProcessingJob');
  a.tags(request, 'SageMaker.ProcessingJob.Tags');
  a.value(r, 'RoleArn', 'SageMaker.ProcessingJob.RoleArn');
  a.nested(r, 'NetworkConfig', 'SageMaker.ProcessingJob.NetworkConfig');
  a.nested(
    r,
    'ProcessingOutputConfig',
    'SageMaker.ProcessingJob.ProcessingOutputConfig',
    'ProcessingOutputConfig.KmsKeyId',
  );
  // Session.process merges the volume key with no instance check (unlike a training job).
  a.nested(
    r,
    'ProcessingResources',
    'SageMaker.ProcessingJob.ProcessingResources',
    'ProcessingResources.ClusterConfig.VolumeKmsKeyId',
  );
  a.value(r, 'Environment', 'SageMaker.ProcessingJob.Environment');
  return { request, applied: a.applied };
}

/**
 * The execution role a file gives (SageMaker.TrainingJob.RoleArn, SageMaker.ProcessingJob.RoleArn,
 * SageMaker.Model.ExecutionRoleArn) for a request that has none from the spec, the settings or the
 * caller's identity: resolve_value_from_config(role, ...) in EstimatorBase, Processor and Model.
 */
export function roleFromFile(
  d: SdkDefaults | undefined,
  request: string,
  keyPath: string,
): { role: string; applied: AppliedDefault } | undefined {
  const v = d ? configValue(d, keyPath) : undefined;
  if (typeof v !== 'string' || !v) return undefined;
  return { role: v, applied: { request, field: 'RoleArn', keyPath, files: filesOf(d!, keyPath) } };
}

/** SageMaker.PythonSDK.Modules.Session.DefaultS3Bucket, when the files set it. */
export function defaultS3Bucket(d: SdkDefaults): string | undefined {
  const v = configValue(d, SESSION_DEFAULT_S3_BUCKET);
  return typeof v === 'string' && v ? v : undefined;
}
