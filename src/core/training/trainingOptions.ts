// The optional parts of CreateTrainingJob beyond the notebook: managed spot training with checkpoints,
// warm pools, and pushing the model to the Hugging Face Hub. Each is validated here with an error naming
// the spec field, then added to the request the SDK's way (estimator arguments use_spot_instances /
// max_wait / checkpoint_s3_uri, keep_alive_period_in_seconds, environment).
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';
import { API_INT_MAX } from '../sagemaker/apiChecks';
import type { HyperparameterValue, TrainingSpec } from '../spec/spec';

/** Where SageMaker syncs checkpoints from/to (the container side); train.py saves and resumes there. */
export const CHECKPOINT_LOCAL_PATH = '/opt/ml/checkpoints';
/** ResourceConfig.KeepAlivePeriodInSeconds limit (the API model: 0-21600). */
export const MAX_KEEP_ALIVE_SECONDS = 21600;
/** Shown instead of the token wherever a request is printed or logged. */
export const REDACTED = '<redacted>';

const DEFAULT_MAX_RUNTIME = 86400;
/** StoppingCondition.MaxRuntimeInSeconds: "The maximum value is 28 days" (the API reference). */
const MAX_RUNTIME_SECONDS = 28 * 86400;

function fail(field: string, msg: string): never {
  throw new UserError(`${field}: ${msg}`, field);
}

/** checkpoint_s3_uri: <output path>/<job name>/checkpoints, next to the job's output/ and source/. */
export function checkpointS3Uri(outputPath: string, jobName: string): string {
  return `${outputPath.replace(/\/+$/, '')}/${jobName}/checkpoints`;
}

/** Validation of spot and warm pool settings that JSON Schema cannot express; returns warnings. */
export function validateTrainingOptions(t: TrainingSpec): string[] {
  const warnings: string[] = [];
  const maxRuntime = t.maxRuntimeInSeconds ?? DEFAULT_MAX_RUNTIME;
  if (maxRuntime > MAX_RUNTIME_SECONDS)
    fail(
      'training.maxRuntimeInSeconds',
      `${maxRuntime} is more than SageMaker's 28 days (${MAX_RUNTIME_SECONDS} s, StoppingCondition.MaxRuntimeInSeconds)`,
    );
  if (t.spot) {
    const wait = t.spot.maxWaitSeconds;
    if (!Number.isInteger(wait) || wait < 1)
      fail('training.spot.maxWaitSeconds', `must be a whole number of seconds (got ${wait})`);
    if (wait > API_INT_MAX)
      fail(
        'training.spot.maxWaitSeconds',
        `${wait} is beyond what the API accepts (at most ${API_INT_MAX}); spot waits are meant in hours or days, e.g. ${2 * maxRuntime}`,
      );
    if (wait < maxRuntime) {
      fail(
        'training.spot.maxWaitSeconds',
        `${wait} is less than training.maxRuntimeInSeconds (${maxRuntime}); SageMaker requires MaxWaitTimeInSeconds >= MaxRuntimeInSeconds: set maxWaitSeconds to at least ${maxRuntime} or lower maxRuntimeInSeconds`,
      );
    }
  }
  if (t.keepAliveSeconds !== undefined) {
    const k = t.keepAliveSeconds;
    if (!Number.isInteger(k) || k < 0 || k > MAX_KEEP_ALIVE_SECONDS) {
      fail(
        'training.keepAliveSeconds',
        `must be a whole number of seconds from 0 to ${MAX_KEEP_ALIVE_SECONDS} (got ${k}); SageMaker keeps a warm pool at most 6 hours after a job`,
      );
    }
    if (t.spot && k > 0)
      warnings.push(
        'training.keepAliveSeconds with training.spot: AWS does not keep warm pools for spot capacity; the request may be refused. Drop one of them if it is',
      );
  }
  return warnings;
}

/** EnableManagedSpotTraining, MaxWaitTimeInSeconds and CheckpointConfig; KeepAlivePeriodInSeconds. */
export function applySpotAndWarmPool(request: CreateTrainingJobRequest, t: TrainingSpec, jobName: string): void {
  if (t.spot) {
    request.EnableManagedSpotTraining = true;
    request.StoppingCondition = { ...request.StoppingCondition, MaxWaitTimeInSeconds: t.spot.maxWaitSeconds };
    const output = request.OutputDataConfig?.S3OutputPath ?? '';
    request.CheckpointConfig = {
      S3Uri: t.spot.checkpointS3Uri ?? checkpointS3Uri(output, jobName),
      LocalPath: CHECKPOINT_LOCAL_PATH,
    };
  }
  // The SDK sends keep_alive_period_in_seconds whenever it is not None, 0 included.
  if (t.keepAliveSeconds !== undefined) {
    request.ResourceConfig = { ...request.ResourceConfig!, KeepAlivePeriodInSeconds: t.keepAliveSeconds };
  }
}

// Keys that would carry a token in hyperparameters, which AWS refuses and the console shows.
const TOKEN_KEYS = /^(hf_token|hub_token|huggingface_token|hf_api_token|token|use_auth_token)$/i;

/**
 * pushToHub -> the hyperparameters train.py reads (hub_model_id, hub_private_repo), added to the user's
 * before encoding. Also refuses tokens in hyperparameters, pushToHub or not.
 */
export function pushToHubHyperparameters(
  t: TrainingSpec,
  user: Record<string, HyperparameterValue>,
): Record<string, HyperparameterValue> {
  for (const key of Object.keys(user)) {
    if (TOKEN_KEYS.test(key)) {
      fail(
        `training.hyperparameters.${key}`,
        "tokens must not be hyperparameters (AWS refuses them there and the console shows hyperparameters to anyone who can list jobs); remove it: with training.pushToHub the token travels in the job's Environment as HF_TOKEN",
      );
    }
  }
  if (!t.pushToHub) return user;
  for (const key of ['hub_model_id', 'hub_private_repo', 'push_to_hub']) {
    if (key in user)
      fail(`training.hyperparameters.${key}`, `is set by training.pushToHub; remove it from hyperparameters`);
  }
  return { ...user, hub_model_id: t.pushToHub.repo, hub_private_repo: t.pushToHub.private ?? true };
}

/** Environment.HF_TOKEN for pushToHub; the token never goes anywhere else. */
export function applyHubToken(request: CreateTrainingJobRequest, t: TrainingSpec, token: string | undefined): void {
  if (!t.pushToHub) return;
  if (!token) {
    fail(
      'training.pushToHub',
      `pushing to ${t.pushToHub.repo} needs a Hugging Face token with write access: run "SageMaker HF: Set Hugging Face Hub Token" (extension) or set HF_TOKEN (CLI)`,
    );
  }
  request.Environment = { ...request.Environment, HF_TOKEN: token };
}

/** A copy of a request fit to print or log: the Hub token replaced by <redacted>. */
export function redactTrainingRequest<R extends { Environment?: Record<string, string> }>(request: R): R {
  const copy = structuredClone(request);
  if (copy.Environment && 'HF_TOKEN' in copy.Environment) copy.Environment.HF_TOKEN = REDACTED;
  return copy;
}
