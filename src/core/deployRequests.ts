// The three requests of `estimator.deploy(count, instance_type)` (CreateModel, CreateEndpointConfig,
// CreateEndpoint), built as the SageMaker Python SDK builds them, plus what this extension adds:
// HF_TASK so the container never guesses the task, and tags that mark the resources as ours.
import type { CreateEndpointConfigInput, CreateEndpointInput, CreateModelInput, Tag } from '@aws-sdk/client-sagemaker';
import { UserError } from './errors';
import { checkInstanceType, checkRoleArn } from './apiChecks';

import { CREATED_BY_TAG, CREATED_BY_VALUE } from './tags';

export { CREATED_BY_TAG, CREATED_BY_VALUE };
export const TRAINING_JOB_TAG = 'sagemaker-hf:training-job';

// SageMaker's pattern for model, endpoint-config and endpoint names.
const NAME_RE = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Undefined when valid, else what is wrong (for input boxes and CLI errors). */
export function endpointNameProblem(name: string): string | undefined {
  if (!name) return 'is empty';
  if (name.length > 63) return `is ${name.length} characters long; SageMaker allows at most 63`;
  if (!/^[a-zA-Z0-9]/.test(name)) return 'must start with a letter or digit';
  if (/[^a-zA-Z0-9-]/.test(name)) return `contains '${/[^a-zA-Z0-9-]/.exec(name)![0]}'; only letters, digits and hyphens are allowed`;
  if (name.endsWith('-')) return 'must end with a letter or digit';
  if (!NAME_RE.test(name)) return 'does not match SageMaker\'s pattern ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';
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
  /** One name for model, config and endpoint (the SDK's default), already validated. */
  name: string;
  extraTags?: Tag[];
}

export interface DeployRequests {
  createModel: CreateModelInput;
  createEndpointConfig: CreateEndpointConfigInput;
  createEndpoint: CreateEndpointInput;
}

export function ourTags(trainingJobName: string, extra: Tag[] = []): Tag[] {
  return [{ Key: CREATED_BY_TAG, Value: CREATED_BY_VALUE }, { Key: TRAINING_JOB_TAG, Value: trainingJobName }, ...extra];
}

export function isOurs(tags: Tag[] | undefined): boolean {
  return !!tags?.some((t) => t.Key === CREATED_BY_TAG && t.Value === CREATED_BY_VALUE);
}

export function buildDeployRequests(input: DeployInput): DeployRequests {
  checkEndpointName(input.name);
  if (!/^s3:\/\/[^/]+\/.+/.test(input.modelDataUrl)) {
    throw new UserError(`modelDataUrl: '${input.modelDataUrl}' is not an s3:// URI of a model.tar.gz`, 'modelDataUrl');
  }
  if (!Number.isInteger(input.initialInstanceCount) || input.initialInstanceCount < 1) {
    throw new UserError(`initialInstanceCount: must be a whole number of at least 1 (got ${input.initialInstanceCount})`, 'initialInstanceCount');
  }
  checkInstanceType(input.instanceType, 'endpoint', 'instanceType');
  if (!input.role) throw new UserError('role: no execution role for the model: select one (SageMaker HF: Select Execution Role, or --role)', 'role');
  checkRoleArn(input.role, 'role');
  const tags = ourTags(input.trainingJobName, input.extraTags);
  return {
    createModel: {
      ModelName: input.name,
      ExecutionRoleArn: input.role,
      PrimaryContainer: {
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
      Tags: tags,
    },
    createEndpointConfig: {
      EndpointConfigName: input.name,
      ProductionVariants: [{
        VariantName: 'AllTraffic',
        ModelName: input.name,
        InitialVariantWeight: 1,
        InitialInstanceCount: input.initialInstanceCount,
        InstanceType: input.instanceType as never,
      }],
      Tags: tags,
    },
    createEndpoint: { EndpointName: input.name, EndpointConfigName: input.name, Tags: tags },
  };
}
