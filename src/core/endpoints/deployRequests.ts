// The three requests of `estimator.deploy(count, instance_type)` (CreateModel, CreateEndpointConfig,
// CreateEndpoint), built as the SageMaker Python SDK builds them, plus what this extension adds:
// HF_TASK so the container never guesses the task, and tags that mark the resources as ours.
import type {
  ContainerDefinition,
  CreateEndpointConfigInput,
  CreateEndpointInput,
  CreateModelInput,
  ProductionVariant,
  Tag,
  VpcConfig,
} from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';
import { checkInstanceType, checkRoleArn } from '../sagemaker/apiChecks';
import { CREATED_BY_TAG, CREATED_BY_VALUE, createdByTag } from '../sagemaker/tags';

export { CREATED_BY_TAG, CREATED_BY_VALUE };
export const TRAINING_JOB_TAG = 'sagemaker-hf:training-job';

// SageMaker's pattern for model, endpoint-config and endpoint names.
const NAME_RE = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Undefined when valid, else what is wrong (for input boxes and CLI errors). */
export function endpointNameProblem(name: string): string | undefined {
  if (!name) return 'is empty';
  if (name.length > 63) return `is ${name.length} characters long; SageMaker allows at most 63`;
  if (!/^[a-zA-Z0-9]/.test(name)) return 'must start with a letter or digit';
  if (/[^a-zA-Z0-9-]/.test(name))
    return `contains '${/[^a-zA-Z0-9-]/.exec(name)![0]}'; only letters, digits and hyphens are allowed`;
  if (name.endsWith('-')) return 'must end with a letter or digit';
  if (!NAME_RE.test(name)) return "does not match SageMaker's pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}";
  return undefined;
}

export function checkEndpointName(name: string, field = 'endpointName'): void {
  const problem = endpointNameProblem(name);
  if (problem) throw new UserError(`${field}: '${name}' ${problem}`, field);
}

/** The SDK's timestamp suffix: UTC %Y-%m-%d-%H-%M-%S- plus 3 millisecond digits (23 characters). */
export function sdkTimestamp(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${now.getUTCFullYear()}-${p(now.getUTCMonth() + 1)}-${p(now.getUTCDate())}-${p(now.getUTCHours())}-${p(now.getUTCMinutes())}-${p(now.getUTCSeconds())}-${p(now.getUTCMilliseconds(), 3)}`;
}

/** name_from_base: "{base[:63 - 24]}-{timestamp}", at most 63 characters. */
export function nameFromBase(base: string, now = new Date()): string {
  const ts = sdkTimestamp(now);
  return `${base.slice(0, 63 - ts.length - 1)}-${ts}`;
}

const SDK_SUFFIX = /-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}$/;

/**
 * The deploy base name for a training job: the estimator's base_job_name, which is the job name minus
 * the SDK's timestamp; the training image's repository when nothing is left.
 */
export function deployBaseName(trainingJobName: string, trainingImage?: string): string {
  let base = trainingJobName.replace(SDK_SUFFIX, '');
  if (!base) base = trainingImage?.split('/').pop()?.split(':')[0] ?? 'huggingface-pytorch-inference';
  // Names must stay valid after the suffix: trailing hyphens would break the pattern.
  return base.replace(/[^a-zA-Z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'model';
}

export interface DeployInput {
  trainingJobName: string;
  /** s3://…/model.tar.gz */
  modelDataUrl: string;
  image: string;
  role: string;
  region: string;
  instanceType: string;
  initialInstanceCount: number;
  /** The endpoint and endpoint config name (the SDK's default: the model's name), already validated. */
  name: string;
  /** The model's name when it differs: deploy(endpoint_name=) names only the endpoint and its config. */
  modelName?: string;
  extraTags?: Tag[];
  /** Serverless inference instead of instances: instanceType and initialInstanceCount are not sent. */
  serverless?: ServerlessConfig;
  /** The estimator's tags= (spec tags), first on all three resources, as deploy() falls back to them. */
  userTags?: Tag[];
  /** The training job's VpcConfig, which create_model() inherits (vpc_config_override default). */
  vpcConfig?: VpcConfig;
  /** deploy(kms_key=): EndpointConfig.KmsKeyId, sent as given. */
  kmsKeyId?: string;
}

export interface ServerlessConfig {
  memorySizeInMB: number;
  maxConcurrency: number;
}

export const SERVERLESS_MEMORY_MIN = 1024;
export const SERVERLESS_MEMORY_MAX = 6144;
export const SERVERLESS_MAX_CONCURRENCY = 200;

/** ServerlessConfig limits (API): memory 1024-6144 MB in 1 GB steps, 1-200 concurrent invocations. */
export function checkServerless(s: ServerlessConfig, field = 'deploy.serverless'): void {
  const m = s.memorySizeInMB;
  if (!Number.isInteger(m) || m < SERVERLESS_MEMORY_MIN || m > SERVERLESS_MEMORY_MAX || m % 1024 !== 0) {
    throw new UserError(
      `${field}.memorySizeInMB: ${m} is not one of 1024, 2048, 3072, 4096, 5120, 6144 (MB, 1 GB steps)`,
      `${field}.memorySizeInMB`,
    );
  }
  const c = s.maxConcurrency;
  if (!Number.isInteger(c) || c < 1 || c > SERVERLESS_MAX_CONCURRENCY) {
    throw new UserError(
      `${field}.maxConcurrency: ${c} must be a whole number from 1 to ${SERVERLESS_MAX_CONCURRENCY}`,
      `${field}.maxConcurrency`,
    );
  }
}

/**
 * The production variant as session.py production_variant() writes it: InitialVariantWeight 1 for any model,
 * then instances, or ServerlessConfig without InstanceType/InitialInstanceCount.
 */
export function productionVariant(
  modelName: string,
  input: Pick<DeployInput, 'instanceType' | 'initialInstanceCount' | 'serverless'>,
): ProductionVariant {
  if (input.serverless) {
    checkServerless(input.serverless);
    return {
      VariantName: 'AllTraffic',
      ModelName: modelName,
      InitialVariantWeight: 1,
      ServerlessConfig: {
        MemorySizeInMB: input.serverless.memorySizeInMB,
        MaxConcurrency: input.serverless.maxConcurrency,
      },
    };
  }
  return {
    VariantName: 'AllTraffic',
    ModelName: modelName,
    InitialVariantWeight: 1,
    InitialInstanceCount: input.initialInstanceCount,
    InstanceType: input.instanceType as never,
  };
}

export interface DeployRequests {
  createModel: CreateModelInput;
  createEndpointConfig: CreateEndpointConfigInput;
  createEndpoint: CreateEndpointInput;
}

export function ourTags(trainingJobName: string, extra: Tag[] = []): Tag[] {
  return [
    { Key: CREATED_BY_TAG, Value: CREATED_BY_VALUE },
    { Key: TRAINING_JOB_TAG, Value: trainingJobName },
    ...extra,
  ];
}

export function isOurs(tags: Tag[] | undefined): boolean {
  return !!tags?.some((t) => t.Key === CREATED_BY_TAG && t.Value === CREATED_BY_VALUE);
}

type EndpointTarget = Pick<
  DeployInput,
  'name' | 'modelName' | 'role' | 'instanceType' | 'initialInstanceCount' | 'serverless' | 'vpcConfig' | 'kmsKeyId'
>;

/** What any deploy needs beyond its model: instances (unless serverless) and an execution role. */
function checkEndpointTarget(input: EndpointTarget): void {
  if (!input.serverless) {
    if (!Number.isInteger(input.initialInstanceCount) || input.initialInstanceCount < 1) {
      throw new UserError(
        `initialInstanceCount: must be a whole number of at least 1 (got ${input.initialInstanceCount})`,
        'initialInstanceCount',
      );
    }
    checkInstanceType(input.instanceType, 'endpoint', 'instanceType');
  }
  if (!input.role)
    throw new UserError(
      'role: no execution role for the model: select one (SageMaker HF: Select Execution Role, or --role)',
      'role',
    );
}

/**
 * The three requests around one container: the config and endpoint share a name, the model has its own when
 * given; the same tags on each; the model's VpcConfig and the config's KmsKeyId as session.py adds them.
 */
function deployRequestsFor(input: EndpointTarget, container: ContainerDefinition, tags: Tag[]): DeployRequests {
  const modelName = input.modelName ?? input.name;
  if (input.modelName) checkEndpointName(input.modelName, 'modelName');
  const createModel: CreateModelInput = {
    ModelName: modelName,
    ExecutionRoleArn: input.role,
    PrimaryContainer: container,
    Tags: tags,
  };
  if (input.vpcConfig) createModel.VpcConfig = input.vpcConfig;
  const createEndpointConfig: CreateEndpointConfigInput = {
    EndpointConfigName: input.name,
    ProductionVariants: [productionVariant(modelName, input)],
    Tags: tags,
  };
  if (input.kmsKeyId) createEndpointConfig.KmsKeyId = input.kmsKeyId;
  return {
    createModel,
    createEndpointConfig,
    createEndpoint: { EndpointName: input.name, EndpointConfigName: input.name, Tags: tags },
  };
}

/**
 * utils.py volume_size_supported / instance_supports_kms: a family with a "d" (g4dn, p4d, c5d) or starting
 * g5, g6, p5 or trn1 has NVMe instance storage and no EBS volume, so it takes no KMS key.
 */
export function instanceSupportsKms(instanceType: string): boolean {
  const parts = instanceType.split('.');
  const family = (parts.length === 3 && parts[0] === 'ml' ? parts[1] : parts[0]) ?? '';
  if (instanceType.startsWith('local')) return false;
  return !family.includes('d') && !['g5', 'g6', 'p5', 'trn1'].some((p) => family.startsWith(p));
}

/** Why deploy.kmsKeyId would be refused before anything is created, or undefined. */
export function endpointKmsProblem(
  input: Pick<DeployInput, 'kmsKeyId' | 'instanceType' | 'serverless'>,
  field = 'deploy.kmsKeyId',
): string | undefined {
  if (!input.kmsKeyId) return undefined;
  if (input.serverless)
    return `${field}: serverless endpoints have no storage volume, so SageMaker refuses a KMS key for them; drop it or deploy on instances`;
  if (!instanceSupportsKms(input.instanceType))
    return `${field}: ${input.instanceType} has NVMe instance storage, not an EBS volume, so SageMaker refuses a KMS key for it (ValidationException); drop the key or pick an instance type with an EBS volume such as ml.m5.xlarge or ml.p3.2xlarge`;
  return undefined;
}

export function buildDeployRequests(input: DeployInput): DeployRequests {
  checkEndpointName(input.name);
  if (!/^s3:\/\/[^/]+\/.+/.test(input.modelDataUrl)) {
    throw new UserError(`modelDataUrl: '${input.modelDataUrl}' is not an s3:// URI of a model.tar.gz`, 'modelDataUrl');
  }
  checkEndpointTarget(input);
  checkRoleArn(input.role, 'role');
  return deployRequestsFor(
    input,
    {
      Image: input.image,
      ModelDataUrl: input.modelDataUrl,
      Environment: {
        // The SDK sends these empty when deploy() has no entry_point; the toolkit then uses its
        // default handlers, which is what a Trainer.save_model artifact needs.
        SAGEMAKER_PROGRAM: '',
        SAGEMAKER_SUBMIT_DIRECTORY: '',
        SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        SAGEMAKER_REGION: input.region,
        HF_TASK: 'text-classification',
      },
    },
    [...(input.userTags ?? []), ...ourTags(input.trainingJobName, input.extraTags)],
  );
}

// ---------------------------------------------------------------------------------------------------
// A model straight from the Hugging Face Hub, as HuggingFaceModel(env={"HF_MODEL_ID", "HF_TASK"}).deploy()
// sends it: no ModelDataUrl; the inference toolkit downloads the model when the container starts.

export const HUB_MODEL_TAG = 'sagemaker-hf:hub-model';

/** Pipeline tasks the Hugging Face inference toolkit serves (HF_TASK). */
export const HUB_TASKS = [
  'text-classification',
  'token-classification',
  'question-answering',
  'fill-mask',
  'summarization',
  'translation',
  'text-generation',
  'text2text-generation',
  'zero-shot-classification',
  'feature-extraction',
  'sentence-similarity',
  'image-classification',
  'automatic-speech-recognition',
] as const;

const HUB_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

export function hubModelIdProblem(id: string): string | undefined {
  if (!id) return 'is empty';
  if (id.length > 96) return `is ${id.length} characters long (at most 96)`;
  if (!HUB_ID_RE.test(id))
    return 'is not a Hub model id such as "distilbert-base-uncased-finetuned-sst-2-english" or "owner/name"';
  return undefined;
}

export interface HubDeployInput {
  modelId: string;
  task: string;
  /** For gated or private models; sent as HF_TOKEN in the model's Environment. */
  token?: string;
  image: string;
  role: string;
  region: string;
  instanceType: string;
  initialInstanceCount: number;
  serverless?: ServerlessConfig;
  /** Endpoint and config name; modelName for the model when it differs. */
  name: string;
  modelName?: string;
  kmsKeyId?: string;
  userTags?: Tag[];
}

/** utils.base_name_from_image: the image's repository name ("huggingface-pytorch-inference"). */
export function baseNameFromImage(image: string): string {
  const m = /^(.+\/)?([^:/]+)(:[^:]+)?$/.exec(image);
  return m?.[2] ?? 'Model';
}

export function buildHubDeployRequests(input: HubDeployInput): DeployRequests {
  checkEndpointName(input.name);
  const problem = hubModelIdProblem(input.modelId);
  if (problem) throw new UserError(`hub: '${input.modelId}' ${problem}`, 'hub');
  if (!(HUB_TASKS as readonly string[]).includes(input.task)) {
    throw new UserError(
      `task: '${input.task}' is not a task the Hugging Face inference toolkit serves (one of ${HUB_TASKS.join(', ')})`,
      'task',
    );
  }
  checkEndpointTarget(input);
  return deployRequestsFor(
    input,
    {
      Image: input.image,
      // env= first, then the script-mode variables HuggingFaceModel.prepare_container_def adds (empty
      // program and directory when there is no entry_point).
      Environment: {
        HF_MODEL_ID: input.modelId,
        HF_TASK: input.task,
        ...(input.token ? { HF_TOKEN: input.token } : {}),
        SAGEMAKER_PROGRAM: '',
        SAGEMAKER_SUBMIT_DIRECTORY: '',
        SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
        SAGEMAKER_REGION: input.region,
      },
    },
    [...(input.userTags ?? []), createdByTag(), { Key: HUB_MODEL_TAG, Value: input.modelId }],
  );
}

/** A copy of deploy requests fit to print or log: HF_TOKEN replaced by <redacted>. */
export function redactDeployRequests(r: DeployRequests): DeployRequests {
  const copy = structuredClone(r);
  const env = copy.createModel.PrimaryContainer?.Environment;
  if (env && 'HF_TOKEN' in env) env.HF_TOKEN = '<redacted>';
  return copy;
}
