// The notebook's preprocessing as one step: read the splits, map labels to class ids, tokenize
// (truncation at min(maxLength, model limit)), pad as the spec says, write one save_to_disk folder per
// channel plus a report, and optionally upload to s3://{bucket}/{s3Prefix}/{channel}/.
//
// Streaming, in bounded memory: rows are read in batches, tokenized on every core (workflow/
// tokenizerPool), appended to the current arrow shard (core/dataset/datasetWriter SplitWriter) and each closed
// shard is uploaded at once while tokenizing goes on. What must be known before the first row is
// written is found by passes that hold no ids: a scan (row counts, labels, UTF-8) and, for padding
// `auto` (and `dynamic` data over one shard), a pass that only counts token lengths.
//
// Local contract: each channel is written into a temporary folder beside it and renamed into place
// only when complete, so an interrupted run leaves the previous folder as it was.
//
// S3 contract: a prepared dataset is complete only when s3://{bucket}/{s3Prefix}/.sagemaker-hf-manifest.json
// exists. Before anything is uploaded the prefix is inspected: keys the previous manifest lists and
// objects marked as ours (metadata created-by=sagemaker-hf: an interrupted run's) may be replaced or
// removed; any other object stops the run, naming it, unless the caller allows foreign objects, and
// even then it is never deleted. A run deletes the old manifest first, uploads the files, removes its
// own stale keys (shown), and writes the new manifest last; every unfinished multipart upload under the
// prefix (an earlier failed run's too) is aborted before the run ends. The manifest and report sit
// beside the channel folders: a channel's S3Prefix matches every key starting with {s3Prefix}/{channel}.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { client } from '../../aws/clients';
import { describeAwsError } from '../../aws/errors';
import { abortOpenUploads, deleteKeys, listKeys, objectMetadata, readText, uploadFiles, type LocalFile, type UploadedFile } from '../../aws/s3Upload';
import { estimateSplitBytes, shardCount, SplitWriter } from '../../core/dataset/datasetWriter';
import { CancelledError, UserError, isCancelled, throwIfAborted } from '../../core/errors';
import { LabelCollector, encodeLabels, labelIndex, type LabelNamesOrigin } from '../../core/dataset/labels';
import { choosePadding } from '../../core/dataset/padding';
import { LengthCounts, emptyClasses, formatBytes, paddingOptions, renderReportMarkdown, splitReport, type PrepareReport, type SplitReport } from '../../core/dataset/prepareReport';
import type { JobSpec } from '../../core/spec/spec';
import { CREATED_BY_VALUE } from '../../core/sagemaker/tags';
import { version } from '../../../package.json';
import { ensureDefaultBucket, type Connection } from '../connect';
import { hubEndpointOf, openSplits, type SplitSource } from './datasetSources';
import type { Tokenized } from './tokenize';
import { loadTokenizer } from './tokenizerLoader';
import { TokenizerPool, defaultWorkerCount } from './tokenizerPool';

export { tokenizeTexts } from './tokenize';

export const MANIFEST_NAME = '.sagemaker-hf-manifest.json';
export const REPORT_NAME = '.sagemaker-hf-report.md';
export const TOOL = `sagemaker-hf ${version}`;
/** S3 user metadata on every object a prepare uploads: how a later run tells its own leftovers from a user's files. */
export const CREATED_BY_METADATA = { 'created-by': CREATED_BY_VALUE };

export interface PrepareProgress {
  stage: string;
  message: string;
  fraction?: number;
  /** Rows done / to do in this stage (scan, count, tokenize). */
  rows?: number;
  totalRows?: number;
  rowsPerSecond?: number;
  etaSeconds?: number;
  /** Bytes uploaded so far / queued for upload. */
  bytesUploaded?: number;
  bytesToUpload?: number;
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
  /** Prepare beside objects under the prefix that this tool did not write (they are never deleted). */
  allowForeignObjects?: boolean;
  /** Asked (before anything is uploaded) when the prefix holds foreign objects; false stops the run. */
  confirmForeignObjects?: (keys: string[]) => Promise<boolean>;
  /** Tokenizer worker threads (default: one per core; 0 tokenizes on the calling thread). */
  workers?: number;
  /** Shard size (save_to_disk's 500 MB by default; smaller in tests). */
  maxShardBytes?: number;
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
  /** Keys of an earlier run of ours that this run removed (stale shards, leftovers of an interrupted run). */
  removedKeys?: string[];
  /** Objects under the prefix this tool did not write, left untouched (with allowForeignObjects). */
  foreignKeys?: string[];
  /** Unfinished multipart uploads under the prefix that this run aborted (an earlier failed run's). */
  abortedUploads?: number;
  /** Tokenizer worker threads used (0: the calling thread). */
  workers?: number;
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

/** The prefix holds objects this tool did not write; nothing was uploaded. */
export class ForeignObjectsError extends UserError {
  constructor(readonly keys: string[], bucket: string, prefix: string) {
    const shown = keys.slice(0, 5).map((k) => k.slice(prefix.length + 1)).join(', ') + (keys.length > 5 ? `, … (${keys.length})` : '');
    super(
      `dataset.s3Prefix: s3://${bucket}/${prefix}/ holds ${keys.length} object(s) sagemaker-hf did not write: ${shown}. Nothing was uploaded. Set another dataset.s3Prefix, move them away, or pass --allow-foreign-objects to prepare beside them (they are never deleted)`,
      'dataset.s3Prefix',
    );
  }
}

export function defaultCacheDir(): string {
  return process.env.SAGEMAKER_HF_CACHE || path.join(os.homedir(), '.cache', 'sagemaker-hf');
}

function s3UriOf(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

const READ_BATCH = 2000;

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  s = Math.round(s);
  return s >= 3600 ? `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Progress of one row pass: rows/s and ETA, at most a few events a second. */
class RowMeter {
  private done = 0;
  private last = 0;
  private readonly t0 = Date.now();
  constructor(private readonly total: number, private readonly emit: (p: Omit<PrepareProgress, 'stage' | 'message'> & { text: string }) => void, private readonly what: string) {}
  add(n: number, force = false, extra = ''): void {
    this.done += n;
    const now = Date.now();
    if (!force && now - this.last < 250 && this.done < this.total) return;
    this.last = now;
    const secs = (now - this.t0) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    this.emit({
      text: `${this.what}: ${fmt(this.done)} / ${fmt(this.total)} rows, ${fmt(rate)} rows/s, ETA ${duration(eta)}${extra}`,
      fraction: this.total ? this.done / this.total : 1,
      rows: this.done,
      totalRows: this.total,
      rowsPerSecond: rate,
      etaSeconds: Number.isFinite(eta) ? eta : undefined,
    });
  }
}

/** Uploads files as soon as they are handed over (closed shards while tokenizing goes on). */
class Uploader {
  private readonly running: Promise<void>[] = [];
  readonly uploaded: UploadedFile[] = [];
  queued = 0;
  private readonly loaded = new Map<string, number>();
  private doneBytes = 0;
  error: unknown;
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly opts: { signal: AbortSignal; partSize?: number; onBytes: (uploaded: number, queued: number, key: string) => void; onError: (err: unknown) => void },
  ) {}
  get bytesUploaded(): number {
    let n = this.doneBytes;
    for (const v of this.loaded.values()) n += v;
    return n;
  }
  add(f: LocalFile): void {
    this.queued += f.bytes;
    const p = uploadFiles(this.s3, this.bucket, [{ ...f, metadata: CREATED_BY_METADATA }], {
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

/** What is under the prefix before this run: keys of ours (replaceable) and foreign objects. */
async function inspectPrefix(s3: S3Client, bucket: string, prefix: string, signal?: AbortSignal): Promise<{ ours: string[]; foreign: string[] }> {
  const manifestKey = `${prefix}/${MANIFEST_NAME}`;
  const keys = (await listKeys(s3, bucket, `${prefix}/`, signal)).map((k) => k.key);
  const listed = new Set<string>([manifestKey]);
  if (keys.includes(manifestKey)) {
    try {
      const m = JSON.parse((await readText(s3, bucket, manifestKey, signal)) ?? '{}') as Partial<DatasetManifest>;
      for (const c of Object.values(m.channels ?? {})) for (const f of c.files ?? []) listed.add(f.key);
      if (m.report?.key) listed.add(m.report.key);
    } catch (err) {
      if (isCancelled(err)) throw err;
      // An unreadable manifest lists nothing: its files are then judged by their metadata below.
    }
  }
  const ours: string[] = [], foreign: string[] = [];
  for (const k of keys) {
    if (listed.has(k)) ours.push(k);
    else if ((await objectMetadata(s3, bucket, k, signal))['created-by'] === CREATED_BY_VALUE) ours.push(k);
    else foreign.push(k);
  }
  return { ours, foreign };
}

/**
 * Input small enough that starting worker threads (each loads the tokenizer, ~0.5 s) costs more than it
 * saves: local files under 8 MiB in all, or a row limit under 20,000.
 */
function smallInput(ds: JobSpec['dataset']): boolean {
  if (ds.limit !== undefined && ds.limit < 20_000) return true;
  if (typeof ds.source === 'string') return false;
  let bytes = 0;
  for (const split of new Set(Object.values(ds.splits))) {
    const file = ds.source[split];
    if (file && fs.existsSync(file)) bytes += fs.statSync(file).size;
  }
  return bytes < 8 * 1024 * 1024;
}

interface SplitScan {
  rows: number;
  /** CSV: every label a whole number (then class ids). */
  csvIds: boolean;
}

export async function prepareDataset(spec: JobSpec, opts: PrepareOptions): Promise<PrepareResult> {
  const t0 = Date.now();
  const ds = spec.dataset;
  const userSignal = opts.signal;
  // One signal for everything: the user's cancel, or the first failure (an upload that failed while
  // tokenizing goes on) stops every other part.
  const stop = new AbortController();
  const onUserAbort = () => stop.abort();
  userSignal?.addEventListener('abort', onUserAbort, { once: true });
  if (userSignal?.aborted) stop.abort();
  const signal = stop.signal;
  const progress = (stage: string, message: string, fraction?: number, extra: Partial<PrepareProgress> = {}) => opts.onProgress?.({ stage, message, fraction, ...extra });
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const channels = Object.entries(ds.splits);
  if (channels.length === 0) throw new UserError('dataset.splits: name at least one channel, e.g. {"train": "train"}', 'dataset.splits');
  const prefix = ds.s3Prefix ?? 'datasets';
  const manifestKey = `${prefix}/${MANIFEST_NAME}`;
  const conn = opts.upload;
  const s3 = conn ? client(S3Client, conn) : undefined;
  const temps = new Map<string, string>();
  let pool: TokenizerPool | undefined;
  let uploader: Uploader | undefined;
  let ok = false;
  const out: Partial<PrepareResult> = {};
  try {
    // Before reading a row: the S3 side, so a prefix holding a user's files stops the run at once.
    let ours: string[] = [];
    if (conn && s3) {
      progress('read', `Checking s3://${conn.bucket}/${prefix}/`, 0);
      out.bucketCreated = (await ensureDefaultBucket(conn, signal)).created;
      const seen = await inspectPrefix(s3, conn.bucket, prefix, signal);
      ours = seen.ours;
      if (seen.foreign.length) {
        const allowed = opts.allowForeignObjects || (opts.confirmForeignObjects ? await opts.confirmForeignObjects(seen.foreign) : false);
        if (!allowed) {
          if (opts.confirmForeignObjects) throw new CancelledError();
          throw new ForeignObjectsError(seen.foreign, conn.bucket, prefix);
        }
        out.foreignKeys = seen.foreign;
        progress('read', `Leaving ${seen.foreign.length} object(s) under ${prefix}/ that sagemaker-hf did not write untouched`);
      }
      const aborted = await abortOpenUploads(s3, conn.bucket, `${prefix}/`);
      if (aborted) progress('read', `Aborted ${aborted} unfinished multipart upload(s) an earlier run left under ${prefix}/`);
      out.abortedUploads = aborted;
    }

    progress('read', 'Reading the dataset', 0);
    const loadOpts = { hubEndpoint: opts.hubEndpoint, hubToken: opts.hubToken, cacheDir };
    const [opened, tok] = await Promise.all([
      openSplits(ds, { limit: ds.limit, signal, ...loadOpts, onProgress: (m: string) => progress('read', m) }),
      loadTokenizer(ds.tokenizer, { ...loadOpts, signal }),
    ]);
    throwIfAborted(signal);
    // Workers load the tokenizer (from the cache the line above filled) while the scan runs.
    const poolReady = TokenizerPool.start(opts.workers ?? (smallInput(ds) ? 0 : defaultWorkerCount()), tok, loadOpts, signal);
    poolReady.catch(() => undefined);
    const column = ds.labelColumn ?? 'label';
    const known = ds.labelNames?.length ? { names: [...ds.labelNames], origin: 'spec' as LabelNamesOrigin } : opened.labelNames?.length ? { names: [...opened.labelNames], origin: 'dataset' as LabelNamesOrigin } : undefined;

    // Pass 1, reading only: rows per split, every label checked (the run fails here, before writing).
    const scans = new Map<string, SplitScan>();
    const collector = new LabelCollector(column);
    const knownIndex = known ? labelIndex(known.names) : undefined;
    for (const [split, src] of opened.sources) {
      progress('read', `Reading ${split} (${src.origin.split(/[\\/]/).pop()})`);
      const scan: SplitScan = { rows: 0, csvIds: !!src.csv };
      let shown = Date.now();
      for await (const b of src.batches(READ_BATCH)) {
        throwIfAborted(signal);
        scan.rows += b.texts.length;
        if (Date.now() - shown > 500) (shown = Date.now()), progress('read', `Reading ${split}: ${scan.rows.toLocaleString('en-US')} rows`, undefined, { rows: scan.rows });
        if (src.csv && scan.csvIds) scan.csvIds = b.labels.every((l) => typeof l === 'string' && /^\d+$/.test(l));
        if (!src.csv) {
          if (knownIndex) encodeLabels({ labels: b.labels, locate: b.locate }, known!.names, column, knownIndex);
          else collector.add({ labels: b.labels, locate: b.locate });
        }
      }
      if (scan.rows === 0) throw new UserError(`dataset.splits: split '${split}' (${src.origin}) has no rows`, 'dataset.splits');
      // CSV labels are judged once the whole column is seen (ids only if every one is a whole number).
      if (src.csv) {
        for await (const b of src.batches(READ_BATCH)) {
          const labels = scan.csvIds ? b.labels.map(Number) : b.labels;
          if (knownIndex) encodeLabels({ labels, locate: b.locate }, known!.names, column, knownIndex);
          else collector.add({ labels, locate: b.locate });
        }
      }
      scans.set(split, scan);
    }
    const { names: labelNames, origin } = known ?? collector.resolve();
    if (labelNames.length < 2) throw new UserError(`dataset.labelColumn: column '${column}' has ${labelNames.length} class; classification needs at least 2`, 'dataset.labelColumn');
    const index = labelIndex(labelNames);
    const totalRows = [...scans.values()].reduce((a, s) => a + s.rows, 0);

    pool = await poolReady;
    out.workers = pool.workers;
    const withTypeIds = tok.usesTokenTypeIds;
    const cap = choosePadding('max_length', ds.maxLength ?? 512, tok.modelMaxLength, 0).truncateAt;
    const maxShard = opts.maxShardBytes;
    const mode = ds.padding ?? 'max_length';

    /** Rows of a split in order, tokenized on the pool, `depth` batches in flight. */
    async function* tokenized(src: SplitSource, scan: SplitScan, lengthsOnly: boolean): AsyncGenerator<{ t: Tokenized; labels: BigInt64Array }> {
      const depth = Math.max(2, pool!.workers * 2 + 1);
      const inflight: { p: Promise<Tokenized>; labels: BigInt64Array }[] = [];
      for await (const b of src.batches(READ_BATCH)) {
        throwIfAborted(signal);
        const raw = src.csv && scan.csvIds ? b.labels.map(Number) : b.labels;
        const labels = lengthsOnly ? new BigInt64Array(0) : encodeLabels({ labels: raw, locate: b.locate }, labelNames, column, index);
        const p = pool!.encode(b.texts, cap, lengthsOnly);
        p.catch(() => undefined);
        inflight.push({ p, labels });
        while (inflight.length >= depth) {
          const head = inflight.shift()!;
          yield { t: await head.p, labels: head.labels };
        }
      }
      for (const head of inflight) yield { t: await head.p, labels: head.labels };
    }

    // Pass 2 (only when the stored length or the shard count needs it): token lengths, no ids kept.
    const lengths = new Map<string, LengthCounts>();
    const upperBound = [...scans.values()].some((s) => estimateSplitBytes(s.rows, s.rows * cap, null, withTypeIds) >= (maxShard ?? 500 * 1024 * 1024));
    if (mode === 'auto' || (mode === 'dynamic' && upperBound)) {
      const meter = new RowMeter(totalRows, (p) => progress('count', p.text, p.fraction, p), 'Counting token lengths');
      for (const [split, src] of opened.sources) {
        const counts = new LengthCounts();
        for await (const { t } of tokenized(src, scans.get(split)!, true)) {
          counts.addAll(t.rawLengths);
          meter.add(t.rows);
        }
        lengths.set(split, counts);
      }
    }
    let longest = 0;
    for (const c of lengths.values()) longest = Math.max(longest, c.max);
    const choice = choosePadding(mode, ds.maxLength ?? 512, tok.modelMaxLength, longest);

    // Pass 3: tokenize, write shards, upload each closed shard at once.
    await fs.promises.mkdir(opts.outDir, { recursive: true });
    if (conn && s3) {
      uploader = new Uploader(s3, conn.bucket, {
        signal,
        partSize: opts.uploadPartSize,
        onBytes: (up, queued, key) => progress('upload', `Uploading ${key.slice(prefix.length + 1)}: ${formatBytes(up)} of ${formatBytes(queued)}`, queued ? up / queued : 1, { bytesUploaded: up, bytesToUpload: queued }),
        onError: () => stop.abort(),
      });
      // The old manifest goes first: from here until the new one is written the dataset reads as incomplete.
      await s3.send(new DeleteObjectCommand({ Bucket: conn.bucket, Key: manifestKey }), { abortSignal: signal });
    }
    const result: PrepareResult['channels'] = {};
    const written = new Map<string, { bytes: number; files: { name: string; bytes: number }[] }>();
    const labelCounts = new Map<string, Float64Array>();
    const meter = new RowMeter(totalRows, (p) => {
      const up = uploader ? `; uploaded ${formatBytes(uploader.bytesUploaded)} of ${formatBytes(uploader.queued)}` : '';
      progress('tokenize', p.text + up, p.fraction, { ...p, ...(uploader ? { bytesUploaded: uploader.bytesUploaded, bytesToUpload: uploader.queued } : {}) });
    }, `Tokenizing and writing${pool.workers ? ` (${pool.workers} workers)` : ''}`);
    for (const [split, src] of opened.sources) {
      const scan = scans.get(split)!;
      const counts = lengths.get(split);
      const tokens = counts ? counts.truncation(choice.truncateAt).real : scan.rows * choice.truncateAt;
      const shards = shardCount(estimateSplitBytes(scan.rows, tokens, choice.padTo, withTypeIds), maxShard);
      const writers: SplitWriter[] = [];
      for (const [channel] of channels.filter(([, s]) => s === split)) {
        const finalDir = path.join(opts.outDir, channel);
        const tmp = path.join(opts.outDir, `.${channel}.partial-${process.pid}`);
        await fs.promises.rm(tmp, { recursive: true, force: true });
        temps.set(channel, tmp);
        writers.push(new SplitWriter(tmp, {
          split, rows: scan.rows, shards, withTypeIds, labelNames, padTo: choice.padTo, padTokenId: tok.padTokenId, signal,
          onShard: (f) => uploader?.add({ path: f.path, key: `${prefix}/${channel}/${f.name}`, bytes: f.bytes, contentType: 'application/vnd.apache.arrow.stream' }),
        }));
        result[channel] = { split, dir: finalDir, rows: scan.rows };
      }
      const seen = new LengthCounts();
      const perClass = new Float64Array(labelNames.length);
      try {
        for await (const { t, labels } of tokenized(src, scan, false)) {
          seen.addAll(t.rawLengths);
          for (const l of labels) perClass[Number(l)]!++;
          const chunk = { rows: t.rows, offsets: t.offsets, ids: t.ids, typeIds: t.typeIds, labels };
          for (const w of writers) await w.append(chunk);
          meter.add(t.rows);
        }
        for (const [i, w] of writers.entries()) {
          const ws = await w.finish();
          const channel = channels.filter(([, s]) => s === split)[i]![0];
          written.set(channel, ws);
          for (const f of ws.files.filter((x) => x.name.endsWith('.json'))) uploader?.add({ path: path.join(w.dir, f.name), key: `${prefix}/${channel}/${f.name}`, bytes: f.bytes, contentType: 'application/json' });
        }
      } finally {
        for (const w of writers) w.abort();
      }
      lengths.set(split, seen);
      labelCounts.set(split, perClass);
    }
    meter.add(0, true);

    const splitReports: SplitReport[] = channels.map(([channel, split]) =>
      splitReport({ channel, split, lengths: lengths.get(split)!, labelCounts: labelCounts.get(split)!, labelNames, truncateAt: choice.truncateAt, padTo: choice.padTo, bytes: written.get(channel)!.bytes }),
    );
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
      options: paddingOptions([...new Set(channels.map(([, s]) => s))].map((s) => lengths.get(s)!), ds.maxLength ?? 512, tok.modelMaxLength, withTypeIds),
      bytesWritten: [...written.values()].reduce((a, w) => a + w.bytes, 0),
      seconds: (Date.now() - t0) / 1000,
    };
    const empty = emptyClasses(report);
    if (empty.length) report.emptyClasses = empty;
    const reportPath = path.join(opts.outDir, 'report.md');
    await fs.promises.writeFile(reportPath, renderReportMarkdown(report));
    await fs.promises.writeFile(path.join(opts.outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    Object.assign(out, { outDir: opts.outDir, channels: result, labelNames, maxLength: choice.padTo ?? choice.truncateAt, report, reportPath });

    if (conn && s3 && uploader) {
      const bucket = conn.bucket;
      const reportFile: LocalFile = { path: reportPath, key: `${prefix}/${REPORT_NAME}`, bytes: fs.statSync(reportPath).size, contentType: 'text/markdown; charset=utf-8' };
      uploader.add(reportFile);
      progress('upload', `Uploading the last files to s3://${bucket}/${prefix}/`, uploader.queued ? uploader.bytesUploaded / uploader.queued : 1);
      const uploaded = await uploader.wait();
      throwIfAborted(signal);
      const fresh = new Set(uploaded.map((u) => u.key));
      const stale = ours.filter((k) => !fresh.has(k) && k !== manifestKey);
      if (stale.length) {
        progress('upload', `Removing ${stale.length} object(s) an earlier run of sagemaker-hf wrote under ${prefix}/: ${stale.map((k) => k.slice(prefix.length + 1)).slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}`);
        await deleteKeys(s3, bucket, stale, signal);
      }
      out.removedKeys = stale;
      throwIfAborted(signal);
      const byKey = (k: string) => uploaded.find((u) => u.key === k)!;
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
        // Files in folder order (shards, then the JSON files), whatever order the uploads finished in.
        channels: Object.fromEntries(channels.map(([channel, split]) => [channel, { split, rows: result[channel]!.rows, s3Uri: s3UriOf(bucket, `${prefix}/${channel}/`), files: written.get(channel)!.files.map((f) => byKey(`${prefix}/${channel}/${f.name}`)) }])),
        report: byKey(reportFile.key),
      };
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify(manifest, null, 2) + '\n', ContentType: 'application/json', Metadata: CREATED_BY_METADATA }), { abortSignal: signal });
      for (const [channel] of channels) result[channel]!.s3Uri = s3UriOf(bucket, `${prefix}/${channel}/`);
      out.manifestUri = s3UriOf(bucket, manifestKey);
    }
    // Complete: each channel's folder replaces the previous one in one rename.
    for (const [channel, tmp] of temps) {
      const dir = path.join(opts.outDir, channel);
      const old = path.join(opts.outDir, `.${channel}.old-${process.pid}`);
      if (fs.existsSync(dir)) await fs.promises.rename(dir, old);
      await fs.promises.rename(tmp, dir);
      await fs.promises.rm(old, { recursive: true, force: true });
    }
    temps.clear();
    ok = true;
    progress('done', out.manifestUri ? 'Prepared and uploaded' : 'Prepared', 1);
    return out as PrepareResult;
  } catch (err) {
    stop.abort();
    const cancelled = userSignal?.aborted || (isCancelled(err) && !(uploader?.error));
    const cause = uploader?.error && !userSignal?.aborted ? uploader.error : err;
    if (cancelled) throw new CancelledError();
    if (cause instanceof UserError) throw cause;
    if (conn && (cause === uploader?.error || (cause as { $metadata?: unknown }).$metadata !== undefined)) throw describeAwsError(cause, conn, `Uploading the dataset to s3://${conn.bucket}/${prefix}/`);
    throw cause;
  } finally {
    userSignal?.removeEventListener('abort', onUserAbort);
    await pool?.close();
    for (const tmp of temps.values()) await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    if (conn && s3 && uploader) {
      // lib-storage aborts its own multipart uploads; this catches one that raced the abort.
      if (!ok) {
        await uploader.wait().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
      }
      await abortOpenUploads(s3, conn.bucket, `${prefix}/`).catch(() => undefined);
    }
  }
}
