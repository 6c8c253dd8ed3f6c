// The job spec file (*.sagemaker-hf.json): types, parsing with line numbers, validation against the
// shipped JSON Schema (one source of truth for the editor and the code), and path resolution.
import Ajv, { type ErrorObject } from 'ajv';
import * as os from 'node:os';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import schema from '../../../schemas/sagemaker-hf.schema.json';
import { UserError } from '../errors';
import { parseExactJson, type JsonPath, type ParsedJson } from '../exactJson';
import type { PyValue } from '../pythonJson';
import { s3PrefixProblem } from '../sagemaker/apiChecks';

export type Padding = 'max_length' | 'auto' | 'dynamic';
export type Compiler = 'training-compiler' | 'torch-compile' | 'none';
/**
 * A hyperparameter as Python's json.load reads the spec: ints (bigint beyond 2^53), floats (PyFloat when
 * the value is whole, `100.0`), strings, booleans, null, lists, dicts (key order as written).
 */
export type HyperparameterValue = PyValue;

export interface DatasetSpec {
  /** Hub dataset id, or split name -> local file (absolute after resolveSpecPaths). */
  source: string | Record<string, string>;
  config?: string;
  /** Channel name -> split name. */
  splits: Record<string, string>;
  textColumn: string;
  labelColumn: string;
  labelNames?: string[];
  tokenizer: string;
  padding: Padding;
  maxLength: number;
  limit?: number;
  s3Prefix: string;
}

export interface TrainingSpec {
  entryPoint: string;
  sourceDir: string;
  baseJobName?: string;
  instanceType: string;
  instanceCount: number;
  volumeSizeInGB: number;
  maxRuntimeInSeconds: number;
  /** Spending cap in USD: becomes MaxRuntimeInSeconds at the price shown (the lower of the two wins). */
  maxCostUsd?: number;
  transformersVersion?: string;
  pytorchVersion?: string;
  pyVersion?: string;
  compiler: Compiler;
  /** TrainingCompilerConfig(debug=True). */
  compilerDebug?: boolean;
  distribution?: 'none' | 'pytorchxla' | 'torch_distributed';
  hyperparameters: Record<string, HyperparameterValue>;
  disableProfiler: boolean;
  debuggerHookConfig: boolean;
  role?: string;
  pythonPath?: string;
  /** Managed spot training (EnableManagedSpotTraining, MaxWaitTimeInSeconds, CheckpointConfig). */
  spot?: SpotSpec;
  /** Warm pool: ResourceConfig.KeepAlivePeriodInSeconds (0-21600, 0 sent as 0). */
  keepAliveSeconds?: number;
  /** Push the trained model to the Hugging Face Hub (hub_model_id / hub_private_repo, HF_TOKEN in Environment). */
  pushToHub?: PushToHubSpec;
  /** environment=: the training job's Environment, sent as given. */
  environment?: Record<string, string>;
  /** subnets= / security_group_ids=: VpcConfig of the job (and of the deployed model). */
  vpc?: VpcSpec;
  /** enable_network_isolation=: no network in the container; the source travels as the "code" channel. */
  networkIsolation?: boolean;
  /** encrypt_inter_container_traffic=. */
  interContainerEncryption?: boolean;
  /** output_path= (s3://bucket/prefix/). */
  outputPath?: string;
  /** output_kms_key=: OutputDataConfig.KmsKeyId, and the source upload's SSE-KMS key. */
  outputKmsKeyId?: string;
  /** volume_kms_key=: ResourceConfig.VolumeKmsKeyId. */
  volumeKmsKeyId?: string;
  /** code_location=: where sourcedir.tar.gz goes ({codeLocation}/{job}/source/sourcedir.tar.gz). */
  codeLocation?: string;
}

export interface VpcSpec {
  subnets: string[];
  securityGroupIds: string[];
}

export interface SpotSpec {
  /** StoppingCondition.MaxWaitTimeInSeconds: training plus waiting for spot capacity; >= maxRuntimeInSeconds. */
  maxWaitSeconds: number;
  /** checkpoint_s3_uri=: default {output path}/{job}/checkpoints; an earlier job's URI resumes from it. */
  checkpointS3Uri?: string;
}

export interface PushToHubSpec {
  /** Hub repository, "owner/name" or "name" (the token's user). */
  repo: string;
  /** Create the repository private (default true). */
  private?: boolean;
}

export interface ServerlessSpec {
  /** 1024-6144 in steps of 1024. */
  memorySizeInMB: number;
  /** 1-200 concurrent invocations. */
  maxConcurrency: number;
}

export interface DeploySpec {
  instanceType: string;
  initialInstanceCount: number;
  endpointName?: string;
  /** Serverless inference instead of instances (billed per use, CPU only). */
  serverless?: ServerlessSpec;
  /** "4h", "90m" or a local "2026-12-24T18:00": an EventBridge Scheduler schedule deletes the endpoint then. */
  deleteAfter?: string;
  /** deploy(kms_key=): EndpointConfig.KmsKeyId (only instances with an EBS volume accept it). */
  kmsKeyId?: string;
}

export interface JobSpec {
  version: 1;
  dataset: DatasetSpec;
  training: TrainingSpec;
  deploy: DeploySpec;
  /** Session(default_bucket=): data, source, output and checkpoints go here instead of sagemaker-{region}-{account}. */
  bucket?: string;
  /** The estimator's tags= (as {"Key", "Value"} in this order), also on the deployed model, config and endpoint. */
  tags?: Record<string, string>;
  /** Absolute path of the spec file, when it came from one. */
  file?: string;
}

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown): ErrorObject[] {
  validator ??= new Ajv({ allErrors: true, strict: false, useDefaults: true }).compile(schema);
  return validator(data) ? [] : (validator.errors ?? []);
}

/** "/training/instanceCount" -> "training.instanceCount" */
function fieldOf(e: ErrorObject): string {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  // A propertyNames failure names the key itself (tags.aws:owner, training.environment.1BAD).
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  const extra = propertyName
    ? propertyName
    : e.keyword === 'required'
      ? (e.params as { missingProperty: string }).missingProperty
      : e.keyword === 'additionalProperties'
        ? (e.params as { additionalProperty: string }).additionalProperty
        : '';
  return [base, extra].filter(Boolean).join('.') || '(root)';
}

function messageOf(e: ErrorObject): string {
  if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined)
    return `is not an allowed name here (${e.message ?? 'invalid'}; see the field's description)`;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field (check the spelling; the schema lists the allowed fields)';
    case 'enum':
      return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'oneOf':
      return 'must be a Hub dataset id ("owner/name") or an object of split -> local .jsonl/.csv/.parquet file';
    default:
      return e.message ?? 'is invalid';
  }
}

/** Validates an already-parsed spec; throws a UserError naming every faulty field. Fills defaults. */
export function validateSpec(data: unknown, file?: string): JobSpec {
  const errors = validate(data);
  if (errors.length > 0) {
    // oneOf produces noise from each branch; keep the most specific messages, one per field.
    const seen = new Map<string, string>();
    // The propertyNames summary ("property name must be valid") repeats the error that names the key.
    for (const e of errors.filter((x) => x.keyword !== 'propertyNames')) {
      const f = fieldOf(e);
      if (e.keyword === 'oneOf' || !seen.has(f)) seen.set(f, messageOf(e));
    }
    const lines = [...seen].map(([f, m]) => `${f} ${m}`);
    const where = file ? `${path.basename(file)}: ` : '';
    throw new UserError(`${where}invalid spec: ${lines.join('; ')}`, [...seen.keys()][0]);
  }
  const spec = data as JobSpec;
  spec.dataset.s3Prefix ??= defaultS3Prefix(spec.dataset, file);
  spec.deploy ??= { instanceType: 'ml.g4dn.xlarge', initialInstanceCount: 1 };
  spec.training.hyperparameters ??= {};
  const prefixProblem = s3PrefixProblem(spec.dataset.s3Prefix);
  if (prefixProblem) {
    throw new UserError(
      `dataset.s3Prefix: '${spec.dataset.s3Prefix}' ${prefixProblem}. Use a plain key prefix such as 'datasets/emotion'`,
      'dataset.s3Prefix',
    );
  }
  for (const channel of Object.keys(spec.dataset.splits)) {
    const split = spec.dataset.splits[channel];
    if (typeof spec.dataset.source === 'object' && split && !(split in spec.dataset.source)) {
      throw new UserError(
        `dataset.splits.${channel}: split '${split}' of channel '${channel}' has no file in dataset.source (it has: ${Object.keys(spec.dataset.source).join(', ')})`,
        `dataset.splits.${channel}`,
      );
    }
  }
  return spec;
}

/** Hyperparameters are read with Python's number semantics; the rest of the spec as plain JSON. */
const exactAt = (p: JsonPath) => p.length > 2 && p[0] === 'training' && p[1] === 'hyperparameters';

/**
 * The spec text as a value, unvalidated, the way every reader of specs (CLI, extension commands, editor
 * diagnostics) parses it: a UTF-8 BOM (as some editors write it) is skipped, numbers in hyperparameters
 * keep their Python meaning, and syntax errors name line and column. Property locations refer to `text`.
 */
export function parseSpecJson(text: string, file?: string): ParsedJson {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const parsed = parseExactJson(bom ? ' ' + text.slice(1) : text, {
    exactAt,
    source: file ? path.basename(file) : 'spec',
  });
  return parsed;
}

/**
 * The S3 prefix of a spec that names none: `datasets/{spec file name}-{8 hex of the spec file's absolute
 * path}`, so two specs never share (and overwrite) one prefix; editing the spec keeps it, moving or
 * renaming the file gives a new one. Without a file: `datasets/{dataset name}-{8 hex of source, splits
 * and tokenizer}`.
 */
export function defaultS3Prefix(
  ds: Pick<DatasetSpec, 'source' | 'splits' | 'tokenizer' | 'config'>,
  file?: string,
): string {
  const stem = file
    ? path.basename(file).replace(/\.sagemaker-hf\.json$|\.json$/i, '')
    : typeof ds.source === 'string'
      ? ds.source.split('/').pop()!
      : 'local';
  const name =
    stem
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 48) || 'dataset';
  const identity = file ? path.resolve(file) : JSON.stringify([ds.source, ds.config ?? null, ds.splits, ds.tokenizer]);
  return `datasets/${name}-${createHash('sha256').update(identity).digest('hex').slice(0, 8)}`;
}

/** Parses JSON text, reporting syntax errors with line and column. */
export function parseSpecText(text: string, file?: string): JobSpec {
  const spec = validateSpec(parseSpecJson(text, file).value, file);
  if (file) {
    spec.file = path.resolve(file);
    resolveSpecPaths(spec, path.dirname(spec.file));
  }
  return spec;
}

export function isLocalPath(p: string): boolean {
  return p.startsWith('.') || p.startsWith('/') || p.startsWith('~') || /^[A-Za-z]:[\\/]/.test(p);
}

/** "~" and "~/x" are the home folder, as a shell would expand them. */
export function expandHome(p: string): string {
  return p === '~' ? os.homedir() : /^~[\\/]/.test(p) ? path.join(os.homedir(), p.slice(2)) : p;
}

/** Makes local paths (data files, tokenizer folder, sourceDir, local model_id) absolute. */
export function resolveSpecPaths(spec: JobSpec, baseDir: string): void {
  const abs = (p: string) => path.resolve(baseDir, expandHome(p));
  if (typeof spec.dataset.source === 'object') {
    for (const k of Object.keys(spec.dataset.source)) spec.dataset.source[k] = abs(spec.dataset.source[k]!);
  }
  if (isLocalPath(spec.dataset.tokenizer)) spec.dataset.tokenizer = abs(spec.dataset.tokenizer);
  spec.training.sourceDir = abs(spec.training.sourceDir);
  const modelId = spec.training.hyperparameters['model_id'];
  if (typeof modelId === 'string' && isLocalPath(modelId)) spec.training.hyperparameters['model_id'] = abs(modelId);
}
