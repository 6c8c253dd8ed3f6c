// S3 transfers for prepared datasets: multipart uploads with parallel parts and progress
// (@aws-sdk/lib-storage), listing and deleting keys under a prefix, and aborting multipart uploads a
// cancelled or failed run left open (so no parts linger and bill).
import * as fs from 'node:fs';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CancelledError } from '../core/errors';

export interface LocalFile {
  path: string;
  key: string;
  bytes: number;
  contentType?: string;
  /** User metadata (x-amz-meta-*), e.g. the mark that says this tool wrote the object. */
  metadata?: Record<string, string>;
}

export interface UploadedFile {
  key: string;
  bytes: number;
  etag: string;
}

export interface UploadOptions {
  signal?: AbortSignal;
  /** Bytes per part (min 5 MiB). */
  partSize?: number;
  /** Parts in flight per file. */
  queueSize?: number;
  onProgress?: (loaded: number, total: number, key: string) => void;
}

export async function uploadFiles(
  s3: S3Client,
  bucket: string,
  files: LocalFile[],
  opts: UploadOptions = {},
): Promise<UploadedFile[]> {
  const total = files.reduce((a, f) => a + f.bytes, 0);
  let done = 0;
  const out: UploadedFile[] = [];
  for (const f of files) {
    if (opts.signal?.aborted) throw new CancelledError();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: f.key,
        Body: fs.createReadStream(f.path),
        ContentType: f.contentType ?? 'application/octet-stream',
        ...(f.metadata ? { Metadata: f.metadata } : {}),
      },
      partSize: Math.max(5 * 1024 * 1024, opts.partSize ?? 8 * 1024 * 1024),
      queueSize: opts.queueSize ?? 4,
      leavePartsOnError: false,
      abortController: controller,
    });
    upload.on('httpUploadProgress', (p) => opts.onProgress?.(done + Math.min(f.bytes, p.loaded ?? 0), total, f.key));
    try {
      const res = await upload.done();
      out.push({ key: f.key, bytes: f.bytes, etag: (res as { ETag?: string }).ETag ?? '' });
    } catch (err) {
      if (opts.signal?.aborted) throw new CancelledError();
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    done += f.bytes;
    opts.onProgress?.(done, total, f.key);
  }
  return out;
}

export async function listKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<{ key: string; bytes: number; etag: string }[]> {
  const keys: { key: string; bytes: number; etag: string }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), {
      abortSignal: signal,
    });
    for (const o of page.Contents ?? []) if (o.Key) keys.push({ key: o.Key, bytes: o.Size ?? 0, etag: o.ETag ?? '' });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function deleteKeys(s3: S3Client, bucket: string, keys: string[], signal?: AbortSignal): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const res = await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }),
      { abortSignal: signal },
    );
    if (res.Errors?.length)
      throw new Error(
        `deleting s3://${bucket}/${res.Errors[0]!.Key} failed: ${res.Errors[0]!.Code ?? ''} ${res.Errors[0]!.Message ?? ''}`.trim(),
      );
  }
}

/** User metadata of an object (keys lower-case, as S3 returns them). */
export async function objectMetadata(
  s3: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
  return head.Metadata ?? {};
}

/** An object's body as text, or undefined when there is no such key. */
export async function readText(
  s3: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return await res.Body!.transformToString();
  } catch (err) {
    if (
      (err as Error).name === 'NoSuchKey' ||
      (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
    )
      return undefined;
    throw err;
  }
}

/** Open multipart uploads under `prefix`. */
export async function listOpenUploads(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ key: string; uploadId: string }[]> {
  const open: { key: string; uploadId: string }[] = [];
  let keyMarker: string | undefined, idMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: idMarker,
      }),
    );
    for (const u of page.Uploads ?? []) if (u.Key && u.UploadId) open.push({ key: u.Key, uploadId: u.UploadId });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    idMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return open;
}

/**
 * Aborts the open multipart uploads under `prefix` (only those of `keys` when given): lib-storage aborts
 * its own on error, this catches the races and the uploads an earlier run left when its abort failed too.
 */
export async function abortOpenUploads(
  s3: S3Client,
  bucket: string,
  prefix: string,
  keys?: Set<string>,
): Promise<number> {
  let n = 0;
  for (const u of await listOpenUploads(s3, bucket, prefix)) {
    if (keys && !keys.has(u.key)) continue;
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }));
    n++;
  }
  return n;
}
