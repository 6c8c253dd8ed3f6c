// Start, watch and stop SageMaker training jobs: the SDK's fit() sequence (default bucket, source upload to
// s3://{bucket}/{job}/source/sourcedir.tar.gz, CreateTrainingJob) with the request from
// src/core/training/trainingRequest.ts. Before anything is uploaded, the dataset channels must exist in S3 (the
// manifest the dataset step writes), so a job never starts only to fail on missing data.
import * as fs from 'node:fs';
import {
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  DeleteObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  StopTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { client } from '../../aws/clients';
import { awsErrorName, awsErrorStatus, describeAwsError } from '../../aws/errors';
import { CancelledError, throwIfAborted, UserError, sleep } from '../../core/errors';
import { isTerminalStatus } from '../../core/sagemaker/jobStatus';
import type { JobSpec } from '../../core/spec/spec';
import type { RequestContext } from '../../core/sagemaker/requestContext';
import { buildTrainingRequest, type TrainingRequest } from '../../core/training/trainingRequest';
import { compileCacheChannel, compileCacheSource, compilesWithTorch } from '../../core/training/compileCache';
import { ensureDefaultBucket, expectedBucketOwner, withSpecBucket, type Connection } from '../connect';
import { packageSourceDir } from './sourcePackage';
import { deleteKeys, uploadFiles, type LocalFile } from '../../aws/s3Upload';
import * as path from 'node:path';
import { MANIFEST_NAME } from '../../core/dataset/manifest';
import type { AppliedDefault, SdkDefaults } from '../../core/sagemaker/sdkDefaults';
import { applyTrainingDefaults, roleFromFile } from '../../core/sagemaker/sdkDefaultsApply';

const TRAINING_ROLE_KEY = 'SageMaker.TrainingJob.RoleArn';

export interface TrainOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  now?: Date;
  /** Hugging Face token for training.pushToHub (Environment.HF_TOKEN only). */
  hubToken?: string;
  /** The on-demand price per instance-hour the confirmation showed (training.maxCostUsd needs it). */
  trainingPricePerHour?: number;
}

export interface StartedTraining {
  jobName: string;
  request: TrainingRequest['request'];
  sourceS3Uri: string;
  warnings: string[];
  sourceEntries: string[];
  /** Values the SDK defaults files put into the request, with their files. */
  sdkDefaults: AppliedDefault[];
}

function contextOf(conn: Connection, now: Date, hubToken?: string, trainingPricePerHour?: number): RequestContext {
  return {
    account: conn.account,
    region: conn.region,
    bucket: conn.bucket,
    role: conn.role,
    now,
    partition: conn.arn.split(':')[1] || undefined,
    ...(hubToken ? { hubToken } : {}),
    ...(trainingPricePerHour !== undefined ? { trainingPricePerHour } : {}),
  };
}

export type PlannedTraining = TrainingRequest & { sdkDefaults: AppliedDefault[] };

/** The request startTraining would send (the SDK defaults files applied), without creating or uploading anything. */
export function dryRun(spec: JobSpec, ctx: RequestContext, defaults?: SdkDefaults): PlannedTraining {
  const fileRole =
    spec.training.role || ctx.role ? undefined : roleFromFile(defaults, 'CreateTrainingJob', TRAINING_ROLE_KEY);
  const built = buildTrainingRequest(spec, fileRole ? { ...ctx, role: fileRole.role } : ctx);
  if (!defaults) return { ...built, sdkDefaults: [] };
  const d = applyTrainingDefaults(built, defaults, ctx.bucket);
  const applied = fileRole ? [fileRole.applied, ...d.applied] : d.applied;
  return { ...built, request: d.request, sourceS3Uri: d.sourceS3Uri, sdkDefaults: applied };
}

function splitS3(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}

/** The prepared dataset must be there: its manifest and at least one object per channel. */
export async function checkDatasetInS3(spec: JobSpec, session: Connection, signal?: AbortSignal): Promise<void> {
  const conn = withSpecBucket(session, spec);
  const s3 = client(S3Client, conn);
  const prefix = spec.dataset.s3Prefix;
  const manifest = `s3://${conn.bucket}/${prefix}/${MANIFEST_NAME}`;
  const hint = `prepare the dataset first ("SageMaker HF: Prepare Dataset" or 'sagemaker-hf prepare ${spec.file ? spec.file.split(/[\\/]/).pop() : '<spec>'}')`;
  try {
    await s3.send(new HeadObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${MANIFEST_NAME}` }), {
      abortSignal: signal,
    });
  } catch (err) {
    if (awsErrorStatus(err) === 404 || ['NotFound', 'NoSuchKey', 'NoSuchBucket'].includes(awsErrorName(err))) {
      throw new UserError(
        `dataset.s3Prefix: no prepared dataset at s3://${conn.bucket}/${prefix}/ (${manifest} is missing): ${hint}`,
        'dataset.s3Prefix',
      );
    }
    throw describeAwsError(err, conn, `Checking the dataset at ${manifest}`);
  }
  for (const channel of Object.keys(spec.dataset.splits)) {
    let found: boolean;
    try {
      const out = await s3.send(
        new ListObjectsV2Command({ Bucket: conn.bucket, Prefix: `${prefix}/${channel}/`, MaxKeys: 1 }),
        { abortSignal: signal },
      );
      found = (out.KeyCount ?? out.Contents?.length ?? 0) > 0;
    } catch (err) {
      throw describeAwsError(err, conn, `Checking channel '${channel}' of the dataset`);
    }
    if (!found) {
      throw new UserError(
        `dataset.splits.${channel}: channel '${channel}' has no data at s3://${conn.bucket}/${prefix}/${channel}/: ${hint}`,
        `dataset.splits.${channel}`,
      );
    }
  }
}

/** The files of a local model_id folder, checked before anything is created. */
export function localModelFiles(dir: string, s3Uri: string): LocalFile[] {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    st = undefined;
  }
  if (!st?.isDirectory()) {
    throw new UserError(
      `training.hyperparameters.model_id: '${dir}' looks like a local path but is not a folder; give a Hub model id (e.g. bert-base-uncased) or a folder holding config.json and the weights`,
      'training.hyperparameters.model_id',
    );
  }
  const { key: prefix } = splitS3(s3Uri);
  const files: LocalFile[] = [];
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    files.push({
      path: full,
      key: `${prefix}${path.relative(dir, full).split(path.sep).join('/')}`,
      bytes: fs.statSync(full).size,
    });
  }
  if (!files.some((f) => f.key.endsWith('/config.json'))) {
    throw new UserError(
      `training.hyperparameters.model_id: the folder ${dir} has no config.json, so from_pretrained cannot load it in the container`,
      'training.hyperparameters.model_id',
    );
  }
  return files;
}

/** fit(): default bucket, dataset check, source upload, CreateTrainingJob. Billable: the caller confirms first. */
export async function startTraining(
  spec: JobSpec,
  session: Connection,
  opts: TrainOptions = {},
): Promise<StartedTraining> {
  const conn = withSpecBucket(session, spec);
  const { signal } = opts;
  const progress = opts.onProgress ?? (() => undefined);
  // Validation and the whole request first: nothing is touched for a spec the SDK would refuse.
  const built = dryRun(
    spec,
    contextOf(conn, opts.now ?? new Date(), opts.hubToken, opts.trainingPricePerHour),
    conn.sdkDefaults,
  );
  const modelFiles = built.localModel ? localModelFiles(built.localModel.dir, built.localModel.s3Uri) : [];
  throwIfAborted(signal);
  progress(`Checking bucket s3://${conn.bucket}`);
  await ensureDefaultBucket(conn, signal);
  progress(`Checking the dataset at s3://${conn.bucket}/${spec.dataset.s3Prefix}/`);
  await checkDatasetInS3(spec, conn, signal);
  throwIfAborted(signal);
  progress(`Packaging ${spec.training.sourceDir}`);
  const pkg = await packageSourceDir(spec.training.sourceDir, spec.training.entryPoint);
  const { bucket, key } = splitS3(built.sourceS3Uri);
  const s3 = client(S3Client, conn);
  try {
    progress(`Uploading ${built.sourceS3Uri} (${pkg.bytes} bytes)`);
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: await fs.promises.readFile(pkg.file),
          ContentType: 'application/x-tar',
          // As tar_and_upload_dir: SSE-KMS with output_kms_key when it applies, else the AWS-managed key;
          // the owner check only on the session's default bucket (_get_account_id_if_default_bucket).
          ServerSideEncryption: 'aws:kms',
          // With only a defaults-file key (no explicit one), the source follows the output key the same way.
          ...(built.sourceKmsKeyId
            ? { SSEKMSKeyId: built.sourceKmsKeyId }
            : !spec.training.codeLocation && built.request.OutputDataConfig?.KmsKeyId
              ? { SSEKMSKeyId: built.request.OutputDataConfig.KmsKeyId }
              : {}),
          ...(bucket === conn.bucket && expectedBucketOwner(conn) ? { ExpectedBucketOwner: conn.account } : {}),
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      throw describeAwsError(err, conn, `Uploading ${built.sourceS3Uri}`);
    }
  } finally {
    await pkg.cleanup();
  }
  await addCompileCacheChannel(spec, built, conn, progress, signal);
  const removeUploads = async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    if (modelFiles.length)
      await deleteKeys(
        s3,
        bucket,
        modelFiles.map((f) => f.key),
      ).catch(() => undefined);
  };
  if (built.localModel) {
    progress(
      `Uploading the local model folder ${built.localModel.dir} to ${built.localModel.s3Uri} (${modelFiles.length} files)`,
    );
    try {
      await uploadFiles(s3, bucket, modelFiles, { signal });
    } catch (err) {
      await removeUploads();
      if (signal?.aborted) throw new CancelledError();
      throw describeAwsError(err, conn, `Uploading ${built.localModel.s3Uri}`);
    }
  }
  try {
    progress(`Creating training job ${built.jobName}`);
    throwIfAborted(signal);
    await client(SageMakerClient, conn).send(new CreateTrainingJobCommand(built.request), { abortSignal: signal });
  } catch (err) {
    // Cancelled or cut off while the request was out: SageMaker may have created the job anyway, and a
    // job that bills must never be left unnamed.
    const sent = signal?.aborted || !awsErrorStatus(err);
    if (sent && (await jobExists(conn, built.jobName)))
      throw new TrainingJobStartedError(built.jobName, signal?.aborted ? undefined : err);
    // No job: remove the uploads so nothing is left half-done.
    await removeUploads();
    if (signal?.aborted) throw new CancelledError();
    throw describeAwsError(err, conn, `Creating training job ${built.jobName}`);
  }
  return {
    jobName: built.jobName,
    request: built.request,
    sourceS3Uri: built.sourceS3Uri,
    warnings: built.validated.warnings,
    sourceEntries: pkg.entries,
    sdkDefaults: built.sdkDefaults,
  };
}

/**
 * A torch-compile job gets the compile cache the last completed job of the same spec (same base
 * name and image) saved, as the channel compile_cache. Optional: any failure to look it up compiles cold.
 */
async function addCompileCacheChannel(
  spec: JobSpec,
  built: TrainingRequest,
  conn: Connection,
  progress: (m: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (!compilesWithTorch(built.request)) return;
  try {
    const sm = client(SageMakerClient, conn);
    const base = spec.training.baseJobName ?? built.validated.image.entry.repository;
    const list = await sm.send(
      new ListTrainingJobsCommand({
        NameContains: base,
        StatusEquals: 'Completed',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 5,
      }),
      { abortSignal: signal },
    );
    const previous = [];
    for (const j of (list.TrainingJobSummaries ?? []).slice(0, 3)) {
      previous.push(
        await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: j.TrainingJobName }), { abortSignal: signal }),
      );
    }
    const source = compileCacheSource(built.request, previous);
    if (source) {
      built.request.InputDataConfig = [...(built.request.InputDataConfig ?? []), compileCacheChannel(source)];
      progress(`Compile cache from ${source}`);
    }
  } catch (err) {
    if (signal?.aborted) throw new CancelledError();
    progress(`No compile cache (${(err as Error).message}): compiling from scratch`);
  }
}

/**
 * The start was cancelled (or its answer lost) after CreateTrainingJob reached SageMaker: the job exists
 * and bills. A cancel (isCancelled) that names the job, so the caller can offer to stop it.
 */
export class TrainingJobStartedError extends CancelledError {
  constructor(
    readonly jobName: string,
    readonly failure?: unknown,
  ) {
    super(`training job ${jobName} was created before the cancel took effect`);
  }
}

async function jobExists(conn: Connection, name: string): Promise<boolean> {
  try {
    await client(SageMakerClient, conn).send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    return true;
  } catch {
    return false;
  }
}

type Sender = Pick<SageMakerClient, 'send'>;

/** StopTrainingJob (the job goes Stopping, then Stopped; billing ends when it is Stopped). */
export async function stopTrainingJob(
  conn: Connection,
  name: string,
  opts: { signal?: AbortSignal; sagemaker?: Sender } = {},
): Promise<void> {
  const sm = opts.sagemaker ?? client(SageMakerClient, conn);
  try {
    await sm.send(new StopTrainingJobCommand({ TrainingJobName: name }), { abortSignal: opts.signal });
  } catch (err) {
    if (awsErrorName(err) === 'ValidationException' && /not in progress|status/i.test(String((err as Error).message))) {
      throw new UserError(
        `Stopping ${name} failed: the job is not running any more (${(err as Error).message})`,
        'jobName',
        { cause: err },
      );
    }
    throw describeAwsError(err, conn, `Stopping training job ${name}`);
  }
}

export async function describeTrainingJob(
  conn: Connection,
  name: string,
  signal?: AbortSignal,
): Promise<DescribeTrainingJobCommandOutput> {
  try {
    return await client(SageMakerClient, conn).send(new DescribeTrainingJobCommand({ TrainingJobName: name }), {
      abortSignal: signal,
    });
  } catch (err) {
    throw describeAwsError(err, conn, `Describing training job ${name}`);
  }
}

/** Polls DescribeTrainingJob until a terminal status; reports each status change. */
export async function waitForTrainingJob(
  conn: Connection,
  name: string,
  opts: { signal?: AbortSignal; pollMs?: number; onStatus?: (d: DescribeTrainingJobCommandOutput) => void } = {},
): Promise<DescribeTrainingJobCommandOutput> {
  let last = '';
  for (;;) {
    const d = await describeTrainingJob(conn, name, opts.signal);
    const now = `${d.TrainingJobStatus}/${d.SecondaryStatus}`;
    if (now !== last) {
      last = now;
      opts.onStatus?.(d);
    }
    if (isTerminalStatus(d.TrainingJobStatus)) return d;
    await sleep(opts.pollMs ?? 30_000, opts.signal);
  }
}
