// The notebook's preprocessing as one step: read the splits, map labels to class ids, tokenize
// (truncation at min(maxLength, model limit)), pad as the spec says, write one save_to_disk folder per
// channel plus a report, and optionally upload to s3://{bucket}/{s3Prefix}/{channel}/.
//
// Streaming, in bounded memory: rows are read in batches, tokenized on every core (workflow/
// tokenizerPool), appended to the current arrow shard (./splitWriter SplitWriter) and each closed
// shard is uploaded at once while tokenizing goes on. What must be known before the first row is
// written is found by passes that hold no ids: a scan (row counts, labels, UTF-8) and, for padding
// `auto` (and `dynamic` data over one shard), a pass that only counts token lengths.
//
// Local contract: each channel is written into a temporary folder beside it and renamed into place
// only when complete, so an interrupted run leaves the previous folder as it was. The S3 contract
// (prefix ownership, manifest last) lives in ./datasetUpload.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { client } from '../../aws/clients';
import { describeAwsError } from '../../aws/errors';
import { abortOpenUploads } from '../../aws/s3Upload';
import { estimateSplitBytes, shardCount } from '../../core/dataset/saveToDisk';
import { CancelledError, UserError, isCancelled, throwIfAborted } from '../../core/errors';
import {
  LABEL_ORIGIN_WORDS,
  LabelCollector,
  encodeLabels,
  labelIndex,
  type LabelNamesOrigin,
} from '../../core/dataset/labels';
import { MANIFEST_NAME, TOOL } from '../../core/dataset/manifest';
import { choosePadding } from '../../core/dataset/padding';
import {
  LengthCounts,
  emptyClasses,
  formatBytes,
  paddingOptions,
  renderReportMarkdown,
  reportSource,
  splitReport,
  type PrepareReport,
  type SplitReport,
} from '../../core/dataset/prepareReport';
import type { JobSpec } from '../../core/spec/spec';
import { defaultCacheDir } from '../cacheDir';
import { withSpecBucket, type Connection } from '../connect';
import { hubEndpointOf, openSplits, type SplitSource } from './datasetSources';
import { Uploader, claimPrefix, publishDataset } from './datasetUpload';
import { RowMeter, type PrepareProgress, type PrepareResult } from './prepareProgress';
import { SplitWriter } from './splitWriter';
import type { Tokenized } from './tokenize';
import { loadTokenizer } from './tokenizerLoader';
import * as prepared from './prepared/preparedFolder';
import { TokenizerPool, defaultWorkerCount } from './tokenizerPool';

export { tokenizeTexts } from './tokenize';
export type { PrepareProgress, PrepareResult };

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
  /** With `upload`: send outDir as it is when its record shows it was prepared from this very dataset. */
  reuseFolder?: boolean;
}

const READ_BATCH = 2000;

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
  if (opts.upload && opts.reuseFolder) {
    const checked = prepared.checkPreparedFolder(spec, opts.outDir);
    if (checked.ok) return prepared.uploadPreparedFolder(spec, checked, opts.upload, opts);
    opts.onProgress?.({ stage: 'read', message: `Preparing again: ${checked.reason}` });
  }
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
  const progress = (stage: string, message: string, fraction?: number, extra: Partial<PrepareProgress> = {}) =>
    opts.onProgress?.({ stage, message, fraction, ...extra });
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const channels = Object.entries(ds.splits);
  if (channels.length === 0)
    throw new UserError('dataset.splits: name at least one channel, e.g. {"train": "train"}', 'dataset.splits');
  const prefix = ds.s3Prefix ?? 'datasets';
  const manifestKey = `${prefix}/${MANIFEST_NAME}`;
  // The spec's top-level bucket is the session's default bucket (Session(default_bucket=)), as in train.
  const conn = opts.upload ? withSpecBucket(opts.upload, spec) : undefined;
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
      const claimed = await claimPrefix(conn, s3, prefix, {
        signal,
        allowForeignObjects: opts.allowForeignObjects,
        confirmForeignObjects: opts.confirmForeignObjects,
        progress: (m, f) => progress('read', m, f),
      });
      ours = claimed.ours;
      out.bucketCreated = claimed.bucketCreated;
      if (claimed.foreignKeys) out.foreignKeys = claimed.foreignKeys;
      out.abortedUploads = claimed.abortedUploads;
    }

    progress('read', 'Reading the dataset', 0);
    const loadOpts = { hubEndpoint: opts.hubEndpoint, hubToken: opts.hubToken, cacheDir };
    const [opened, tok] = await Promise.all([
      openSplits(ds, { limit: ds.limit, signal, ...loadOpts, onProgress: (m: string) => progress('read', m) }),
      loadTokenizer(ds.tokenizer, { ...loadOpts, signal }),
    ]);
    throwIfAborted(signal);
    // Workers load the tokenizer (from the cache the line above filled) while the scan runs.
    const poolReady = TokenizerPool.start(
      opts.workers ?? (smallInput(ds) ? 0 : defaultWorkerCount()),
      tok,
      loadOpts,
      signal,
    );
    poolReady.catch(() => undefined);
    const column = ds.labelColumn ?? 'label';
    const known = ds.labelNames?.length
      ? { names: [...ds.labelNames], origin: 'spec' as LabelNamesOrigin }
      : opened.labelNames?.length
        ? { names: [...opened.labelNames], origin: 'dataset' as LabelNamesOrigin }
        : undefined;

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
        if (Date.now() - shown > 500) {
          shown = Date.now();
          progress('read', `Reading ${split}: ${scan.rows.toLocaleString('en-US')} rows`, undefined, {
            rows: scan.rows,
          });
        }
        if (src.csv && scan.csvIds) scan.csvIds = b.labels.every((l) => typeof l === 'string' && /^\d+$/.test(l));
        if (!src.csv) {
          if (knownIndex) encodeLabels({ labels: b.labels, locate: b.locate }, known!.names, column, knownIndex);
          else collector.add({ labels: b.labels, locate: b.locate });
        }
      }
      if (scan.rows === 0)
        throw new UserError(`dataset.splits: split '${split}' (${src.origin}) has no rows`, 'dataset.splits');
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
    if (labelNames.length < 2)
      throw new UserError(
        `dataset.labelColumn: column '${column}' has ${labelNames.length} class; classification needs at least 2`,
        'dataset.labelColumn',
      );
    const index = labelIndex(labelNames);
    const totalRows = [...scans.values()].reduce((a, s) => a + s.rows, 0);

    pool = await poolReady;
    out.workers = pool.workers;
    const withTypeIds = tok.usesTokenTypeIds;
    const cap = choosePadding('max_length', ds.maxLength ?? 512, tok.modelMaxLength, 0).truncateAt;
    const maxShard = opts.maxShardBytes;
    const mode = ds.padding ?? 'max_length';

    /** Rows of a split in order, tokenized on the pool, `depth` batches in flight. */
    async function* tokenized(
      src: SplitSource,
      scan: SplitScan,
      lengthsOnly: boolean,
    ): AsyncGenerator<{ t: Tokenized; labels: BigInt64Array }> {
      const depth = Math.max(2, pool!.workers * 2 + 1);
      const inflight: { p: Promise<Tokenized>; labels: BigInt64Array }[] = [];
      for await (const b of src.batches(READ_BATCH)) {
        throwIfAborted(signal);
        const raw = src.csv && scan.csvIds ? b.labels.map(Number) : b.labels;
        const labels = lengthsOnly
          ? new BigInt64Array(0)
          : encodeLabels({ labels: raw, locate: b.locate }, labelNames, column, index);
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
    const upperBound = [...scans.values()].some(
      (s) => estimateSplitBytes(s.rows, s.rows * cap, null, withTypeIds) >= (maxShard ?? 500 * 1024 * 1024),
    );
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
        prefix,
        signal,
        partSize: opts.uploadPartSize,
        onBytes: (up, queued, key) =>
          progress(
            'upload',
            `Uploading ${key.slice(prefix.length + 1)}: ${formatBytes(up)} of ${formatBytes(queued)}`,
            queued ? up / queued : 1,
            { bytesUploaded: up, bytesToUpload: queued },
          ),
        onError: () => stop.abort(),
      });
      // The old manifest goes first: from here until the new one is written the dataset reads as incomplete.
      await s3.send(new DeleteObjectCommand({ Bucket: conn.bucket, Key: manifestKey }), { abortSignal: signal });
    }
    const result: PrepareResult['channels'] = {};
    const written = new Map<string, { bytes: number; files: { name: string; bytes: number }[] }>();
    const labelCounts = new Map<string, Float64Array>();
    const meter = new RowMeter(
      totalRows,
      (p) => {
        const up = uploader
          ? `; uploaded ${formatBytes(uploader.bytesUploaded)} of ${formatBytes(uploader.queued)}`
          : '';
        progress('tokenize', p.text + up, p.fraction, {
          ...p,
          ...(uploader ? { bytesUploaded: uploader.bytesUploaded, bytesToUpload: uploader.queued } : {}),
        });
      },
      `Tokenizing and writing${pool.workers ? ` (${pool.workers} workers)` : ''}`,
    );
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
        writers.push(
          new SplitWriter(tmp, {
            split,
            rows: scan.rows,
            shards,
            withTypeIds,
            labelNames,
            padTo: choice.padTo,
            padTokenId: tok.padTokenId,
            signal,
            onShard: (f) =>
              uploader?.add({
                path: f.path,
                key: `${prefix}/${channel}/${f.name}`,
                bytes: f.bytes,
                contentType: 'application/vnd.apache.arrow.stream',
              }),
          }),
        );
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
          for (const f of ws.files.filter((x) => x.name.endsWith('.json')))
            uploader?.add({
              path: path.join(w.dir, f.name),
              key: `${prefix}/${channel}/${f.name}`,
              bytes: f.bytes,
              contentType: 'application/json',
            });
        }
      } finally {
        for (const w of writers) w.abort();
      }
      lengths.set(split, seen);
      labelCounts.set(split, perClass);
    }
    meter.add(0, true);

    const splitReports: SplitReport[] = channels.map(([channel, split]) =>
      splitReport({
        channel,
        split,
        lengths: lengths.get(split)!,
        labelCounts: labelCounts.get(split)!,
        labelNames,
        truncateAt: choice.truncateAt,
        padTo: choice.padTo,
        bytes: written.get(channel)!.bytes,
      }),
    );
    const report: PrepareReport = {
      createdAt: new Date().toISOString(),
      tool: TOOL,
      source: reportSource(ds, hubEndpointOf(opts.hubEndpoint)),
      tokenizer: ds.tokenizer,
      padding: choice.mode,
      maxLength: choice.padTo,
      truncateAt: choice.truncateAt,
      labelNames,
      labelNamesFrom: LABEL_ORIGIN_WORDS[origin],
      splits: splitReports,
      options: paddingOptions(
        [...new Set(channels.map(([, s]) => s))].map((s) => lengths.get(s)!),
        ds.maxLength ?? 512,
        tok.modelMaxLength,
        withTypeIds,
      ),
      bytesWritten: [...written.values()].reduce((a, w) => a + w.bytes, 0),
      seconds: (Date.now() - t0) / 1000,
    };
    const empty = emptyClasses(report);
    if (empty.length) report.emptyClasses = empty;
    const reportPath = path.join(opts.outDir, 'report.md');
    await prepared.removePreparedRecord(opts.outDir);
    await fs.promises.writeFile(reportPath, renderReportMarkdown(report));
    await fs.promises.writeFile(path.join(opts.outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    Object.assign(out, {
      outDir: opts.outDir,
      channels: result,
      labelNames,
      maxLength: choice.padTo ?? choice.truncateAt,
      report,
      reportPath,
    });

    if (conn && s3 && uploader) {
      const published = await publishDataset(s3, uploader, {
        bucket: conn.bucket,
        prefix,
        dataset: ds,
        reportPath,
        createdAt: report.createdAt,
        padding: choice.mode,
        maxLength: choice.padTo,
        labelNames,
        channels: channels.map(([channel, split]) => [
          channel,
          split,
          result[channel]!.rows,
          written.get(channel)!.files,
        ]),
        ours,
        signal,
        progress: (m, f) => progress('upload', m, f),
      });
      out.removedKeys = published.removedKeys;
      for (const [channel] of channels) result[channel]!.s3Uri = published.manifest.channels[channel]!.s3Uri;
      out.manifestUri = published.manifestUri;
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
    await prepared.writePreparedRecord(opts.outDir, ds, result, written);
    ok = true;
    progress('done', out.manifestUri ? 'Prepared and uploaded' : 'Prepared', 1);
    return out as PrepareResult;
  } catch (err) {
    stop.abort();
    const cancelled = userSignal?.aborted || (isCancelled(err) && !uploader?.error);
    const cause = uploader?.error && !userSignal?.aborted ? uploader.error : err;
    if (cancelled) throw new CancelledError();
    if (cause instanceof UserError) throw cause;
    if (conn && (cause === uploader?.error || (cause as { $metadata?: unknown }).$metadata !== undefined))
      throw describeAwsError(cause, conn, `Uploading the dataset to s3://${conn.bucket}/${prefix}/`);
    throw cause;
  } finally {
    userSignal?.removeEventListener('abort', onUserAbort);
    await pool?.close();
    for (const tmp of temps.values())
      await fs.promises.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
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
