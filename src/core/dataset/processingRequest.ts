// The CreateProcessingJob request of `prepare --on sagemaker`, built from a job spec without any AWS call.
// The job runs training-scripts/processing/prepare_dataset.py in a Hugging Face PyTorch image picked by
// the instance's accelerator, as the SDK's image_uris._processor does (g* and p* families: GPU, the others
// CPU): on a GPU instance the newest Hugging Face PyTorch training image of the catalogue (it ships
// `datasets` and `transformers`); on a CPU instance the CPU build of the newest Hugging Face PyTorch
// inference image, since Hugging Face publishes its training images for GPU only (huggingface.json's
// training "processors": ["gpu"]) and a GPU image on a CPU instance pulls gigabytes of CUDA for nothing.
// The job is laid out the way the SageMaker Python SDK's ScriptProcessor lays a job
// out: the script and its config as input "code" at /opt/ml/processing/input/code, entry point
// `python3 <that>/prepare_dataset.py`. Everything the job reads or writes lives under s3://{bucket}/{job}/
// (removed after a run); the client assembles the dataset prefix from the job's output afterwards, so a
// failed or stopped job never touches a prepared dataset.
import type { CreateProcessingJobRequest, ProcessingInput } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';
import { checkInstanceType } from '../sagemaker/apiChecks';
import { checkJobName, nameFromBase } from '../sagemaker/jobName';
import type { DatasetSpec, JobSpec } from '../spec/spec';
import { executionRoleArn, jobTags, sessionBucket, type RequestContext } from '../sagemaker/requestContext';
import { userTags } from '../sagemaker/tags';
import { TRAINING_IMAGES, ecrHost } from '../images/trainingImages';
import { inferenceImage, processorFor, type Processor } from '../images/inferenceImages';

export const PROCESSING_ROOT = '/opt/ml/processing';
export const SCRIPT_NAME = 'prepare_dataset.py';
export const DEFAULT_PROCESSING_INSTANCE = 'ml.c5.4xlarge';
export const DEFAULT_PROCESSING_VOLUME_GB = 30;
export const DEFAULT_PROCESSING_MAX_RUNTIME = 24 * 3600;

export interface ProcessingOptions {
  instanceType: string;
  instanceCount: number;
  volumeSizeInGB?: number;
  maxRuntimeInSeconds?: number;
}

/** What the client uploads before the job starts (decided by the workflow, which sees the files). */
export interface ProcessingUploads {
  /** Splits whose local files were uploaded to {job}/input/{split}/ (local sources only). */
  splits: string[];
  /** The tokenizer is a local folder uploaded to {job}/tokenizer/. */
  tokenizer: boolean;
}

/**
 * code/config.json: what prepare_dataset.py needs from the spec's dataset, local paths replaced by container
 * paths (source file names, the uploaded tokenizer folder), plus whether the tokenizer was uploaded.
 */
export type ProcessingConfig = Pick<
  DatasetSpec,
  | 'source'
  | 'config'
  | 'splits'
  | 'textColumn'
  | 'labelColumn'
  | 'labelNames'
  | 'tokenizer'
  | 'padding'
  | 'maxLength'
  | 'limit'
> & {
  tokenizerUploaded: boolean;
};

export interface ProcessingPlan {
  jobName: string;
  request: CreateProcessingJobRequest;
  /** s3://{bucket}/{job}/ : everything the job reads and writes. */
  jobS3Uri: string;
  codeS3Uri: string;
  outputS3Uri: string;
  config: ProcessingConfig;
  image: ProcessingImage;
  warnings: string[];
}

function cmpVersion(a: string, b: string): number {
  const pa = a.split('.').map(Number),
    pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++)
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export interface ProcessingImage {
  uri: string;
  processor: Processor;
  transformers: string;
  pytorch: string;
}

/**
 * The image for `instanceType` in `region`: GPU instances get the newest plain Hugging Face PyTorch
 * training image the region has, CPU instances the CPU build of the newest Hugging Face PyTorch
 * inference image.
 */
export function processingImage(region: string, instanceType: string): ProcessingImage {
  const processor = processorFor(instanceType);
  if (processor === 'cpu') {
    const image = inferenceImage(undefined, instanceType, region);
    return { uri: image.uri, processor, transformers: image.transformers, pytorch: image.pytorch };
  }
  const candidates = TRAINING_IMAGES.filter((e) => e.kind === 'plain' && e.regions[region]).sort(
    (a, b) => cmpVersion(b.transformers, a.transformers) || cmpVersion(b.pytorch, a.pytorch),
  );
  const entry = candidates[0];
  if (!entry)
    throw new UserError(
      `region: no Hugging Face PyTorch training image is published in ${region}; run the Processing job in a region such as us-east-1`,
      'region',
    );
  const tag = `${entry.pytorch}-transformers${entry.transformers}-gpu-${entry.py}-${entry.containerVersion}`;
  return {
    uri: `${entry.regions[region]}.dkr.${ecrHost(region)}/${entry.repository}:${tag}`,
    processor,
    transformers: entry.transformers,
    pytorch: entry.pytorch,
  };
}

/** Job name base from the dataset prefix: "prep-" + its last segment, letters/digits/hyphens only. */
export function processingJobBase(spec: JobSpec): string {
  const tail = (spec.dataset.s3Prefix ?? 'datasets').split('/').filter(Boolean).pop() ?? 'dataset';
  const clean =
    tail
      .replace(/[^a-zA-Z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '') || 'dataset';
  return `prep-${clean}`.slice(0, 39).replace(/-$/, '');
}

/** Refuses what cannot be split over several instances, naming the field. Returns warnings. */
export function checkProcessing(spec: JobSpec, opts: ProcessingOptions): string[] {
  const ds = spec.dataset;
  const warnings: string[] = [];
  checkInstanceType(opts.instanceType, 'processing', 'instanceType');
  if (!Number.isInteger(opts.instanceCount) || opts.instanceCount < 1 || opts.instanceCount > 100) {
    throw new UserError(`instanceCount: ${opts.instanceCount} is not a whole number from 1 to 100`, 'instanceCount');
  }
  if (opts.instanceCount > 1) {
    if (ds.padding === 'auto') {
      throw new UserError(
        'dataset.padding: "auto" needs the longest row of the whole dataset on one machine; use one instance, or padding "max_length" or "dynamic" over several',
        'dataset.padding',
      );
    }
    if (ds.limit !== undefined) {
      throw new UserError(
        'dataset.limit: a row limit is for trying things on one instance; remove it or use one instance',
        'dataset.limit',
      );
    }
    if (typeof ds.source === 'object' && !ds.labelNames?.length) {
      throw new UserError(
        'dataset.labelNames: list the class names when local files are split over several instances (each instance sees only part of the labels, so it cannot infer the same list)',
        'dataset.labelNames',
      );
    }
    if (typeof ds.source === 'object') {
      const whole = Object.entries(ds.source)
        .filter(([, f]) => !/\.jsonl?$/i.test(f))
        .map(([s]) => s);
      if (whole.length)
        warnings.push(
          `only JSONL files are cut into one part per instance; ${whole.join(', ')} go whole to one instance each`,
        );
    }
  }
  return warnings;
}

export function processingConfig(
  spec: JobSpec,
  uploads: ProcessingUploads,
  fileNames: Record<string, string>,
): ProcessingConfig {
  const ds = spec.dataset;
  return {
    source:
      typeof ds.source === 'string' ? ds.source : Object.fromEntries(uploads.splits.map((s) => [s, fileNames[s] ?? s])),
    ...(typeof ds.source === 'string' && ds.config ? { config: ds.config } : {}),
    splits: { ...ds.splits },
    textColumn: ds.textColumn ?? 'text',
    labelColumn: ds.labelColumn ?? 'label',
    ...(ds.labelNames?.length ? { labelNames: [...ds.labelNames] } : {}),
    tokenizer: uploads.tokenizer ? `${PROCESSING_ROOT}/input/tokenizer` : ds.tokenizer,
    tokenizerUploaded: uploads.tokenizer,
    padding: ds.padding ?? 'max_length',
    maxLength: ds.maxLength ?? 512,
    ...(ds.limit !== undefined ? { limit: ds.limit } : {}),
  };
}

function s3Input(name: string, uri: string, local: string, sharded: boolean): ProcessingInput {
  return {
    InputName: name,
    AppManaged: false,
    S3Input: {
      S3Uri: uri,
      LocalPath: local,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: sharded ? 'ShardedByS3Key' : 'FullyReplicated',
    },
  };
}

export function buildProcessingRequest(
  spec: JobSpec,
  context: RequestContext,
  opts: ProcessingOptions,
  uploads: ProcessingUploads,
  fileNames: Record<string, string> = {},
): ProcessingPlan {
  const ctx = { ...context, bucket: sessionBucket(spec, context.bucket, context.region, context.account) };
  const warnings = checkProcessing(spec, opts);
  const arn = executionRoleArn(spec, ctx);
  const jobName = nameFromBase(processingJobBase(spec), ctx.now);
  checkJobName(jobName, 'dataset.s3Prefix');
  const image = processingImage(ctx.region, opts.instanceType);
  const jobS3Uri = `s3://${ctx.bucket}/${jobName}`;
  const codeS3Uri = `${jobS3Uri}/code/`;
  const outputS3Uri = `${jobS3Uri}/output/`;
  const sharded = opts.instanceCount > 1;
  const inputs: ProcessingInput[] = [s3Input('code', codeS3Uri, `${PROCESSING_ROOT}/input/code`, false)];
  if (uploads.tokenizer)
    inputs.push(s3Input('tokenizer', `${jobS3Uri}/tokenizer/`, `${PROCESSING_ROOT}/input/tokenizer`, false));
  for (const split of uploads.splits)
    inputs.push(
      s3Input(`data-${split}`, `${jobS3Uri}/input/${split}/`, `${PROCESSING_ROOT}/input/data/${split}`, sharded),
    );
  const request: CreateProcessingJobRequest = {
    ProcessingJobName: jobName,
    ProcessingResources: {
      ClusterConfig: {
        InstanceCount: opts.instanceCount,
        InstanceType: opts.instanceType as never,
        VolumeSizeInGB: opts.volumeSizeInGB ?? DEFAULT_PROCESSING_VOLUME_GB,
      },
    },
    StoppingCondition: { MaxRuntimeInSeconds: opts.maxRuntimeInSeconds ?? DEFAULT_PROCESSING_MAX_RUNTIME },
    AppSpecification: {
      ImageUri: image.uri,
      ContainerEntrypoint: ['python3', `${PROCESSING_ROOT}/input/code/${SCRIPT_NAME}`],
    },
    ...(ctx.hubToken ? { Environment: { HF_TOKEN: ctx.hubToken } } : {}),
    ProcessingInputs: inputs,
    ProcessingOutputConfig: {
      Outputs: [
        {
          OutputName: 'prepared',
          AppManaged: false,
          S3Output: { S3Uri: outputS3Uri, LocalPath: `${PROCESSING_ROOT}/output`, S3UploadMode: 'EndOfJob' },
        },
      ],
    },
    RoleArn: arn,
    Tags: [...userTags(spec), ...jobTags(spec.file ? spec.file.split(/[\\/]/).pop()! : undefined)],
  };
  return {
    jobName,
    request,
    jobS3Uri,
    codeS3Uri,
    outputS3Uri,
    config: processingConfig(spec, uploads, fileNames),
    image,
    warnings,
  };
}

/** The request as it may be printed: the Hub token replaced. */
export function redactProcessingRequest(request: CreateProcessingJobRequest): CreateProcessingJobRequest {
  if (!request.Environment?.HF_TOKEN) return request;
  return { ...request, Environment: { ...request.Environment, HF_TOKEN: '***' } };
}
