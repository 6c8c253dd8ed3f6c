// Prepared datasets found in the default bucket (their manifests), for the Datasets tree.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { client } from '../../aws/clients';
import type { Connection } from '../connect';
import { MANIFEST_NAME, type DatasetManifest } from '../../core/dataset/manifest';

/** Manifests in the bucket (the first pages of keys only: the default bucket also holds job outputs). */
export async function listDatasetManifests(
  conn: Connection,
  signal?: AbortSignal,
  maxPages = 10,
): Promise<DatasetManifest[]> {
  const s3 = client(S3Client, conn);
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await s3.send(new ListObjectsV2Command({ Bucket: conn.bucket, ContinuationToken: token }), {
      abortSignal: signal,
    });
    for (const o of res.Contents ?? []) if (o.Key?.endsWith(`/${MANIFEST_NAME}`)) keys.push(o.Key);
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
    if (!token) break;
  }
  const out: DatasetManifest[] = [];
  for (const key of keys) {
    try {
      out.push(JSON.parse(await readS3Text(conn, conn.bucket, key, signal)) as DatasetManifest);
    } catch {
      // An unreadable manifest is skipped; the prefix then reads as not prepared.
    }
  }
  return out;
}

export async function readS3Text(conn: Connection, bucket: string, key: string, signal?: AbortSignal): Promise<string> {
  const res = await client(S3Client, conn).send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
    abortSignal: signal,
  });
  return res.Body!.transformToString();
}
