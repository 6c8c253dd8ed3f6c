// The HyperParameters map of CreateTrainingJob as HuggingFace(...).fit() builds it: the user's values,
// then the script-mode keys, then the distribution keys, then the Training Compiler keys, each value
// Python-json.dumps-encoded (src/core/pythonJson.ts). Key order follows the SDK's dict order.
import type { HyperparameterValue } from '../spec/spec';
import { pythonJsonDumps, type PyValue } from '../pythonJson';
import { UserError } from '../errors';

export interface InjectedKeys {
  submitDirectory: string;
  program: string;
  jobName: string;
  region: string;
  containerLogLevel?: number;
  distribution?: 'pytorchxla' | 'torch_distributed';
  instanceType: string;
  /** Training Compiler on: adds sagemaker_training_compiler_enabled / _debug_mode. */
  trainingCompiler?: { enabled: boolean; debug: boolean };
}

/** API limits (botocore model): at most 100 entries, keys <= 256 characters, values <= 2500. */
export const MAX_HYPERPARAMETERS = 100;

export function buildHyperParameters(
  user: Record<string, HyperparameterValue>,
  k: InjectedKeys,
): Record<string, string> {
  const raw: [string, PyValue][] = Object.entries(user).map(([key, v]) => [key, v as PyValue]);
  for (const [key] of raw) {
    if (key.startsWith('sagemaker_')) {
      throw new UserError(
        `training.hyperparameters.${key}: keys starting with 'sagemaker_' are reserved for SageMaker; rename it`,
        `training.hyperparameters.${key}`,
      );
    }
  }
  raw.push(
    ['sagemaker_submit_directory', k.submitDirectory],
    ['sagemaker_program', k.program],
    ['sagemaker_container_log_level', k.containerLogLevel ?? 20],
    ['sagemaker_job_name', k.jobName],
    ['sagemaker_region', k.region],
  );
  if (k.distribution === 'pytorchxla') raw.push(['sagemaker_pytorch_xla_multi_worker_enabled', true]);
  if (k.distribution === 'torch_distributed') {
    raw.push(['sagemaker_torch_distributed_enabled', true], ['sagemaker_instance_type', k.instanceType]);
  }
  if (k.trainingCompiler) {
    raw.push(
      ['sagemaker_training_compiler_enabled', k.trainingCompiler.enabled],
      ['sagemaker_training_compiler_debug_mode', k.trainingCompiler.debug],
    );
  }
  if (raw.length > MAX_HYPERPARAMETERS) {
    throw new UserError(
      `training.hyperparameters: ${raw.length} entries with the SageMaker keys; the API allows at most ${MAX_HYPERPARAMETERS}`,
      'training.hyperparameters',
    );
  }
  const out: Record<string, string> = {};
  for (const [key, v] of raw) {
    const encoded = pythonJsonDumps(v);
    if (key.length > 256)
      throw new UserError(
        `training.hyperparameters: key '${key.slice(0, 40)}…' is longer than 256 characters`,
        'training.hyperparameters',
      );
    if (encoded.length > 2500) {
      throw new UserError(
        `training.hyperparameters.${key}: value is ${encoded.length} characters once encoded; the API allows 2500`,
        `training.hyperparameters.${key}`,
      );
    }
    out[key] = encoded;
  }
  return out;
}
