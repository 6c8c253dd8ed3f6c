// A prepared folder that can be uploaded as it is. A local prepare writes `.sagemaker-hf-prepared.json`
// beside its channel folders: what decided the content (the dataset spec without its S3 prefix, with the
// size and modification time of every local source file and of the tokenizer file) and every file it
// wrote with its size. Uploading after a local prepare then checks that record against the spec and the
// folder, and when both still match sends the files as they are instead of reading and tokenizing the
// data a second time; when anything differs it says what, and the caller prepares again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { client } from '../../../aws/clients';
import { describeAwsError } from '../../../aws/errors';
import { abortOpenUploads } from '../../../aws/s3Upload';
import { TOOL, MANIFEST_NAME } from '../../../core/dataset/manifest';
import { formatBytes, type PrepareReport } from '../../../core/dataset/prepareReport';
import { CancelledError, UserError, throwIfAborted } from '../../../core/errors';
import type { DatasetSpec, JobSpec } from '../../../core/spec/spec';
import { withSpecBucket, type Connection } from '../../connect';
import { Uploader, claimPrefix, publishDataset } from '../datasetUpload';
import type { PrepareProgress, PrepareResult } from '../prepareProgress';

export const PREPARED_RECORD = '.sagemaker-hf-prepared.json';

interface PreparedRecord {
  format: 'sagemaker-hf-prepared-folder';
  formatVersion: 1;
  tool: string;
  /** Canonical JSON of what decided the content (see `contentKey`). */
  content: string;
  channels: Record<string, { split: string; rows: number; files: { name: string; bytes: number }[] }>;
}

const stamp = (file: string) => {
  try {
    const st = fs.statSync(file);
    return { bytes: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
};

/** JSON with object keys sorted at every level, so equal content gives equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** What decides the folder's bytes: the dataset spec (its S3 prefix only says where it goes) and the input files. */
function contentKey(ds: DatasetSpec): string {
  const { s3Prefix: _where, ...spec } = ds;
  const files =
    typeof ds.source === 'object' ? Object.fromEntries(Object.entries(ds.source).map(([s, f]) => [s, stamp(f)])) : null;
  const tokenizerFile = stamp(path.join(ds.tokenizer, 'tokenizer.json'));
  return canonical({ spec, files, tokenizerFile });
}

/** Written last by a local prepare, once every channel folder is in place. */
export async function writePreparedRecord(
  outDir: string,
  ds: DatasetSpec,
  channels: Record<string, { split: string; rows: number }>,
  written: ReadonlyMap<string, { files: { name: string; bytes: number }[] }>,
): Promise<void> {
  const record: PreparedRecord = {
    format: 'sagemaker-hf-prepared-folder',
    formatVersion: 1,
    tool: TOOL,
    content: contentKey(ds),
    channels: Object.fromEntries(
      Object.entries(channels).map(([c, { split, rows }]) => [c, { split, rows, files: written.get(c)?.files ?? [] }]),
    ),
  };
  await fs.promises.writeFile(path.join(outDir, PREPARED_RECORD), JSON.stringify(record, null, 2) + '\n');
}

/** Removed before a prepare starts replacing the folder's files, so a half-replaced folder has no record. */
export async function removePreparedRecord(outDir: string): Promise<void> {
  await fs.promises.rm(path.join(outDir, PREPARED_RECORD), { force: true });
}

/** The folder's record and report when they still describe this spec's dataset, or why not. */
export function checkPreparedFolder(
  spec: JobSpec,
  outDir: string,
): { ok: true; record: PreparedRecord; report: PrepareReport } | { ok: false; reason: string } {
  let record: PreparedRecord;
  let report: PrepareReport;
  try {
    record = JSON.parse(fs.readFileSync(path.join(outDir, PREPARED_RECORD), 'utf8')) as PreparedRecord;
    report = JSON.parse(fs.readFileSync(path.join(outDir, 'report.json'), 'utf8')) as PrepareReport;
  } catch {
    return { ok: false, reason: `${outDir} holds no complete prepare` };
  }
  if (record.format !== 'sagemaker-hf-prepared-folder' || record.formatVersion !== 1)
    return { ok: false, reason: `${PREPARED_RECORD} is of another format` };
  if (record.content !== contentKey(spec.dataset))
    return { ok: false, reason: 'the dataset spec, its source files or the tokenizer changed since it was prepared' };
  const want = Object.entries(spec.dataset.splits);
  const have = Object.keys(record.channels);
  if (want.length !== have.length || want.some(([c, s]) => record.channels[c]?.split !== s))
    return { ok: false, reason: 'its channels differ from dataset.splits' };
  for (const [channel, c] of Object.entries(record.channels))
    for (const f of c.files) {
      const st = stamp(path.join(outDir, channel, f.name));
      if (st?.bytes !== f.bytes) return { ok: false, reason: `${channel}/${f.name} changed or is missing` };
    }
  return { ok: true, record, report };
}

/** What the upload takes of prepareDataset's options (its own types would make an import circle). */
interface FolderUploadOptions {
  outDir: string;
  signal?: AbortSignal;
  onProgress?: (p: PrepareProgress) => void;
  uploadPartSize?: number;
  allowForeignObjects?: boolean;
  confirmForeignObjects?: (keys: string[]) => Promise<boolean>;
}

/** prepareDataset's result, as an upload of the folder gives it: always uploaded, never tokenized here. */
type FolderUploadResult = Omit<PrepareResult, 'workers' | 'reused'> &
  Required<Pick<PrepareResult, 'manifestUri' | 'bucketCreated' | 'removedKeys' | 'abortedUploads'>> & {
    reused: true;
  };

/** Uploads a checked folder as a local prepare with `upload` would have: the same keys, manifest last. */
export async function uploadPreparedFolder(
  spec: JobSpec,
  checked: { record: PreparedRecord; report: PrepareReport },
  upload: Connection,
  opts: FolderUploadOptions,
): Promise<FolderUploadResult> {
  const { record, report } = checked;
  const prefix = spec.dataset.s3Prefix;
  const conn = withSpecBucket(upload, spec);
  const s3 = client(S3Client, conn);
  const stop = new AbortController();
  const onUserAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();
  const signal = stop.signal;
  const progress = (message: string, fraction?: number, extra = {}) =>
    opts.onProgress?.({ stage: 'upload', message, fraction, ...extra });
  let uploader: Uploader | undefined;
  let ok = false;
  try {
    const claimed = await claimPrefix(conn, s3, prefix, {
      signal,
      allowForeignObjects: opts.allowForeignObjects,
      confirmForeignObjects: opts.confirmForeignObjects,
      progress,
    });
    uploader = new Uploader(s3, conn.bucket, {
      prefix,
      signal,
      partSize: opts.uploadPartSize,
      onBytes: (up, queued, key) =>
        progress(
          `Uploading ${key.slice(prefix.length + 1)}: ${formatBytes(up)} of ${formatBytes(queued)}`,
          queued ? up / queued : 1,
          { bytesUploaded: up, bytesToUpload: queued },
        ),
      onError: () => stop.abort(),
    });
    // As in a prepare: the old manifest goes first, so the prefix reads as incomplete until the new one.
    await s3.send(new DeleteObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${MANIFEST_NAME}` }), {
      abortSignal: signal,
    });
    for (const [channel, c] of Object.entries(record.channels))
      for (const f of c.files)
        uploader.add({
          path: path.join(opts.outDir, channel, f.name),
          key: `${prefix}/${channel}/${f.name}`,
          bytes: f.bytes,
          contentType: f.name.endsWith('.json') ? 'application/json' : 'application/vnd.apache.arrow.stream',
        });
    const reportPath = path.join(opts.outDir, 'report.md');
    const published = await publishDataset(s3, uploader, {
      bucket: conn.bucket,
      prefix,
      dataset: spec.dataset,
      reportPath,
      createdAt: report.createdAt,
      padding: report.padding,
      maxLength: report.maxLength,
      labelNames: report.labelNames,
      channels: Object.entries(record.channels).map(([channel, c]) => [channel, c.split, c.rows, c.files]),
      ours: claimed.ours,
      signal,
      progress,
    });
    throwIfAborted(signal);
    ok = true;
    opts.onProgress?.({ stage: 'done', message: 'Uploaded', fraction: 1 });
    return {
      outDir: opts.outDir,
      channels: Object.fromEntries(
        Object.entries(record.channels).map(([channel, c]) => [
          channel,
          {
            split: c.split,
            dir: path.join(opts.outDir, channel),
            rows: c.rows,
            s3Uri: published.manifest.channels[channel]!.s3Uri,
          },
        ]),
      ),
      labelNames: report.labelNames,
      maxLength: report.maxLength ?? report.truncateAt,
      report,
      reportPath,
      manifestUri: published.manifestUri,
      bucketCreated: claimed.bucketCreated,
      removedKeys: published.removedKeys,
      ...(claimed.foreignKeys ? { foreignKeys: claimed.foreignKeys } : {}),
      abortedUploads: claimed.abortedUploads,
      reused: true,
    };
  } catch (err) {
    stop.abort();
    if (opts.signal?.aborted) throw new CancelledError();
    const cause = uploader?.error ?? err;
    if (cause instanceof UserError || cause instanceof CancelledError) throw cause;
    throw describeAwsError(cause, conn, `Uploading the dataset to s3://${conn.bucket}/${prefix}/`);
  } finally {
    opts.signal?.removeEventListener('abort', onUserAbort);
    if (uploader && !ok) await uploader.wait().catch(() => undefined);
    await abortOpenUploads(s3, conn.bucket, `${prefix}/`).catch(() => undefined);
  }
}
