// Deploy a completed training job as a real-time endpoint, as `estimator.deploy(count, type)` does:
// DescribeTrainingJob → model artifact → inference image → CreateModel → CreateEndpointConfig →
// CreateEndpoint → wait for InService. What this call created is deleted again when a later step fails
// or is cancelled before the endpoint exists, so nothing is left half-created.
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  ListTagsCommand,
  SageMakerClient,
  type DescribeTrainingJobResponse,
} from '@aws-sdk/client-sagemaker';
import { client, type AwsTarget } from '../../aws/clients';
import { awsErrorName, describeAwsError, trainingJobReadError } from '../../aws/errors';
import { CancelledError, UserError, isCancelled, throwIfAborted, sleep } from '../../core/errors';
import {
  buildDeployRequests,
  buildHubDeployRequests,
  checkEndpointName,
  checkServerless,
  deployBaseName,
  baseNameFromImage,
  endpointKmsProblem,
  nameFromBase,
  type DeployInput,
  type DeployRequests,
  type ServerlessConfig,
} from '../../core/endpoints/deployRequests';
import {
  inferenceImage,
  namedInferenceImage,
  versionsFromTrainingImage,
  type FrameworkVersions,
  type ResolvedImage,
} from '../../core/images/inferenceImages';
import type { Connection } from '../connect';
import type { AppliedDefault, SdkDefaults } from '../../core/sagemaker/sdkDefaults';
import { applyDeployDefaults, roleFromFile } from '../../core/sagemaker/sdkDefaultsApply';
import { estimatorTagsOf, userTags } from '../../core/sagemaker/tags';
import { lastEndpointLogLines } from './endpointLogs';

const MODEL_ROLE_KEY = 'SageMaker.Model.ExecutionRoleArn';

export interface DeployOptions {
  instanceType: string;
  initialInstanceCount: number;
  endpointName?: string;
  /** Serverless inference (billed per use, CPU image) instead of instances. */
  serverless?: ServerlessConfig;
  /** deploy(kms_key=): EndpointConfig.KmsKeyId, sent as given (deploy.kmsKeyId, --kms-key-id). */
  kmsKeyId?: string;
  /** The estimator's tags (the spec's `tags`), which deploy() falls back to. */
  tags?: Record<string, string>;
  signal?: AbortSignal;
  onStatus?: (s: DeployStatus) => void;
  /** Milliseconds between DescribeEndpoint polls (the SDK: 30 s). */
  pollMs?: number;
  now?: Date;
  /**
   * Runs once CreateEndpoint succeeded, before the wait (e.g. the deletion schedule, so the endpoint is
   * covered even if the waiting is cut off). Its failure is the caller's to report; the endpoint stays.
   */
  afterCreate?: () => Promise<void>;
}

export interface DeployStatus {
  endpointName: string;
  step: 'model' | 'config' | 'endpoint' | 'waiting' | 'done' | 'failed' | 'rolled-back';
  /** EndpointStatus while waiting. */
  endpointStatus?: string;
  message: string;
}

export interface DeployPlan {
  jobName: string;
  endpointName: string;
  image: ResolvedImage;
  modelDataUrl: string;
  requests: DeployRequests;
  /** Set for a model deployed straight from the Hugging Face Hub (no training job, no artifact). */
  hubModelId?: string;
  /** Values the SDK defaults files put into the requests, with their files. */
  sdkDefaults?: AppliedDefault[];
  /** What the confirmation and the dry run must say: a KMS key SageMaker will refuse, settings not inherited. */
  notes: string[];
}

export interface DeployResult extends DeployPlan {
  endpointStatus: string;
}

export const NO_ARTIFACT = 'job has no model artifact';

type Target = AwsTarget & Pick<Connection, 'role' | 'sdkDefaults'>;

/** The built requests with the SDK defaults files applied, as the SDK's Session applies them. */
function withDefaults(requests: DeployRequests, d: SdkDefaults | undefined) {
  if (!d) return { requests, sdkDefaults: [] };
  const { applied, ...withFile } = applyDeployDefaults(requests, d);
  return { requests: withFile, sdkDefaults: applied };
}

async function describeJob(
  sm: SageMakerClient,
  conn: AwsTarget,
  jobName: string,
  signal?: AbortSignal,
): Promise<DescribeTrainingJobResponse> {
  try {
    return await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }), { abortSignal: signal });
  } catch (err) {
    throw trainingJobReadError(err, conn, jobName);
  }
}

/**
 * The job's tags as HuggingFace.attach(job).deploy() sends them (attach reads list_tags; deploy() falls
 * back to the estimator's tags). Unreadable (no sagemaker:ListTags), the deploy goes on without them and
 * the warning says so.
 */
async function jobTags(
  sm: SageMakerClient,
  conn: AwsTarget,
  job: DescribeTrainingJobResponse,
  signal?: AbortSignal,
): Promise<{ tags?: Record<string, string>; warning?: string }> {
  if (!job.TrainingJobArn) return {};
  const all: { Key?: string; Value?: string }[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const page = await sm.send(new ListTagsCommand({ ResourceArn: job.TrainingJobArn, NextToken }), {
        abortSignal: signal,
      });
      all.push(...(page.Tags ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (err) {
    if (isCancelled(err)) throw err;
    return {
      warning: `warning: the training job's tags could not be read (${describeAwsError(err, conn, "Reading the training job's tags").message}); the model, endpoint config and endpoint get only this tool's tags`,
    };
  }
  const tags = estimatorTagsOf(all);
  return Object.keys(tags).length ? { tags } : {};
}

/** Everything deploy will send, without creating anything (the CLI's --dry-run, the confirmation). */
export async function planDeploy(
  conn: Target,
  jobName: string,
  opts: Omit<DeployOptions, 'onStatus'>,
): Promise<DeployPlan> {
  const sm = client(SageMakerClient, conn);
  const job = await describeJob(sm, conn, jobName, opts.signal);
  if (job.TrainingJobStatus && job.TrainingJobStatus !== 'Completed') {
    throw new UserError(
      `job: training job '${jobName}' is ${job.TrainingJobStatus}; only a Completed job has a model to deploy`,
      'job',
    );
  }
  const modelDataUrl = job.ModelArtifacts?.S3ModelArtifacts;
  if (!modelDataUrl)
    throw new UserError(
      `job: training job '${jobName}' ${NO_ARTIFACT} (ModelArtifacts.S3ModelArtifacts is empty)`,
      'job',
    );
  const trainingImage = job.AlgorithmSpecification?.TrainingImage;
  const image = inferenceImage(versionsFromTrainingImage(trainingImage), imageInstanceType(opts), conn.region);
  // estimator.deploy(endpoint_name=) names only the endpoint and its config; the model keeps the default.
  const defaultName = nameFromBase(deployBaseName(jobName, trainingImage), opts.now);
  const endpointName = opts.endpointName ?? defaultName;
  if (opts.endpointName) checkEndpointName(opts.endpointName);
  const role = job.RoleArn ?? conn.role;
  if (!role)
    throw new UserError('role: the training job names no role and none is selected: select an execution role', 'role');
  // Without a spec's tags (deploy <job>, the tree), the estimator attach() would build: the job's own tags.
  const fromJob = opts.tags ? {} : await jobTags(sm, conn, job, opts.signal);
  const built = buildDeployRequests({
    trainingJobName: jobName,
    modelDataUrl,
    image: image.uri,
    role,
    region: conn.region,
    instanceType: opts.instanceType,
    initialInstanceCount: opts.initialInstanceCount,
    name: endpointName,
    ...(opts.endpointName && opts.endpointName !== defaultName ? { modelName: defaultName } : {}),
    ...(opts.serverless ? { serverless: opts.serverless } : {}),
    ...accountInputs({ ...opts, ...(fromJob.tags ? { tags: fromJob.tags } : {}) }),
    // create_model()'s default vpc_config_override: the estimator's subnets and security groups.
    ...(job.VpcConfig?.Subnets?.length && job.VpcConfig.SecurityGroupIds?.length
      ? { vpcConfig: { Subnets: job.VpcConfig.Subnets, SecurityGroupIds: job.VpcConfig.SecurityGroupIds } }
      : {}),
  });
  const { requests, sdkDefaults } = withDefaults(built, conn.sdkDefaults);
  const notes = deployNotes(opts);
  if (fromJob.warning) notes.push(fromJob.warning);
  if (job.EnableNetworkIsolation)
    notes.push(
      "the training job ran with network isolation; the model does not inherit it (as the SDK's HuggingFace estimator), so the endpoint container has network access",
    );
  return { jobName, endpointName, image, modelDataUrl, requests, sdkDefaults, notes };
}

function accountInputs(opts: Pick<DeployOptions, 'kmsKeyId' | 'tags'>): Pick<DeployInput, 'kmsKeyId' | 'userTags'> {
  return {
    ...(opts.kmsKeyId ? { kmsKeyId: opts.kmsKeyId } : {}),
    ...(opts.tags ? { userTags: userTags(opts) } : {}),
  };
}

function deployNotes(opts: Pick<DeployOptions, 'kmsKeyId' | 'instanceType' | 'serverless'>): string[] {
  const kms = endpointKmsProblem(opts);
  return kms ? [`warning: ${kms}`] : [];
}

// Serverless endpoints run on CPU: the CPU inference image, as the SDK picks for a CPU instance type.
const SERVERLESS_IMAGE_INSTANCE = 'ml.m5.xlarge';

function imageInstanceType(opts: Pick<DeployOptions, 'instanceType' | 'serverless'>): string {
  if (opts.serverless) {
    checkServerless(opts.serverless);
    return SERVERLESS_IMAGE_INSTANCE;
  }
  return opts.instanceType;
}

export interface HubDeployOptions extends Omit<DeployOptions, 'onStatus'> {
  modelId: string;
  task: string;
  /** For gated or private models (HF_TOKEN in the model's Environment). */
  token?: string;
  /** HuggingFaceModel(transformers_version=, pytorch_version=, py_version=); without them the current image. */
  versions?: Partial<Required<FrameworkVersions>>;
}

/** HuggingFaceModel(env={HF_MODEL_ID, HF_TASK[, HF_TOKEN]}).deploy(): the current inference image, no artifact, no AWS call. */
export function planHubDeploy(conn: Target, opts: HubDeployOptions): DeployPlan {
  const named = opts.versions && Object.values(opts.versions).some((v) => v !== undefined);
  const image = named
    ? namedInferenceImage(opts.versions!, imageInstanceType(opts), conn.region)
    : inferenceImage(undefined, imageInstanceType(opts), conn.region);
  // HuggingFaceModel.deploy(): the base name comes from the image (base_name_from_image); endpoint_name=
  // names only the endpoint and its config.
  const defaultName = nameFromBase(baseNameFromImage(image.uri), opts.now);
  const endpointName = opts.endpointName ?? defaultName;
  if (opts.endpointName) checkEndpointName(opts.endpointName);
  const fileRole = conn.role ? undefined : roleFromFile(conn.sdkDefaults, 'CreateModel', MODEL_ROLE_KEY);
  const role = conn.role ?? fileRole?.role;
  if (!role)
    throw new UserError(
      'role: no execution role selected: select one (SageMaker HF: Select Execution Role, or --role)',
      'role',
    );
  const built = buildHubDeployRequests({
    modelId: opts.modelId,
    task: opts.task,
    ...(opts.token ? { token: opts.token } : {}),
    image: image.uri,
    role,
    region: conn.region,
    instanceType: opts.instanceType,
    initialInstanceCount: opts.initialInstanceCount,
    name: endpointName,
    ...(opts.endpointName && opts.endpointName !== defaultName ? { modelName: defaultName } : {}),
    ...(opts.serverless ? { serverless: opts.serverless } : {}),
    ...accountInputs(opts),
  });
  const { requests, sdkDefaults } = withDefaults(built, conn.sdkDefaults);
  // The image note speaks of training versions; a Hub model has none, so say what was picked.
  const hubImage = {
    ...image,
    note: `${named ? image.note : `current inference image (transformers ${image.transformers}; --transformers-version, --pytorch-version and --py-version pick another)`}; the model ${opts.modelId} is downloaded from the Hub when the container starts`,
  };
  return {
    jobName: '',
    endpointName,
    image: hubImage,
    modelDataUrl: '',
    requests,
    hubModelId: opts.modelId,
    sdkDefaults: fileRole ? [fileRole.applied, ...sdkDefaults] : sdkDefaults,
    notes: deployNotes(opts),
  };
}

async function endpointExists(sm: SageMakerClient, name: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await sm.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: signal });
    return true;
  } catch (err) {
    if (awsErrorName(err) === 'ValidationException') return false;
    throw err;
  }
}

export async function deployFromJob(conn: Target, jobName: string, opts: DeployOptions): Promise<DeployResult> {
  const plan = await planDeploy(conn, jobName, opts);
  return executeDeploy(conn, plan, opts);
}

/** Creates the three resources of a plan and waits for the endpoint. */
export async function executeDeploy(
  conn: Target,
  plan: DeployPlan,
  opts: Pick<DeployOptions, 'signal' | 'onStatus' | 'pollMs' | 'afterCreate'>,
): Promise<DeployResult> {
  const { signal, onStatus } = opts;
  const sm = client(SageMakerClient, conn);
  const name = plan.endpointName;
  // deploy(endpoint_name=) names the endpoint and its config; the model may keep the job's default name.
  const modelName = plan.requests.createModel.ModelName ?? name;
  const configName = plan.requests.createEndpointConfig.EndpointConfigName ?? name;
  const report = (step: DeployStatus['step'], message: string, endpointStatus?: string) =>
    onStatus?.({ endpointName: name, step, message, ...(endpointStatus ? { endpointStatus } : {}) });
  // The SDK's timestamped name never collides; a chosen one may, and moto would silently overwrite.
  if (
    await endpointExists(sm, name, signal).catch((e) => {
      throw describeAwsError(e, conn, `Checking endpoint ${name}`);
    })
  ) {
    throw new UserError(
      `endpointName: an endpoint named '${name}' already exists in ${conn.region}; choose another name or delete it first`,
      'endpointName',
    );
  }
  const created: ('model' | 'config')[] = [];
  let reachedCreateEndpoint = false;
  const rollback = async (why: unknown) => {
    // Cleanup must run even when the caller's signal is what ended the deploy.
    const problems: string[] = [];
    const deleted: string[] = [];
    for (const kind of [...created].reverse()) {
      try {
        if (kind === 'config') await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: configName }));
        else await sm.send(new DeleteModelCommand({ ModelName: modelName }));
        deleted.unshift(kind);
      } catch (err) {
        if (
          awsErrorName(err) === 'ValidationException' &&
          /could not find|not found|does not exist/i.test(String((err as Error).message))
        )
          continue;
        problems.push(
          `${kind} ${kind === 'config' ? configName : modelName}: ${describeAwsError(err, conn, 'Deleting').message}`,
        );
      }
    }
    if (deleted.length) report('rolled-back', `deleted the ${deleted.join(' and ')} this deploy created`);
    if (problems.length && !isCancelled(why)) {
      throw new UserError(
        `${(why as Error).message} Cleanup also failed, delete by hand: ${problems.join('; ')}`,
        undefined,
        { cause: why },
      );
    }
  };
  try {
    throwIfAborted(signal);
    report('model', `creating model ${modelName}`);
    // Counted as created once the request is out: a cancel or a lost answer may follow SageMaker's
    // create, and the rollback treats "not found" as done.
    created.push('model');
    await sm.send(new CreateModelCommand(plan.requests.createModel), { abortSignal: signal }).catch((e) => {
      throw describeAwsError(e, conn, `Creating model ${modelName}`);
    });
    throwIfAborted(signal);
    report('config', `creating endpoint config ${configName}`);
    created.push('config');
    await sm
      .send(new CreateEndpointConfigCommand(plan.requests.createEndpointConfig), { abortSignal: signal })
      .catch((e) => {
        throw capacityError(e, conn, `Creating endpoint config ${configName}`, plan);
      });
    throwIfAborted(signal);
    report('endpoint', `creating endpoint ${name}`);
    reachedCreateEndpoint = true;
    await sm.send(new CreateEndpointCommand(plan.requests.createEndpoint), { abortSignal: signal }).catch((e) => {
      throw capacityError(e, conn, `Creating endpoint ${name}`, plan);
    });
  } catch (err) {
    // A cancel or a lost answer after CreateEndpoint reached SageMaker leaves an endpoint that uses the
    // config and model: keep them, the caller names the endpoint and offers to delete it.
    if (created.includes('config') && reachedCreateEndpoint && (await endpointExists(sm, name).catch(() => true)))
      throw err;
    await rollback(err);
    throw err;
  }
  // From here on the endpoint exists; cancelling only stops watching it (the tree keeps showing it).
  await opts.afterCreate?.();
  const status = await waitForEndpoint(sm, conn, name, opts);
  if (status.status !== 'InService') {
    const logs = await lastEndpointLogLines(conn, name, 20);
    let cleanup: string;
    try {
      await deleteCreated(sm, name, configName, modelName);
      cleanup = ` The endpoint, its config and model were deleted (the logs stay in CloudWatch).`;
    } catch (err) {
      cleanup = ` Cleanup failed (${describeAwsError(err, conn, 'Deleting').message}); delete endpoint ${name} from the tree or with 'sagemaker-hf delete ${name}'.`;
    }
    report('failed', `endpoint ${name} is ${status.status}`, status.status);
    const logText = logs.lines.length
      ? `\nLast log lines of /aws/sagemaker/Endpoints/${name}:\n${logs.lines.join('\n')}`
      : logs.note
        ? ` (${logs.note})`
        : '';
    throw new UserError(
      `Deploying endpoint ${name} failed: it is ${status.status}${status.reason ? `: ${status.reason}` : ''}.${cleanup}${logText}`,
      'endpoint',
    );
  }
  report('done', `endpoint ${name} is InService`, 'InService');
  return { ...plan, endpointStatus: status.status };
}

/** An instance type the account may not use gets a message saying what to do about it. */
function capacityError(err: unknown, conn: AwsTarget, action: string, plan: DeployPlan): Error {
  const type = plan.requests.createEndpointConfig.ProductionVariants?.[0]?.InstanceType;
  const msg = String((err as Error)?.message ?? '');
  if (awsErrorName(err) === 'ResourceLimitExceeded' || /service limit|quota/i.test(msg)) {
    return new UserError(
      `${action} failed: the account's quota for ${type} for endpoint usage is too low (${msg}). Request an increase in Service Quotas (SageMaker, "${type} for endpoint usage") or pick another instance type.`,
      'instanceType',
      { cause: err },
    );
  }
  if (awsErrorName(err) === 'ValidationException' && /instance ?type/i.test(msg)) {
    return new UserError(
      `${action} failed: instance type ${type} is not available for endpoints here (${msg}). Pick another, e.g. ml.g4dn.xlarge or ml.m5.xlarge.`,
      'instanceType',
      { cause: err },
    );
  }
  return describeAwsError(err, conn, action);
}

async function deleteCreated(sm: SageMakerClient, name: string, configName: string, modelName: string): Promise<void> {
  await sm.send(new DeleteEndpointCommand({ EndpointName: name }));
  for (let i = 0; i < 60; i++) {
    try {
      const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
      if (d.EndpointStatus !== 'Deleting') break;
      await sleep(5_000);
    } catch (err) {
      if (awsErrorName(err) === 'ValidationException') break;
      throw err;
    }
  }
  await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: configName }));
  await sm.send(new DeleteModelCommand({ ModelName: modelName }));
}

const IN_PROGRESS = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack']);

/** Polls DescribeEndpoint while it is in progress, reporting each status; no overall timeout (as the SDK). */
export async function waitForEndpoint(
  sm: SageMakerClient,
  conn: AwsTarget,
  name: string,
  opts: Pick<DeployOptions, 'signal' | 'onStatus' | 'pollMs'>,
): Promise<{ status: string; reason?: string }> {
  const poll = opts.pollMs ?? 30_000;
  let first = true;
  for (;;) {
    if (!first) await sleep(poll, opts.signal);
    first = false;
    let d;
    try {
      d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: opts.signal });
    } catch (err) {
      if (isCancelled(err) || opts.signal?.aborted) throw new CancelledError();
      throw describeAwsError(err, conn, `Reading endpoint ${name}`);
    }
    const status = d.EndpointStatus ?? 'Unknown';
    opts.onStatus?.({
      endpointName: name,
      step: 'waiting',
      endpointStatus: status,
      message: `endpoint ${name} is ${status}`,
    });
    if (!IN_PROGRESS.has(status)) return { status, ...(d.FailureReason ? { reason: d.FailureReason } : {}) };
  }
}
