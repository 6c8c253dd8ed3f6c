// The S3 side of the local prepare: who owns the prefix, the uploads while tokenizing goes on, and the
// manifest written last.
//
// S3 contract: a prepared dataset is complete only when s3://{bucket}/{s3Prefix}/.sagemaker-hf-manifest.json
// exists. Before anything is uploaded the prefix is inspected: objects marked as ours for exactly this
// prefix (metadata created-by=sagemaker-hf and dataset-prefix={s3Prefix}; an interrupted run's too) may
// be replaced or removed; any other object stops the run, naming it, unless the caller allows foreign
// objects, and even then it is never deleted. Another dataset below or above the prefix stops it always. A run deletes the old manifest first, uploads the files, removes its
// own stale keys (shown), and writes the new manifest last; every unfinished multipart upload under the
// prefix (an earlier failed run's too) is aborted before the run ends (prepare.ts does that last part).
// The manifest and report sit beside the channel folders: a channel's S3Prefix matches every key
// starting with {s3Prefix}/{channel}.
import * as fs from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  abortOpenUploads,
  deleteKeys,
  listKeys,
  objectMetadata,
  readText,
  uploadFiles,
  type LocalFile,
  type UploadedFile,
} from '../../aws/s3Upload';
import { CancelledError, UserError, isCancelled, throwIfAborted } from '../../core/errors';
import {
  MANIFEST_NAME,
  REPORT_NAME,
  buildManifest,
  manifestBody,
  type DatasetManifest,
} from '../../core/dataset/manifest';
import type { DatasetSpec } from '../../core/spec/spec';
import { CREATED_BY_VALUE } from '../../core/sagemaker/tags';
import { mapLimit } from '../../core/concurrency';
import { ensureDefaultBucket, type Connection } from '../connect';

/** S3 user metadata on every object a prepare uploads: how a later run tells its own leftovers from a user's files. */
const CREATED_BY_METADATA = { 'created-by': CREATED_BY_VALUE };

/** The prefix holds objects this tool did not write; nothing was uploaded. */
export class ForeignObjectsError extends UserError {
  constructor(
    readonly keys: string[],
    bucket: string,
    prefix: string,
  ) {
    const shown =
      keys
        .slice(0, 5)
        .map((k) => k.slice(prefix.length + 1))
        .join(', ') + (keys.length > 5 ? `, … (${keys.length})` : '');
    super(
      `dataset.s3Prefix: s3://${bucket}/${prefix}/ holds ${keys.length} object(s) sagemaker-hf did not write: ${shown}. Nothing was uploaded. Set another dataset.s3Prefix, move them away, or pass --allow-foreign-objects to prepare beside them (they are never deleted)`,
      'dataset.s3Prefix',
    );
  }
}

function s3UriOf(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Uploads files as soon as they are handed over (closed shards while tokenizing goes on). */
export class Uploader {
  private readonly running: Promise<void>[] = [];
  readonly uploaded: UploadedFile[] = [];
  queued = 0;
  private readonly loaded = new Map<string, number>();
  private doneBytes = 0;
  error: unknown;
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly opts: {
      /** The dataset's prefix, marked on every object. */
      prefix: string;
      signal: AbortSignal;
      partSize?: number;
      onBytes: (uploaded: number, queued: number, key: string) => void;
      onError: (err: unknown) => void;
    },
  ) {}
  get bytesUploaded(): number {
    let n = this.doneBytes;
    for (const v of this.loaded.values()) n += v;
    return n;
  }
  add(f: LocalFile): void {
    this.queued += f.bytes;
    const p = uploadFiles(this.s3, this.bucket, [{ ...f, metadata: datasetMetadata(this.opts.prefix) }], {
      signal: this.opts.signal,
      partSize: this.opts.partSize,
      onProgress: (loaded, _total, key) => {
        this.loaded.set(key, loaded);
        this.opts.onBytes(this.bytesUploaded, this.queued, key);
      },
    }).then(
      (res) => {
        this.loaded.delete(f.key);
        this.doneBytes += f.bytes;
        this.uploaded.push(...res);
      },
      (err) => {
        this.error ??= err;
        this.opts.onError(err);
      },
    );
    this.running.push(p);
  }
  async wait(): Promise<UploadedFile[]> {
    await Promise.all(this.running);
    if (this.error) throw this.error;
    return this.uploaded;
  }
}

/** The prefix a dataset object was written for (user metadata; URI-encoded: S3 metadata is ASCII). */
export const PREFIX_METADATA = 'dataset-prefix';

/** The metadata every object of the dataset at `prefix` carries: this tool wrote it, for exactly this prefix. */
export function datasetMetadata(prefix: string): Record<string, string> {
  return { ...CREATED_BY_METADATA, [PREFIX_METADATA]: encodeURIComponent(prefix) };
}

/** Preparing here would write over, or into, another dataset: refused before anything is uploaded. */
export class NestedDatasetError extends UserError {
  constructor(bucket: string, prefix: string, other: string, inside: boolean) {
    super(
      inside
        ? `dataset.s3Prefix: s3://${bucket}/${prefix}/ lies inside the dataset at s3://${bucket}/${other}/ (it has a manifest); preparing here would mix the two. Nothing was uploaded. Choose a dataset.s3Prefix outside s3://${bucket}/${other}/`
        : `dataset.s3Prefix: s3://${bucket}/${prefix}/ holds another dataset at s3://${bucket}/${other}/ (it has a manifest); preparing here could remove it. Nothing was uploaded. Choose a dataset.s3Prefix that does not contain s3://${bucket}/${other}/`,
      'dataset.s3Prefix',
    );
  }
}

/** HEAD answers for a missing key: NotFound, or a bare 404/403 (no ListBucket right). */
async function exists(s3: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await objectMetadata(s3, bucket, key, signal);
    return true;
  } catch (err) {
    if (isCancelled(err)) throw err;
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((err as Error).name === 'NotFound' || status === 404) return false;
    throw err;
  }
}

/**
 * What is under the prefix before this run: keys of ours (replaceable, removable) and foreign objects.
 * Ownership is per prefix: an object is ours only if it carries our mark, and either the mark names
 * exactly this prefix or (objects written before the prefix was marked) this prefix's own manifest lists
 * it. Being listed is not enough (a manifest may name a key someone else wrote since), and our mark alone
 * is not either (it is on every dataset's objects). A dataset nested below or above this prefix stops
 * the run, naming both prefixes.
 */
export async function inspectPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<{ ours: string[]; foreign: string[] }> {
  const manifestKey = `${prefix}/${MANIFEST_NAME}`;
  const keys = (await listKeys(s3, bucket, `${prefix}/`, signal)).map((k) => k.key);
  const nested = keys.find((k) => k !== manifestKey && k.endsWith(`/${MANIFEST_NAME}`));
  if (nested) throw new NestedDatasetError(bucket, prefix, nested.slice(0, -MANIFEST_NAME.length - 1), false);
  const segments = prefix.split('/');
  for (let i = 1; i < segments.length; i++) {
    const outer = segments.slice(0, i).join('/');
    if (await exists(s3, bucket, `${outer}/${MANIFEST_NAME}`, signal))
      throw new NestedDatasetError(bucket, prefix, outer, true);
  }
  const listed = new Set<string>([manifestKey]);
  if (keys.includes(manifestKey)) {
    try {
      const m = JSON.parse((await readText(s3, bucket, manifestKey, signal)) ?? '{}') as Partial<DatasetManifest>;
      if (m.prefix === prefix) {
        for (const c of Object.values(m.channels ?? {})) for (const f of c.files ?? []) listed.add(f.key);
        if (m.report?.key) listed.add(m.report.key);
      }
    } catch (err) {
      if (isCancelled(err)) throw err;
      // An unreadable manifest lists nothing: its files are then judged by their marks alone.
    }
  }
  const marks = await mapLimit(keys, 16, (k) => objectMetadata(s3, bucket, k, signal));
  const ours: string[] = [],
    foreign: string[] = [];
  keys.forEach((k, i) => {
    const meta = marks[i]!;
    const mark = meta[PREFIX_METADATA];
    const owned =
      meta['created-by'] === CREATED_BY_VALUE &&
      (mark !== undefined ? mark === encodeURIComponent(prefix) : listed.has(k));
    (owned ? ours : foreign).push(k);
  });
  return { ours, foreign };
}

export interface ClaimedPrefix {
  /** Keys of an earlier run of ours: replaced, or removed once the new files are up. */
  ours: string[];
  bucketCreated: boolean;
  /** Objects this tool did not write, left untouched (only when allowed). */
  foreignKeys?: string[];
  abortedUploads: number;
}

/**
 * Before reading a row: the bucket exists, the prefix holds nothing foreign (or the caller allows it), and
 * unfinished multipart uploads of an earlier run are gone. A prefix holding a user's files stops the run here.
 */
export async function claimPrefix(
  conn: Connection,
  s3: S3Client,
  prefix: string,
  opts: {
    signal: AbortSignal;
    allowForeignObjects?: boolean;
    confirmForeignObjects?: (keys: string[]) => Promise<boolean>;
    progress: (message: string, fraction?: number) => void;
  },
): Promise<ClaimedPrefix> {
  const { signal, progress } = opts;
  progress(`Checking s3://${conn.bucket}/${prefix}/`, 0);
  const bucketCreated = (await ensureDefaultBucket(conn, signal)).created;
  const seen = await inspectPrefix(s3, conn.bucket, prefix, signal);
  let foreignKeys: string[] | undefined;
  if (seen.foreign.length) {
    const allowed =
      opts.allowForeignObjects || (opts.confirmForeignObjects ? await opts.confirmForeignObjects(seen.foreign) : false);
    if (!allowed) {
      if (opts.confirmForeignObjects) throw new CancelledError();
      throw new ForeignObjectsError(seen.foreign, conn.bucket, prefix);
    }
    foreignKeys = seen.foreign;
    progress(`Leaving ${seen.foreign.length} object(s) under ${prefix}/ that sagemaker-hf did not write untouched`);
  }
  const aborted = await abortOpenUploads(s3, conn.bucket, `${prefix}/`);
  if (aborted) progress(`Aborted ${aborted} unfinished multipart upload(s) an earlier run left under ${prefix}/`);
  return { ours: seen.ours, bucketCreated, ...(foreignKeys ? { foreignKeys } : {}), abortedUploads: aborted };
}

export interface PublishInput {
  bucket: string;
  prefix: string;
  dataset: Pick<DatasetSpec, 'source' | 'config' | 'tokenizer'>;
  /** The local report.md, uploaded as {prefix}/.sagemaker-hf-report.md. */
  reportPath: string;
  createdAt: string;
  padding: string;
  maxLength: number | null;
  labelNames: string[];
  /** Channel -> split, rows and the channel folder's files in folder order. */
  channels: [channel: string, split: string, rows: number, files: { name: string }[]][];
  /** Keys of an earlier run of ours (claimPrefix). */
  ours: string[];
  signal: AbortSignal;
  progress: (message: string, fraction?: number) => void;
}

/** Uploads the report, waits for every upload, removes stale keys of ours and writes the manifest last. */
export async function publishDataset(
  s3: S3Client,
  uploader: Uploader,
  p: PublishInput,
): Promise<{ manifest: DatasetManifest; removedKeys: string[]; manifestUri: string }> {
  const { bucket, prefix, signal, progress } = p;
  const manifestKey = `${prefix}/${MANIFEST_NAME}`;
  const reportFile: LocalFile = {
    path: p.reportPath,
    key: `${prefix}/${REPORT_NAME}`,
    bytes: fs.statSync(p.reportPath).size,
    contentType: 'text/markdown; charset=utf-8',
  };
  uploader.add(reportFile);
  progress(
    `Uploading the last files to s3://${bucket}/${prefix}/`,
    uploader.queued ? uploader.bytesUploaded / uploader.queued : 1,
  );
  const uploaded = await uploader.wait();
  throwIfAborted(signal);
  const fresh = new Set(uploaded.map((u) => u.key));
  const stale = p.ours.filter((k) => !fresh.has(k) && k !== manifestKey);
  if (stale.length) {
    progress(
      `Removing ${stale.length} object(s) an earlier run of sagemaker-hf wrote under ${prefix}/: ${stale
        .map((k) => k.slice(prefix.length + 1))
        .slice(0, 5)
        .join(', ')}${stale.length > 5 ? ', …' : ''}`,
    );
    await deleteKeys(s3, bucket, stale, signal);
  }
  throwIfAborted(signal);
  const byKey = (k: string) => uploaded.find((u) => u.key === k)!;
  const manifest = buildManifest({
    dataset: p.dataset,
    createdAt: p.createdAt,
    bucket,
    prefix,
    padding: p.padding,
    maxLength: p.maxLength,
    labelNames: p.labelNames,
    // Files in folder order (shards, then the JSON files), whatever order the uploads finished in.
    channels: Object.fromEntries(
      p.channels.map(([channel, split, rows, files]) => [
        channel,
        {
          split,
          rows,
          s3Uri: s3UriOf(bucket, `${prefix}/${channel}/`),
          files: files.map((f) => byKey(`${prefix}/${channel}/${f.name}`)),
        },
      ]),
    ),
    report: byKey(reportFile.key),
  });
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: manifestKey,
      Body: manifestBody(manifest),
      ContentType: 'application/json',
      Metadata: datasetMetadata(prefix),
    }),
    { abortSignal: signal },
  );
  return { manifest, removedKeys: stale, manifestUri: s3UriOf(bucket, manifestKey) };
}
