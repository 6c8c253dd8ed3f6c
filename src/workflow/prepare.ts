// The notebook's preprocessing as one step: read the splits, map labels to class ids, tokenize
// (truncation at min(maxLength, model limit)), pad as the spec says, write one save_to_disk folder per
// channel plus a report, and optionally upload to s3://{bucket}/{s3Prefix}/{channel}/.
//
// S3 contract: a prepared dataset is complete only when s3://{bucket}/{s3Prefix}/.sagemaker-hf-manifest.json
// exists. A run deletes the old manifest first, uploads the files, deletes stale keys under each
// channel prefix, and writes the new manifest last; a cancelled or failed run aborts its multipart
// uploads and leaves no manifest. The manifest and report sit beside the channel folders, not in them:
// a channel's S3Prefix matches every key starting with {s3Prefix}/{channel}.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { client } from '../aws/clients';
import { describeAwsError } from '../aws/errors';
import { abortOpenUploads, deleteKeys, listKeys, uploadFiles, type LocalFile, type UploadedFile } from '../aws/s3Upload';
import { writeSplit, type TokenizedSplit } from '../core/datasetWriter';
import { CancelledError, UserError, isCancelled, throwIfAborted } from '../core/errors';
import { encodeLabels, resolveLabelNames } from '../core/labels';
import { choosePadding } from '../core/padding';
import { paddingOptions, renderReportMarkdown, splitReport, type PrepareReport, type SplitReport } from '../core/prepareReport';
import type { JobSpec } from '../core/spec';
import { version } from '../../package.json';
import { ensureDefaultBucket, type Connection } from './connect';
import { hubEndpointOf, loadSplits } from './datasetSources';
import { loadTokenizer, type TextTokenizer } from './tokenizerLoader';

export const MANIFEST_NAME = '.sagemaker-hf-manifest.json';
export const REPORT_NAME = '.sagemaker-hf-report.md';
export const TOOL = `sagemaker-hf ${version}`;

export interface PrepareProgress {
  stage: string;
  message: string;
  fraction?: number;
}

export interface PrepareOptions {
  outDir: string;
  upload?: Connection;
  signal?: AbortSignal;
  onProgress?: (p: PrepareProgress) => void;
  hubToken?: string;
  hubEndpoint?: string;
  cacheDir?: string;
  /** Multipart part size in bytes (default 8 MiB, minimum 5 MiB). */
  uploadPartSize?: number;
}

export interface PrepareResult {
  outDir: string;
  channels: Record<string, { split: string; dir: string; rows: number; s3Uri?: string }>;
  labelNames: string[];
  /** Stored row length; for dynamic padding the truncation length. */
  maxLength: number;
  report: PrepareReport;
  reportPath: string;
  /** s3://bucket/prefix/.sagemaker-hf-manifest.json when uploaded. */
  manifestUri?: string;
  bucketCreated?: boolean;
}

export interface DatasetManifest {
  format: 'sagemaker-hf-dataset';
  formatVersion: 1;
  tool: string;
  createdAt: string;
  bucket: string;
  prefix: string;
  source: string;
  config?: string;
  tokenizer: string;
  padding: string;
  maxLength: number | null;
  labelNames: string[];
  channels: Record<string, { split: string; rows: number; s3Uri: string; files: UploadedFile[] }>;
  report: UploadedFile;
}

export function defaultCacheDir(): string {
  return process.env.SAGEMAKER_HF_CACHE || path.join(os.homedir(), '.cache', 'sagemaker-hf');
}

/** Growable typed buffer for token ids. */
class Grow<T extends Int32Array | Int8Array> {
  length = 0;
  constructor(public buf: T, private readonly make: (n: number) => T) {}
  push(values: ArrayLike<number>): void {
    const need = this.length + values.length;
    if (need > this.buf.length) {
      const next = this.make(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(values as ArrayLike<number>, this.length);
    this.length = need;
  }
  result(): T {
    return this.buf.subarray(0, this.length) as T;
  }
}

interface Tokenized extends Omit<TokenizedSplit, 'labels' | 'split'> {
  /** Lengths before truncation. */
  rawLengths: Int32Array;
}

const TOKENIZE_BATCH = 500;

/**
 * Tokenizes with special tokens and truncates rows longer than `truncateAt` exactly as Python's
 * truncation does for one sequence: the text's own tokens are cut, the special tokens kept.
 */
export async function tokenizeTexts(tok: TextTokenizer, texts: string[], truncateAt: number, signal?: AbortSignal, onFraction?: (f: number) => void): Promise<Tokenized> {
  const n = texts.length;
  const offsets = new Int32Array(n + 1);
  const rawLengths = new Int32Array(n);
  const ids = new Grow(new Int32Array(n * 32), (k) => new Int32Array(k));
  const types = tok.usesTokenTypeIds ? new Grow(new Int8Array(n * 32), (k) => new Int8Array(k)) : undefined;
  for (let start = 0; start < n; start += TOKENIZE_BATCH) {
    throwIfAborted(signal);
    const batch = texts.slice(start, start + TOKENIZE_BATCH);
    const enc = tok.encodeBatch(batch);
    for (let j = 0; j < batch.length; j++) {
      const i = start + j;
      let rowIds = enc.input_ids[j]!;
      let rowTypes = enc.token_type_ids?.[j];
      rawLengths[i] = rowIds.length;
      if (rowIds.length > truncateAt) ({ ids: rowIds, types: rowTypes } = truncateRow(tok, batch[j]!, rowIds, rowTypes, truncateAt));
      ids.push(rowIds);
      if (types) types.push(rowTypes ?? new Array<number>(rowIds.length).fill(0));
      offsets[i + 1] = ids.length;
    }
    onFraction?.(Math.min(1, (start + batch.length) / n));
    // Yields so a cancel (and progress) gets through on long splits.
    await new Promise((r) => setImmediate(r));
  }
  return { rows: n, offsets, ids: ids.result(), typeIds: types?.result(), rawLengths };
}

function truncateRow(tok: TextTokenizer, text: string, full: number[], types: number[] | undefined, max: number): { ids: number[]; types?: number[] } {
  const content = tok.encodeContent(text);
  const special = full.length - content.length;
  const keep = max - special;
  if (keep < 1) throw new UserError(`dataset.maxLength: ${max} leaves no room for text after the tokenizer's ${special} special tokens`, 'dataset.maxLength');
  // Where the text's tokens start inside the full encoding ([CLS] text [SEP] -> 1).
  let at = 0;
  outer: for (; at <= special; at++) {
    for (let k = 0; k < content.length; k++) if (full[at + k] !== content[k]) continue outer;
    break;
  }
  if (at > special) throw new Error('tokenizer produced an encoding whose text tokens are not contiguous; cannot truncate it');
  const cut = (a: number[]) => [...a.slice(0, at + keep), ...a.slice(at + content.length)];
  return { ids: cut(full), types: types ? cut(types) : undefined };
}

function s3UriOf(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

export async function prepareDataset(spec: JobSpec, opts: PrepareOptions): Promise<PrepareResult> {
  const t0 = Date.now();
  const ds = spec.dataset;
  const signal = opts.signal;
  const progress = (stage: string, message: string, fraction?: number) => opts.onProgress?.({ stage, message, fraction });
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const channels = Object.entries(ds.splits);
  if (channels.length === 0) throw new UserError('dataset.splits: name at least one channel, e.g. {"train": "train"}', 'dataset.splits');

  progress('read', 'Reading the dataset', 0);
  const srcOpts = { limit: ds.limit, signal, hubEndpoint: opts.hubEndpoint, hubToken: opts.hubToken, cacheDir, onProgress: (m: string) => progress('read', m) };
  const [loaded, tok] = await Promise.all([
    loadSplits(ds, srcOpts),
    loadTokenizer(ds.tokenizer, { hubEndpoint: opts.hubEndpoint, hubToken: opts.hubToken, cacheDir, signal }),
  ]);
  throwIfAborted(signal);
  const column = ds.labelColumn ?? 'label';
  const { names: labelNames, origin } = resolveLabelNames({
    spec: ds.labelNames,
    dataset: loaded.labelNames,
    sources: [...loaded.splits.values()].map((s) => ({ labels: s.labels, locate: s.locate })),
    column,
  });
  if (labelNames.length < 2) throw new UserError(`dataset.labelColumn: column '${column}' has ${labelNames.length} class; classification needs at least 2`, 'dataset.labelColumn');
  const labels = new Map([...loaded.splits].map(([split, rows]) => [split, encodeLabels({ labels: rows.labels, locate: rows.locate }, labelNames, column)] as const));

  const cap = choosePadding('max_length', ds.maxLength ?? 512, tok.modelMaxLength, 0).truncateAt;
  const tokenized = new Map<string, Tokenized>();
  const totalRows = [...loaded.splits.values()].reduce((a, s) => a + s.texts.length, 0);
  let doneRows = 0;
  for (const [split, rows] of loaded.splits) {
    progress('tokenize', `Tokenizing ${split} (${rows.texts.length} rows)`, doneRows / totalRows);
    const base = doneRows;
    tokenized.set(split, await tokenizeTexts(tok, rows.texts, cap, signal, (f) => progress('tokenize', `Tokenizing ${split}`, (base + f * rows.texts.length) / totalRows)));
    doneRows += rows.texts.length;
    // The texts are no longer needed; frees memory on big datasets.
    rows.texts.length = 0;
  }
  let longest = 0;
  for (const t of tokenized.values()) for (const v of t.rawLengths) if (v > longest) longest = v;
  const choice = choosePadding(ds.padding ?? 'max_length', ds.maxLength ?? 512, tok.modelMaxLength, longest);

  await fs.promises.mkdir(opts.outDir, { recursive: true });
  const result: PrepareResult['channels'] = {};
  const splitReports: SplitReport[] = [];
  const localFiles: LocalFile[] = [];
  const prefix = ds.s3Prefix ?? 'datasets';
  let bytesWritten = 0;
  for (const [i, [channel, split]] of channels.entries()) {
    progress('write', `Writing ${channel}`, i / channels.length);
    const t = tokenized.get(split)!;
    const dir = path.join(opts.outDir, channel);
    const written = await writeSplit(dir, { split, rows: t.rows, offsets: t.offsets, ids: t.ids, typeIds: t.typeIds, labels: labels.get(split)! }, { labelNames, padTo: choice.padTo, padTokenId: tok.padTokenId, signal });
    bytesWritten += written.bytes;
    result[channel] = { split, dir, rows: t.rows };
    splitReports.push(splitReport({ channel, split, lengths: t.rawLengths, labels: labels.get(split)!, labelNames, truncateAt: choice.truncateAt, padTo: choice.padTo, bytes: written.bytes }));
    for (const f of written.files) localFiles.push({ path: path.join(dir, f.name), key: `${prefix}/${channel}/${f.name}`, bytes: f.bytes, contentType: f.name.endsWith('.json') ? 'application/json' : 'application/vnd.apache.arrow.stream' });
  }
  const report: PrepareReport = {
    createdAt: new Date().toISOString(),
    tool: TOOL,
    source: typeof ds.source === 'string' ? `${hubEndpointOf(opts.hubEndpoint)}/datasets/${ds.source} (config ${ds.config ?? 'default'})` : Object.entries(ds.source).map(([s, f]) => `${s}: ${f}`).join(', '),
    tokenizer: ds.tokenizer,
    padding: choice.mode,
    maxLength: choice.padTo,
    truncateAt: choice.truncateAt,
    labelNames,
    labelNamesFrom: { spec: 'dataset.labelNames in the spec', dataset: 'the dataset metadata', 'sorted-strings': 'distinct label strings, sorted', integers: 'integer ids' }[origin],
    splits: splitReports,
    options: paddingOptions([...new Set(channels.map(([, s]) => s))].map((s) => tokenized.get(s)!.rawLengths), ds.maxLength ?? 512, tok.modelMaxLength, tok.usesTokenTypeIds),
    bytesWritten,
    seconds: (Date.now() - t0) / 1000,
  };
  const reportPath = path.join(opts.outDir, 'report.md');
  await fs.promises.writeFile(reportPath, renderReportMarkdown(report));
  await fs.promises.writeFile(path.join(opts.outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const out: PrepareResult = { outDir: opts.outDir, channels: result, labelNames, maxLength: choice.padTo ?? choice.truncateAt, report, reportPath };
  if (!opts.upload) {
    progress('done', 'Prepared', 1);
    return out;
  }

  const conn = opts.upload;
  const s3 = client(S3Client, conn);
  const bucketState = await ensureDefaultBucket(conn, signal);
  out.bucketCreated = bucketState.created;
  const bucket = conn.bucket;
  const manifestKey = `${prefix}/${MANIFEST_NAME}`;
  const reportFile: LocalFile = { path: reportPath, key: `${prefix}/${REPORT_NAME}`, bytes: fs.statSync(reportPath).size, contentType: 'text/markdown; charset=utf-8' };
  const uploadList = [...localFiles, reportFile];
  try {
    // The old manifest goes first: from here until the new one is written the dataset reads as incomplete.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: manifestKey }), { abortSignal: signal });
    const uploaded = await uploadFiles(s3, bucket, uploadList, {
      signal,
      partSize: opts.uploadPartSize,
      onProgress: (loaded, total, key) => progress('upload', `Uploading ${key.slice(prefix.length + 1)}`, total ? loaded / total : 1),
    });
    throwIfAborted(signal);
    const fresh = new Set(uploaded.map((u) => u.key));
    for (const [channel] of channels) {
      const stale = (await listKeys(s3, bucket, `${prefix}/${channel}/`, signal)).map((k) => k.key).filter((k) => !fresh.has(k));
      if (stale.length) {
        progress('upload', `Removing ${stale.length} stale object(s) under ${prefix}/${channel}/`);
        await deleteKeys(s3, bucket, stale, signal);
      }
    }
    throwIfAborted(signal);
    const manifest: DatasetManifest = {
      format: 'sagemaker-hf-dataset',
      formatVersion: 1,
      tool: TOOL,
      createdAt: report.createdAt,
      bucket,
      prefix,
      source: typeof ds.source === 'string' ? ds.source : 'local files',
      ...(typeof ds.source === 'string' ? { config: ds.config ?? 'default' } : {}),
      tokenizer: ds.tokenizer,
      padding: choice.mode,
      maxLength: choice.padTo,
      labelNames,
      channels: Object.fromEntries(channels.map(([channel, split]) => [channel, { split, rows: result[channel]!.rows, s3Uri: s3UriOf(bucket, `${prefix}/${channel}/`), files: uploaded.filter((u) => u.key.startsWith(`${prefix}/${channel}/`)) }])),
      report: uploaded.find((u) => u.key === reportFile.key)!,
    };
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify(manifest, null, 2) + '\n', ContentType: 'application/json' }), { abortSignal: signal });
  } catch (err) {
    // lib-storage aborts its own multipart upload; this catches one that raced the abort.
    await new Promise((r) => setTimeout(r, 200));
    await abortOpenUploads(s3, bucket, `${prefix}/`, new Set(uploadList.map((f) => f.key))).catch(() => undefined);
    if (isCancelled(err) || signal?.aborted) throw new CancelledError();
    if (err instanceof UserError) throw err;
    throw describeAwsError(err, conn, `Uploading the dataset to s3://${bucket}/${prefix}/`);
  }
  for (const [channel] of channels) result[channel]!.s3Uri = s3UriOf(bucket, `${prefix}/${channel}/`);
  out.manifestUri = s3UriOf(bucket, manifestKey);
  progress('done', 'Prepared and uploaded', 1);
  return out;
}
