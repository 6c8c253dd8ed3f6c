// `prepare --on sagemaker`: the dataset step as a SageMaker Processing job, for datasets beyond one
// machine. Launch: the script, its config, a local tokenizer folder and local split files (JSONL cut at
// line boundaries into one part per instance, which ShardedByS3Key then hands out) go to
// s3://{bucket}/{job}/; CreateProcessingJob (src/core/dataset/processingRequest.ts). Finish: the job's log is
// tailed (src/workflow/jobLogTail.ts, told it follows a Processing job); once it Completed, the
// instances' save_to_disk parts are copied (server side) into s3://{bucket}/{s3Prefix}/{channel}/ as one
// folder per channel with the local prepare's state.json and dataset_info.json, stale keys go, the report
// follows and the manifest is written last (the S3 contract of src/workflow/dataset/datasetUpload.ts). The old
// manifest is removed only when assembling starts: a failed or stopped job leaves the prepared dataset
// as it was. Cancelling while the job runs stops it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateProcessingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Upload } from '@aws-sdk/lib-storage';
import { client } from '../../aws/clients';
import { describeAwsError } from '../../aws/errors';
import { deleteKeys, listKeys, type UploadedFile } from '../../aws/s3Upload';
import { datasetMetadata, inspectPrefix } from './datasetUpload';
import { checkLocalInputs } from './datasetSources';
import { CancelledError, UserError, errorLine, isCancelled, sleep, throwIfAborted } from '../../core/errors';
import { isTerminalStatus } from '../../core/sagemaker/jobStatus';
import { planAssembly, type HostSummary } from '../../core/dataset/processingAssembly';
import type { AppliedDefault } from '../../core/sagemaker/sdkDefaults';
import { applyProcessingDefaults, roleFromFile } from '../../core/sagemaker/sdkDefaultsApply';
import {
  SCRIPT_NAME,
  buildProcessingRequest,
  type ProcessingOptions,
  type ProcessingPlan,
  type ProcessingUploads,
} from '../../core/dataset/processingRequest';
import {
  MANIFEST_NAME,
  REPORT_NAME,
  TOOL,
  buildManifest,
  manifestBody,
  type DatasetManifest,
} from '../../core/dataset/manifest';
import { renderReportMarkdown, reportSource, type PrepareReport } from '../../core/dataset/prepareReport';
import type { JobSpec } from '../../core/spec/spec';
import { ensureDefaultBucket, withSpecBucket, type Connection } from '../connect';
import { hubEndpointOf } from './datasetSources';
import { lineRanges } from './textLines';
import type { ProcessingJobDescription, TailLine } from '../jobLogTail';
import { describeProcessingJob, stopProcessingJob, tailProcessingJob } from '../processingJobs';
import type { PrepareProgress } from './prepareProgress';

export interface RemotePrepareOptions extends ProcessingOptions {
  /** Folder holding processing/prepare_dataset.py (the installation's training-scripts/). */
  scriptsDir: string;
  signal?: AbortSignal;
  onProgress?: (p: PrepareProgress) => void;
  /** Log lines of the job (tailed from CloudWatch); without it the job is only polled. */
  onLog?: (line: TailLine) => void;
  hubToken?: string;
  now?: Date;
  pollMs?: number;
}

export interface LaunchedPrepare {
  plan: ProcessingPlan;
}

export interface RemotePrepareResult {
  jobName: string;
  channels: Record<string, { split: string; rows: number; s3Uri: string }>;
  labelNames: string[];
  report: PrepareReport;
  manifestUri: string;
  bucketCreated?: boolean;
}

function isLocalTokenizer(tokenizer: string): boolean {
  return path.isAbsolute(tokenizer) && fs.existsSync(tokenizer) && fs.statSync(tokenizer).isDirectory();
}

/** What gets uploaded for this spec: the local split files in use and a local tokenizer folder. */
export function uploadsOf(spec: JobSpec): ProcessingUploads {
  const src = spec.dataset.source;
  return {
    splits: typeof src === 'object' ? [...new Set(Object.values(spec.dataset.splits))].sort() : [],
    tokenizer: isLocalTokenizer(spec.dataset.tokenizer),
  };
}

export type PlannedProcessing = ProcessingPlan & { sdkDefaults: AppliedDefault[] };

/** The request that would be sent, the SDK defaults files applied (nothing uploaded or created). */
export function planRemotePrepare(
  spec: JobSpec,
  session: Pick<Connection, 'account' | 'region' | 'bucket' | 'role' | 'sdkDefaults'>,
  opts: ProcessingOptions & { hubToken?: string; now?: Date },
): PlannedProcessing {
  const conn = withSpecBucket(session, spec);
  const src = spec.dataset.source;
  const names =
    typeof src === 'object' ? Object.fromEntries(Object.entries(src).map(([s, f]) => [s, path.basename(f)])) : {};
  const fileRole =
    spec.training.role || conn.role
      ? undefined
      : roleFromFile(conn.sdkDefaults, 'CreateProcessingJob', 'SageMaker.ProcessingJob.RoleArn');
  const extra = typeof src === 'object' ? checkLocalInputs(src, uploadsOf(spec).splits, opts.instanceCount) : [];
  const plan = buildProcessingRequest(
    spec,
    {
      account: conn.account,
      region: conn.region,
      bucket: conn.bucket,
      role: conn.role ?? fileRole?.role,
      now: opts.now ?? new Date(),
      hubToken: opts.hubToken,
    },
    opts,
    uploadsOf(spec),
    names,
  );
  plan.warnings.push(...extra);
  if (!conn.sdkDefaults) return { ...plan, sdkDefaults: [] };
  const d = applyProcessingDefaults(plan.request, conn.sdkDefaults);
  return { ...plan, request: d.request, sdkDefaults: fileRole ? [fileRole.applied, ...d.applied] : d.applied };
}

function splitS3(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) throw new Error(`not an S3 URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}

async function putStream(
  s3: S3Client,
  bucket: string,
  key: string,
  body: fs.ReadStream | string,
  signal?: AbortSignal,
): Promise<string> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: key, Body: body },
      leavePartsOnError: false,
      abortController: controller,
    }).done();
    return (res as { ETag?: string }).ETag ?? '';
  } catch (err) {
    if (signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const keys = (await listKeys(s3, bucket, prefix)).map((k) => k.key);
  if (keys.length) await deleteKeys(s3, bucket, keys);
}

/** Uploads the job's inputs and creates the Processing job. Billable: the caller confirms first. */
export async function launchRemotePrepare(
  spec: JobSpec,
  session: Connection,
  opts: RemotePrepareOptions,
): Promise<LaunchedPrepare> {
  const conn = withSpecBucket(session, spec);
  const { signal } = opts;
  const progress = (message: string, fraction?: number) => opts.onProgress?.({ stage: 'launch', message, fraction });
  const plan = planRemotePrepare(spec, conn, opts);
  const script = path.join(opts.scriptsDir, 'processing', SCRIPT_NAME);
  if (!fs.existsSync(script)) throw new Error(`the Processing script is missing from this installation: ${script}`);
  await ensureDefaultBucket(conn, signal);
  const s3 = client(S3Client, conn);
  const { bucket, key: jobKey } = splitS3(plan.jobS3Uri);
  // Before anything is billed: a dataset nested below or above the prefix is refused (both named).
  await inspectPrefix(s3, bucket, spec.dataset.s3Prefix, signal);
  try {
    progress(`Uploading the script to ${plan.codeS3Uri}`);
    await putStream(s3, bucket, `${jobKey}/code/${SCRIPT_NAME}`, fs.createReadStream(script), signal);
    await putStream(s3, bucket, `${jobKey}/code/config.json`, JSON.stringify(plan.config, null, 2) + '\n', signal);
    const uploads = uploadsOf(spec);
    if (uploads.tokenizer) {
      for (const f of await fs.promises.readdir(spec.dataset.tokenizer)) {
        const p = path.join(spec.dataset.tokenizer, f);
        if ((await fs.promises.stat(p)).isFile())
          await putStream(s3, bucket, `${jobKey}/tokenizer/${f}`, fs.createReadStream(p), signal);
      }
    }
    const src = spec.dataset.source;
    if (typeof src === 'object') {
      for (const split of uploads.splits) {
        const file = src[split]!;
        const ranges = /\.jsonl?$/i.test(file)
          ? await lineRanges(file, opts.instanceCount)
          : [{ start: 0, end: (await fs.promises.stat(file)).size }];
        const ext = path.extname(file);
        for (const [i, r] of ranges.entries()) {
          const name = ranges.length > 1 ? `part-${String(i).padStart(5, '0')}${ext}` : path.basename(file);
          progress(
            `Uploading ${split}${ranges.length > 1 ? ` part ${i + 1} of ${ranges.length}` : ''} (${r.end - r.start} bytes)`,
          );
          await putStream(
            s3,
            bucket,
            `${jobKey}/input/${split}/${name}`,
            fs.createReadStream(file, { start: r.start, end: Math.max(r.start, r.end - 1) }),
            signal,
          );
        }
      }
    }
    throwIfAborted(signal);
    progress(`Creating Processing job ${plan.jobName}`);
    await client(SageMakerClient, conn).send(new CreateProcessingJobCommand(plan.request), { abortSignal: signal });
  } catch (err) {
    // No job: nothing may stay behind in S3.
    await deletePrefix(s3, bucket, `${jobKey}/`).catch(() => undefined);
    if (isCancelled(err) || signal?.aborted) throw new CancelledError();
    if (err instanceof UserError) throw err;
    throw describeAwsError(err, conn, `Starting Processing job ${plan.jobName}`);
  }
  return { plan };
}

async function waitForJob(
  conn: Connection,
  name: string,
  opts: RemotePrepareOptions,
): Promise<ProcessingJobDescription> {
  if (opts.onLog) await tailProcessingJob(conn, name, { follow: true, signal: opts.signal, onLine: opts.onLog });
  for (;;) {
    const d = await describeProcessingJob(conn, name, opts.signal);
    opts.onProgress?.({ stage: 'process', message: `Processing job ${name}: ${d.ProcessingJobStatus}` });
    if (isTerminalStatus(d.ProcessingJobStatus)) return d;
    await sleep(opts.pollMs ?? 30_000, opts.signal);
  }
}

/** Waits for the job (stopping it on cancel), then assembles the dataset prefix and writes the manifest last. */
export async function finishRemotePrepare(
  spec: JobSpec,
  session: Connection,
  launched: LaunchedPrepare,
  opts: RemotePrepareOptions,
): Promise<RemotePrepareResult> {
  const conn = withSpecBucket(session, spec);
  const { plan } = launched;
  const { signal } = opts;
  const progress = (stage: string, message: string, fraction?: number) =>
    opts.onProgress?.({ stage, message, fraction });
  const s3 = client(S3Client, conn);
  const { bucket, key: jobKey } = splitS3(plan.jobS3Uri);
  let job: ProcessingJobDescription;
  try {
    job = await waitForJob(conn, plan.jobName, opts);
  } catch (err) {
    if (isCancelled(err) || signal?.aborted) {
      progress('process', `Stopping Processing job ${plan.jobName}`);
      await stopProcessingJob(conn, plan.jobName).catch(() => undefined);
      throw new CancelledError();
    }
    throw err;
  }
  if (job.ProcessingJobStatus !== 'Completed') {
    await deletePrefix(s3, bucket, `${jobKey}/`).catch(() => undefined);
    throw new UserError(
      `Processing job ${plan.jobName} ${job.ProcessingJobStatus}${job.FailureReason ? `: ${job.FailureReason}` : ''}; the dataset at s3://${bucket}/${spec.dataset.s3Prefix}/ was not changed`,
    );
  }

  const prefix = spec.dataset.s3Prefix;
  const outKey = splitS3(plan.outputS3Uri).key;
  try {
    progress('assemble', "Reading the instances' summaries");
    const outputs = await listKeys(s3, bucket, outKey, signal);
    const sizes = new Map(outputs.map((o) => [o.key.slice(outKey.length), o.bytes]));
    const summaries: HostSummary[] = [];
    for (const o of outputs.filter((k) => /^[^/]+\/summary\.json$/.test(k.key.slice(outKey.length)))) {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.key }), { abortSignal: signal });
      summaries.push(JSON.parse(await res.Body!.transformToString()) as HostSummary);
    }
    const assembly = planAssembly(summaries, spec.dataset.splits);
    // Only objects of this dataset may go; a user's files beside them stay.
    const owned = new Set((await inspectPrefix(s3, bucket, prefix, signal)).ours);
    const Metadata = datasetMetadata(prefix);

    // From here until the manifest is written the dataset reads as incomplete.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}/${MANIFEST_NAME}` }), {
      abortSignal: signal,
    });
    const manifestChannels: DatasetManifest['channels'] = {};
    const totalCopies = assembly.channels.reduce((a, c) => a + c.copies.length, 0);
    let copied = 0;
    for (const ch of assembly.channels) {
      const files: UploadedFile[] = [];
      for (const c of ch.copies) {
        throwIfAborted(signal);
        progress('assemble', `Copying ${ch.channel}/${c.to}`, copied++ / Math.max(1, totalCopies));
        const key = `${prefix}/${ch.channel}/${c.to}`;
        const res = await s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: key,
            CopySource: encodeURI(`${bucket}/${outKey}${c.from}`),
            MetadataDirective: 'REPLACE',
            Metadata,
            ContentType: 'application/vnd.apache.arrow.stream',
          }),
          { abortSignal: signal },
        );
        files.push({ key, bytes: sizes.get(c.from) ?? 0, etag: res.CopyObjectResult?.ETag ?? '' });
      }
      for (const [name, body] of [
        ['dataset_info.json', ch.datasetInfoJson],
        ['state.json', ch.stateJson],
      ] as const) {
        const key = `${prefix}/${ch.channel}/${name}`;
        const res = await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', Metadata }),
          { abortSignal: signal },
        );
        files.push({ key, bytes: Buffer.byteLength(body), etag: res.ETag ?? '' });
      }
      const fresh = new Set(files.map((f) => f.key));
      const stale = (await listKeys(s3, bucket, `${prefix}/${ch.channel}/`, signal))
        .map((k) => k.key)
        .filter((k) => !fresh.has(k) && owned.has(k));
      if (stale.length) await deleteKeys(s3, bucket, stale, signal);
      manifestChannels[ch.channel] = {
        split: ch.split,
        rows: ch.rows,
        s3Uri: `s3://${bucket}/${prefix}/${ch.channel}/`,
        files,
      };
    }
    const ds = spec.dataset;
    const createdAt = new Date().toISOString();
    const report: PrepareReport = {
      createdAt,
      tool: `${TOOL} (Processing job ${plan.jobName}, ${opts.instanceType} x${opts.instanceCount})`,
      source: reportSource(ds, hubEndpointOf(undefined)),
      tokenizer: ds.tokenizer,
      padding: assembly.padding,
      maxLength: assembly.padTo,
      truncateAt: assembly.truncateAt,
      labelNames: assembly.labelNames,
      labelNamesFrom: assembly.labelNamesFrom,
      splits: assembly.channels.map((c) => c.report),
      options: assembly.options,
      bytesWritten: assembly.channels.reduce((a, c) => a + c.report.bytes, 0),
      seconds: assembly.seconds,
    };
    const reportBody = renderReportMarkdown(report);
    const reportKey = `${prefix}/${REPORT_NAME}`;
    const reportPut = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: reportKey,
        Body: reportBody,
        ContentType: 'text/markdown; charset=utf-8',
        Metadata,
      }),
      { abortSignal: signal },
    );
    throwIfAborted(signal);
    const manifest = buildManifest({
      dataset: ds,
      createdAt,
      bucket,
      prefix,
      padding: assembly.padding,
      maxLength: assembly.padTo,
      labelNames: assembly.labelNames,
      channels: manifestChannels,
      report: { key: reportKey, bytes: Buffer.byteLength(reportBody), etag: reportPut.ETag ?? '' },
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}/${MANIFEST_NAME}`,
        Body: manifestBody(manifest),
        ContentType: 'application/json',
        Metadata,
      }),
      { abortSignal: signal },
    );
    progress('assemble', `Removing the job's staging files under s3://${bucket}/${jobKey}/`);
    await deletePrefix(s3, bucket, `${jobKey}/`);
    progress('done', 'Prepared on SageMaker', 1);
    return {
      jobName: plan.jobName,
      channels: Object.fromEntries(
        Object.entries(manifestChannels).map(([c, m]) => [c, { split: m.split, rows: m.rows, s3Uri: m.s3Uri }]),
      ),
      labelNames: assembly.labelNames,
      report,
      manifestUri: `s3://${bucket}/${prefix}/${MANIFEST_NAME}`,
    };
  } catch (err) {
    // The confirmation promised the staging goes afterwards: on failure too, or it is named.
    const staging = `s3://${bucket}/${jobKey}/`;
    const left = await deletePrefix(s3, bucket, `${jobKey}/`).then(
      () => `the job's staging under ${staging} was removed`,
      (e: unknown) =>
        `the job's staging under ${staging} is left (removing it failed: ${errorLine(e)}); remove it with 'aws s3 rm --recursive ${staging}'`,
    );
    if (isCancelled(err) || signal?.aborted) throw new CancelledError();
    if (err instanceof UserError) throw new UserError(`${err.message}; ${left}`, err.field, { cause: err });
    throw describeAwsError(
      err,
      conn,
      `Assembling the dataset at s3://${bucket}/${prefix}/ from Processing job ${plan.jobName} (${left})`,
    );
  }
}

/** Launch, wait (tailing the log), assemble. */
export async function prepareOnSageMaker(
  spec: JobSpec,
  conn: Connection,
  opts: RemotePrepareOptions,
): Promise<RemotePrepareResult> {
  const launched = await launchRemotePrepare(spec, conn, opts);
  return finishRemotePrepare(spec, conn, launched, opts);
}
