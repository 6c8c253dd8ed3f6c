// A compile cache that outlives the job. A torch-compile job's train.py saves the compiler's cache
// artifacts in its output.tar.gz (compile_cache/torch_compile_cache.bin); the next job of the same spec gets
// that archive as the channel `compile_cache` and loads it before compiling (docs/training-script.md).
import type { Channel, CreateTrainingJobRequest, DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';

export const COMPILE_CACHE_CHANNEL = 'compile_cache';

type PreviousJob = Pick<
  DescribeTrainingJobCommandOutput,
  'TrainingJobName' | 'TrainingJobStatus' | 'ModelArtifacts' | 'HyperParameters' | 'AlgorithmSpecification'
>;

/** Whether the request compiles with torch.compile (hyperparameters are JSON-encoded: "true"). */
export function compilesWithTorch(request: CreateTrainingJobRequest): boolean {
  return request.HyperParameters?.['torch_compile'] === 'true';
}

/**
 * The output.tar.gz of the newest of `previous` (newest first) that completed, compiled, and ran the same
 * image (a cache from another PyTorch would not be hit); undefined when there is none.
 */
export function compileCacheSource(
  request: CreateTrainingJobRequest,
  previous: readonly PreviousJob[],
): string | undefined {
  if (!compilesWithTorch(request)) return undefined;
  for (const job of previous) {
    if (job.TrainingJobStatus !== 'Completed' || job.HyperParameters?.['torch_compile'] !== 'true') continue;
    if (job.AlgorithmSpecification?.TrainingImage !== request.AlgorithmSpecification?.TrainingImage) continue;
    const model = job.ModelArtifacts?.S3ModelArtifacts;
    if (model && /\/output\/model\.tar\.gz$/.test(model)) return model.replace(/model\.tar\.gz$/, 'output.tar.gz');
  }
  return undefined;
}

/** The channel that carries it (one object, given to every instance). */
export function compileCacheChannel(s3Uri: string): Channel {
  return {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3Uri, S3DataDistributionType: 'FullyReplicated' } },
    ChannelName: COMPILE_CACHE_CHANNEL,
  };
}
