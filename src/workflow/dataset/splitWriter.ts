// Writes one split as a save_to_disk folder (src/core/dataset/saveToDisk.ts says what it holds), row
// chunk by row chunk as the streaming prepare hands them over, each shard file closed (and handed on for
// upload) as soon as its rows are in. Memory stays one record batch beyond the chunk in hand.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncByteQueue, RecordBatchStreamWriter, type Schema } from 'apache-arrow';
import { throwIfAborted } from '../../core/errors';
import { pythonJsonDumps as pyJsonDumps } from '../../core/pythonJson';
import {
  arrowSchema,
  buildBatch,
  datasetInfoJson,
  emptyBatch,
  estimateBytes,
  shardCount,
  shardName,
  stateJson,
  type TokenizedSplit,
} from '../../core/dataset/saveToDisk';

export interface WriteOptions {
  labelNames: string[];
  /** Pad every row to this length (right padding), or null to store rows unpadded. */
  padTo: number | null;
  padTokenId: number;
  signal?: AbortSignal;
  /** Rows per record batch (datasets uses 1000). */
  batchRows?: number;
  /** Bytes per shard before save_to_disk splits (500 MB there). */
  maxShardBytes?: number;
}

export interface WrittenSplit {
  dir: string;
  rows: number;
  files: { name: string; bytes: number }[];
  bytes: number;
  fingerprint: string;
}

const BATCH_ROWS = 1000;

/** Arrow writer sink that writes each message straight to a file (memory stays one batch). */
class FileSink extends AsyncByteQueue<Uint8Array> {
  constructor(
    private readonly fd: number,
    private readonly hash: ReturnType<typeof createHash>,
  ) {
    super();
  }
  override write(value: Uint8Array): void {
    if (value.byteLength === 0) return;
    this.hash.update(value);
    let off = 0;
    while (off < value.byteLength) off += fs.writeSync(this.fd, value, off, value.byteLength - off);
  }
}
/** Rows tokenized together, in order: the unit a streaming prepare hands the writer. */
export interface RowChunk {
  rows: number;
  /** rows + 1 offsets into ids, from 0. */
  offsets: Int32Array;
  ids: Int32Array;
  typeIds?: Int8Array;
  labels: BigInt64Array;
}

export interface SplitWriterOptions extends WriteOptions {
  split: string;
  withTypeIds: boolean;
  /** Rows the split will have (known before writing: the shard boundaries depend on it). */
  rows: number;
  shards: number;
  /** Called as each shard file is closed (to upload it at once). */
  onShard?: (file: { path: string; name: string; bytes: number }) => void;
}

/**
 * Writes one split row chunk by row chunk, holding at most one record batch beyond the chunk in hand:
 * the same files, bytes and fingerprint as writing the whole split at once (writeSplit uses it too).
 * Shards are contiguous row ranges of (almost) equal counts, as Dataset.shard(contiguous=True) makes them.
 */
export class SplitWriter {
  private readonly schema: Schema;
  private readonly hash = createHash('sha256');
  private readonly batchRows: number;
  private readonly pending: { chunk: RowChunk; at: number }[] = [];
  private pendingRows = 0;
  /** Rows written so far. */
  written = 0;
  private shard = -1;
  private fd: number | undefined;
  private writer: RecordBatchStreamWriter | undefined;
  private readonly files: { name: string; bytes: number }[] = [];
  private batchesSinceYield = 0;

  constructor(
    readonly dir: string,
    private readonly opts: SplitWriterOptions,
  ) {
    this.schema = arrowSchema(opts.labelNames, opts.withTypeIds);
    this.batchRows = opts.batchRows ?? BATCH_ROWS;
    this.hash.update(pyJsonDumps({ split: opts.split, names: opts.labelNames, padTo: opts.padTo }));
    fs.mkdirSync(dir, { recursive: true });
    for (const old of fs.readdirSync(dir)) {
      if (/^data-\d{5}-of-\d{5}\.arrow$/.test(old)) fs.rmSync(path.join(dir, old));
    }
  }

  private bounds(k: number): [number, number] {
    const { rows, shards } = this.opts;
    return [Math.floor((k * rows) / shards), Math.floor(((k + 1) * rows) / shards)];
  }

  async append(chunk: RowChunk): Promise<void> {
    if (chunk.rows === 0) return;
    if (this.written + this.pendingRows + chunk.rows > this.opts.rows)
      throw new Error(`split ${this.opts.split}: more rows than the ${this.opts.rows} counted before writing`);
    this.pending.push({ chunk, at: 0 });
    this.pendingRows += chunk.rows;
    await this.drain(false);
  }

  /** Writes every full batch (and, at the end, the rest). */
  private async drain(final: boolean): Promise<void> {
    for (;;) {
      throwIfAborted(this.opts.signal);
      if (this.fd === undefined || this.written >= this.bounds(this.shard)[1]) {
        if (this.fd !== undefined) this.closeShard();
        if (this.shard + 1 >= this.opts.shards) return;
        this.openShard(this.shard + 1);
        continue;
      }
      const [lo, hi] = this.bounds(this.shard);
      const want = Math.min(this.batchRows - ((this.written - lo) % this.batchRows), hi - this.written);
      if (this.pendingRows < want && !final) return;
      if (this.pendingRows === 0) return;
      const n = Math.min(want, this.pendingRows);
      const { s, from } = this.take(n);
      this.writer!.write(
        buildBatch(this.schema, s, from, from + n, this.opts.padTo, this.opts.padTokenId, this.opts.withTypeIds),
      );
      this.written += n;
      // Lets a cancel (and the event loop) through between batches.
      if (++this.batchesSinceYield % 8 === 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** The next n pending rows as a TokenizedSplit slice (no copy when one chunk holds them). */
  private take(n: number): { s: TokenizedSplit; from: number } {
    const head = this.pending[0]!;
    if (head.chunk.rows - head.at >= n) {
      const from = head.at;
      head.at += n;
      this.pendingRows -= n;
      if (head.at === head.chunk.rows) this.pending.shift();
      return { s: { split: '', ...head.chunk }, from };
    }
    const parts: { c: RowChunk; a: number; b: number }[] = [];
    let need = n,
      tokens = 0;
    while (need > 0) {
      const p = this.pending[0]!;
      const k = Math.min(need, p.chunk.rows - p.at);
      parts.push({ c: p.chunk, a: p.at, b: p.at + k });
      tokens += p.chunk.offsets[p.at + k]! - p.chunk.offsets[p.at]!;
      p.at += k;
      need -= k;
      if (p.at === p.chunk.rows) this.pending.shift();
    }
    this.pendingRows -= n;
    const offsets = new Int32Array(n + 1),
      ids = new Int32Array(tokens),
      labels = new BigInt64Array(n);
    const typeIds = this.opts.withTypeIds ? new Int8Array(tokens) : undefined;
    let row = 0,
      tok = 0;
    for (const { c, a, b } of parts) {
      const ta = c.offsets[a]!,
        tb = c.offsets[b]!;
      ids.set(c.ids.subarray(ta, tb), tok);
      if (typeIds && c.typeIds) typeIds.set(c.typeIds.subarray(ta, tb), tok);
      labels.set(c.labels.subarray(a, b), row);
      for (let i = a; i < b; i++) offsets[++row] = tok + (c.offsets[i + 1]! - ta);
      tok += tb - ta;
    }
    return { s: { split: '', rows: n, offsets, ids, typeIds, labels }, from: 0 };
  }

  private openShard(k: number): void {
    this.shard = k;
    const file = path.join(this.dir, shardName(k, this.opts.shards));
    this.fd = fs.openSync(file, 'w');
    this.writer = new RecordBatchStreamWriter();
    this.writer.reset(new FileSink(this.fd, this.hash), this.schema);
  }

  private closeShard(): void {
    const [lo, hi] = this.bounds(this.shard);
    if (hi === lo) this.writer!.write(emptyBatch(this.schema));
    this.writer!.finish();
    fs.closeSync(this.fd!);
    this.fd = undefined;
    const name = shardName(this.shard, this.opts.shards);
    const file = path.join(this.dir, name);
    const bytes = fs.statSync(file).size;
    this.files.push({ name, bytes });
    this.opts.onShard?.({ path: file, name, bytes });
  }

  async finish(): Promise<WrittenSplit> {
    await this.drain(true);
    if (this.written !== this.opts.rows)
      throw new Error(
        `split ${this.opts.split}: ${this.written} rows written, ${this.opts.rows} counted before writing`,
      );
    const fingerprint = this.hash.digest('hex').slice(0, 16);
    const files = [...this.files];
    const stateText = stateJson(
      files.map((f) => f.name),
      fingerprint,
      this.opts.split,
      this.opts.withTypeIds,
    );
    const infoText = datasetInfoJson(this.opts.labelNames, this.opts.withTypeIds);
    await fs.promises.writeFile(path.join(this.dir, 'dataset_info.json'), infoText);
    await fs.promises.writeFile(path.join(this.dir, 'state.json'), stateText);
    files.push(
      { name: 'dataset_info.json', bytes: Buffer.byteLength(infoText) },
      { name: 'state.json', bytes: Buffer.byteLength(stateText) },
    );
    return { dir: this.dir, rows: this.written, files, bytes: files.reduce((a, f) => a + f.bytes, 0), fingerprint };
  }

  /** Closes an open shard file after a failure or cancel (the caller removes the folder). */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
  }
}

/** Writes `dir` (created; existing dataset files in it are replaced). */
export async function writeSplit(dir: string, s: TokenizedSplit, opts: WriteOptions): Promise<WrittenSplit> {
  const withTypeIds = s.typeIds !== undefined;
  const shards = shardCount(estimateBytes(s, opts.padTo, withTypeIds), opts.maxShardBytes);
  const w = new SplitWriter(dir, { ...opts, split: s.split, withTypeIds, rows: s.rows, shards });
  try {
    await w.append({ rows: s.rows, offsets: s.offsets, ids: s.ids, typeIds: s.typeIds, labels: s.labels });
    return await w.finish();
  } catch (err) {
    w.abort();
    throw err;
  }
}
