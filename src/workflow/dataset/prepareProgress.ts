// What the dataset step reports while it runs (stage, message, rows and bytes done) and what it ends
// with, and the meter that turns a row pass into at most a few such events a second with rows/s and an
// ETA. Shared by the local and the Processing prepare, whose callers (CLI progress line, extension
// notification) read one shape, and by the upload of an already prepared folder.
import type { PrepareReport } from '../../core/dataset/prepareReport';

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
  /** The folder a local prepare wrote was uploaded as it was (nothing read or tokenized again). */
  reused?: boolean;
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  s = Math.round(s);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

/** Progress of one row pass: rows/s and ETA, at most a few events a second. */
export class RowMeter {
  private done = 0;
  private last = 0;
  private readonly t0 = Date.now();
  constructor(
    private readonly total: number,
    private readonly emit: (p: Omit<PrepareProgress, 'stage' | 'message'> & { text: string }) => void,
    private readonly what: string,
  ) {}
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
