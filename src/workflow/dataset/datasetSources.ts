// Reads the rows of the splits a spec names: local JSONL / JSON / CSV / parquet files, or a Hub
// dataset's parquet files (the Hub API's parquet listing of one config, downloaded once into a cache).
// Only the text and label columns are kept. Errors name the file and line (or row) at fault.
//
// Rows are read in bounded batches (readSplitBatches): JSONL and CSV stream through a fixed buffer,
// parquet one row group at a time, so a prepare holds one batch of texts whatever the file size
// (a .json file holding one array is the exception: JSON has no streaming parse here). Bytes that are
// not UTF-8 are refused with file and line, as Python's `datasets` refuses them (no silent U+FFFD).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError, throwIfAborted } from '../../core/errors';
import type { Locate, RawLabel } from '../../core/dataset/labels';
import type { DatasetSpec } from '../../core/spec/spec';
import { fetchWithTimeout } from '../httpFetch';
import { READ_BYTES, jsonlLines, lineChunks, strictUtf8 } from './textLines';
import { need, type Columns, type RowBatch } from './rowBatch';
import { localClassNames, parquetBatches, parquetRowCount } from './parquetSource';

export interface SplitRows {
  split: string;
  /** A file path or URL, for messages. */
  origin: string;
  texts: string[];
  labels: RawLabel[];
  locate: Locate;
}

export interface LoadedSplits {
  splits: Map<string, SplitRows>;
  /** ClassLabel names declared by the dataset itself (parquet / Hub metadata), when it has them. */
  labelNames?: string[];
}

export interface SourceOptions {
  limit?: number;
  signal?: AbortSignal;
  hubEndpoint?: string;
  hubToken?: string;
  cacheDir?: string;
  onProgress?: (message: string) => void;
}

/** One non-empty JSONL line as text and raw label; errors name the file and line. */
function jsonlRow(text: string, cols: Columns, name: string, line: number): { text: string; label: RawLabel } {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${name}:${line}: not a valid JSON line: ${(err as Error).message}`);
  }
  if (!row || typeof row !== 'object' || Array.isArray(row))
    throw new UserError(`${name}:${line}: expected a JSON object per line`);
  return need(row as Record<string, unknown>, cols, `${name}:${line}`);
}

function jsonlRows(file: string, content: string, cols: Columns, limit: number): SplitRows {
  const name = path.basename(file);
  const texts: string[] = [],
    labels: RawLabel[] = [],
    lines: number[] = [];
  const trimmed = content.trimStart();
  if (trimmed.startsWith('[')) {
    // A .json file holding one array of objects.
    let arr: unknown;
    try {
      arr = JSON.parse(content);
    } catch (err) {
      throw new UserError(`${name}: not valid JSON: ${(err as Error).message}`);
    }
    const items = arr as Record<string, unknown>[];
    for (let i = 0; i < items.length && texts.length < limit; i++) {
      const item = items[i];
      if (!item || typeof item !== 'object') throw new UserError(`${name}: item ${i} is not an object`);
      const r = need(item, cols, `${name} item ${i}`);
      texts.push(r.text);
      labels.push(r.label);
      lines.push(i);
    }
    return { split: '', origin: file, texts, labels, locate: (i) => `${name} item ${lines[i]}` };
  }
  for (const { text, line } of jsonlLines(content, 0)) {
    if (texts.length >= limit) break;
    const r = jsonlRow(text, cols, name, line);
    texts.push(r.text);
    labels.push(r.label);
    lines.push(line);
  }
  return { split: '', origin: file, texts, labels, locate: (i) => `${name}:${lines[i]}` };
}

export interface SplitSource {
  split: string;
  origin: string;
  /** Rows in order, in batches of at most `batchRows`; reading again starts from the top. */
  batches(batchRows?: number): AsyncGenerator<RowBatch>;
  /** CSV only: whether every label is a whole number, which makes the column class ids (see csvRows). */
  csv?: boolean;
}

/** Rows of a line-based file gathered into RowBatches that locate each row as "{file}:{line}". */
class BatchBuilder {
  private texts: string[] = [];
  private labels: RawLabel[] = [];
  private lines: number[] = [];
  constructor(private readonly name: string) {}
  get size(): number {
    return this.texts.length;
  }
  add(row: { text: string; label: RawLabel }, line: number): void {
    this.texts.push(row.text);
    this.labels.push(row.label);
    this.lines.push(line);
  }
  take(): RowBatch {
    const { name, lines } = this;
    const b: RowBatch = { texts: this.texts, labels: this.labels, locate: (i) => `${name}:${lines[i]}` };
    this.texts = [];
    this.labels = [];
    this.lines = [];
    return b;
  }
}

async function* jsonlBatches(
  file: string,
  cols: Columns,
  limit: number,
  batchRows: number,
  signal?: AbortSignal,
): AsyncGenerator<RowBatch> {
  const name = path.basename(file);
  let rows = 0;
  let first = true;
  const batch = new BatchBuilder(name);
  for await (const { buf, firstLine } of lineChunks(file, signal)) {
    let content = strictUtf8(buf, name, firstLine - 1);
    if (first) {
      first = false;
      if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
      if (content.trimStart().startsWith('[')) {
        // A .json file holding one array: read whole (JSON.parse has no streaming mode).
        const all = jsonlRows(file, strictUtf8(await fs.promises.readFile(file), name), cols, limit);
        for (let i = 0; i < all.texts.length; i += batchRows) {
          const a = i,
            b = Math.min(all.texts.length, i + batchRows);
          yield { texts: all.texts.slice(a, b), labels: all.labels.slice(a, b), locate: (k) => all.locate(a + k) };
        }
        return;
      }
    }
    for (const { text, line } of jsonlLines(content, firstLine - 1)) {
      batch.add(jsonlRow(text, cols, name, line), line);
      if (++rows >= limit) return void (yield batch.take());
      if (batch.size >= batchRows) yield batch.take();
    }
  }
  if (batch.size) yield batch.take();
}

async function* csvBatches(
  file: string,
  cols: Columns,
  limit: number,
  batchRows: number,
  signal?: AbortSignal,
): AsyncGenerator<RowBatch> {
  const { parse } = await import('csv-parse');
  const name = path.basename(file);
  // Checked before parsing: csv-parse would decode bad bytes to U+FFFD.
  for await (const { buf, firstLine } of lineChunks(file, signal)) strictUtf8(buf, name, firstLine - 1);
  const parser = fs.createReadStream(file, { highWaterMark: READ_BYTES }).pipe(
    parse({
      columns: true,
      skip_empty_lines: true,
      bom: true,
      info: true,
      ...(Number.isFinite(limit) ? { to: limit } : {}),
    }),
  );
  const batch = new BatchBuilder(name);
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      throwIfAborted(signal);
      batch.add(need(record, cols, `${name}:${info.lines}`), info.lines);
      if (batch.size >= batchRows) yield batch.take();
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    throwIfAborted(signal);
    const e = err as Error & { lines?: number };
    throw new UserError(
      `${name}${e.lines ? `:${e.lines}` : ''}: not valid CSV: ${e.message.replace(/^Invalid Record Length: /, '')}`,
    );
  } finally {
    parser.destroy();
  }
  if (batch.size) yield batch.take();
}

function localSource(split: string, file: string, cols: Columns, limit: number, signal?: AbortSignal): SplitSource {
  if (!fs.existsSync(file))
    throw new UserError(`dataset.source.${split}: file ${file} does not exist`, `dataset.source.${split}`);
  const ext = path.extname(file).toLowerCase();
  const batches = (n = 1000): AsyncGenerator<RowBatch> =>
    ext === '.parquet'
      ? parquetBatches(file, cols, limit, n, path.basename(file), signal)
      : ext === '.csv'
        ? csvBatches(file, cols, limit, n, signal)
        : jsonlBatches(file, cols, limit, n, signal);
  return { split, origin: file, batches, csv: ext === '.csv' };
}

export interface OpenedSplits {
  sources: Map<string, SplitSource>;
  /** ClassLabel names declared by the dataset itself (parquet / Hub metadata), when it has them. */
  labelNames?: string[];
}

/**
 * Opens every split the spec's channels name (each once), downloading Hub parquet files into the cache
 * first; rows are then read batch by batch from each source, as often as needed.
 */
export async function openSplits(ds: DatasetSpec, opts: SourceOptions = {}): Promise<OpenedSplits> {
  const cols = { text: ds.textColumn ?? 'text', label: ds.labelColumn ?? 'label' };
  const limit = ds.limit ?? opts.limit ?? Infinity;
  const wanted = [...new Set(Object.values(ds.splits))];
  const sources = new Map<string, SplitSource>();
  if (typeof ds.source === 'string') {
    const hub = await downloadHub(ds, wanted, cols, opts);
    for (const [split, files] of hub.files) {
      sources.set(split, {
        split,
        origin: `${ds.source}/${ds.config ?? 'default'}/${split}`,
        async *batches(n = 1000) {
          let left = limit;
          for (const f of files) {
            if (left <= 0) break;
            for await (const b of parquetBatches(f.path, cols, left, n, f.shown, opts.signal)) {
              left -= b.texts.length;
              yield { texts: b.texts, labels: b.labels, locate: b.locate };
            }
          }
        },
      });
    }
    return {
      sources,
      labelNames:
        hub.classNames ??
        (await hubCardClassNames(ds.source, ds.config ?? 'default', cols.label, opts, hubEndpointOf(opts.hubEndpoint))),
    };
  }
  let labelNames: string[] | undefined;
  for (const split of wanted) {
    throwIfAborted(opts.signal);
    const file = ds.source[split];
    if (!file)
      throw new UserError(
        `dataset.splits: split '${split}' has no file in dataset.source (it has: ${Object.keys(ds.source).join(', ')})`,
        'dataset.splits',
      );
    sources.set(split, localSource(split, file, cols, limit, opts.signal));
    labelNames ??= await localClassNames(file, cols);
  }
  return { sources, labelNames };
}

export function hubEndpointOf(opt?: string): string {
  return (opt || process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

async function hubFetch(url: string, opts: SourceOptions, endpoint: string, what: string): Promise<Response> {
  const headers: Record<string, string> = {};
  // The token goes to the configured Hub only, never to a redirect target elsewhere (fetch drops it
  // cross-origin as well).
  if (opts.hubToken && url.startsWith(endpoint + '/')) headers['Authorization'] = `Bearer ${opts.hubToken}`;
  let res: Response;
  try {
    res = await fetchWithTimeout(url, { headers, signal: opts.signal });
  } catch (err) {
    throwIfAborted(opts.signal);
    throw new UserError(
      `${what} failed: cannot reach ${endpoint} (${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message ?? (err as Error).cause) : (err as Error).message}); check the network or the Hub endpoint setting (HF_ENDPOINT)`,
    );
  }
  if (res.status === 401 || res.status === 403)
    throw new UserError(
      `${what} failed: the Hub refused access (${res.status}); for a private or gated dataset set a token (SageMaker HF: Set Hugging Face Hub Token, or HF_TOKEN)`,
    );
  if (!res.ok) throw new UserError(`${what} failed: ${res.status} ${res.statusText} from ${url.split('?')[0]}`);
  return res;
}

async function download(url: string, dest: string, opts: SourceOptions, endpoint: string): Promise<void> {
  if (fs.existsSync(dest)) return;
  const res = await hubFetch(url, opts, endpoint, `Downloading ${path.basename(new URL(url).pathname)}`);
  const body = Buffer.from(await res.arrayBuffer());
  throwIfAborted(opts.signal);
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  // Written under a temporary name first so an interrupted download never looks cached.
  const tmp = `${dest}.${process.pid}.part`;
  await fs.promises.writeFile(tmp, body);
  await fs.promises.rename(tmp, dest);
}

/** ClassLabel names from the dataset card's dataset_info (the Hub's /api/datasets/{id}). */
async function hubCardClassNames(
  id: string,
  config: string,
  column: string,
  opts: SourceOptions,
  endpoint: string,
): Promise<string[] | undefined> {
  try {
    const res = await hubFetch(`${endpoint}/api/datasets/${id}`, opts, endpoint, `Reading ${id} metadata`);
    const info = (await res.json()) as { cardData?: { dataset_info?: unknown } };
    const di = info.cardData?.dataset_info;
    const list = (Array.isArray(di) ? di : di ? [di] : []) as {
      config_name?: string;
      features?: { name: string; dtype?: { class_label?: { names?: Record<string, string> } } }[];
    }[];
    const entry =
      list.find((d) => (d.config_name ?? 'default') === config) ?? (list.length === 1 ? list[0] : undefined);
    const names = entry?.features?.find((f) => f.name === column)?.dtype?.class_label?.names;
    if (!names) return undefined;
    return Object.keys(names)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => names[k]!);
  } catch (err) {
    throwIfAborted(opts.signal);
    return undefined;
  }
}

async function downloadHub(
  ds: DatasetSpec,
  wanted: string[],
  cols: Columns,
  opts: SourceOptions,
): Promise<{ files: Map<string, { path: string; shown: string }[]>; classNames?: string[] }> {
  const id = ds.source as string;
  const config = ds.config ?? 'default';
  const endpoint = hubEndpointOf(opts.hubEndpoint);
  const cacheRoot = path.join(opts.cacheDir ?? path.join(os.homedir(), '.cache', 'sagemaker-hf'), 'datasets');
  opts.onProgress?.(`Listing parquet files of ${id} (${config})`);
  const res = await hubFetch(
    `${endpoint}/api/datasets/${id}/parquet/${encodeURIComponent(config)}`,
    opts,
    endpoint,
    `Listing the parquet files of ${id} (config ${config})`,
  );
  const listing = (await res.json()) as Record<string, string[]>;
  const files = new Map<string, { path: string; shown: string }[]>();
  let classNames: string[] | undefined;
  for (const split of wanted) {
    const urls = listing[split];
    if (!urls?.length) {
      throw new UserError(
        `dataset.splits: split '${split}' is not in ${id} (config ${config}); it has: ${Object.keys(listing).join(', ') || 'no splits'}`,
        'dataset.splits',
      );
    }
    const list: { path: string; shown: string }[] = [];
    for (const url of urls) {
      throwIfAborted(opts.signal);
      const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
      const shown = `${id}/${config}/${split}/${path.basename(new URL(url).pathname)}`;
      const dest = path.join(cacheRoot, id.replace(/\//g, '--'), config, split, `${key}.parquet`);
      opts.onProgress?.(`Downloading ${shown}`);
      await download(url, dest, opts, endpoint);
      classNames ??= await localClassNames(dest, cols);
      list.push({ path: dest, shown });
      // With a row limit, later files are needed only if the first ones run short (checked when read).
      if (ds.limit !== undefined && list.length === 1 && (await parquetRowCount(dest)) >= ds.limit) break;
    }
    files.set(split, list);
  }
  return { files, classNames };
}

/** Rows of every split the spec's channels name (each split read once, all held), with at most `limit` rows each. */
export async function loadSplits(ds: DatasetSpec, opts: SourceOptions = {}): Promise<LoadedSplits> {
  const opened = await openSplits(ds, opts);
  const splits = new Map<string, SplitRows>();
  for (const [split, src] of opened.sources) {
    const texts: string[] = [],
      labels: RawLabel[] = [],
      locs: { start: number; locate: Locate }[] = [];
    for await (const b of src.batches()) {
      locs.push({ start: texts.length, locate: b.locate });
      for (let i = 0; i < b.texts.length; i++) {
        texts.push(b.texts[i]!);
        labels.push(b.labels[i]);
      }
    }
    // CSV has no types: a label column of whole numbers holds class ids (pandas infers int64 the same way).
    if (src.csv && labels.length > 0 && labels.every((l) => typeof l === 'string' && /^\d+$/.test(l))) {
      for (let i = 0; i < labels.length; i++) labels[i] = Number(labels[i]);
    }
    const locate: Locate = (i) => {
      let lo = 0,
        hi = locs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (locs[mid]!.start <= i) lo = mid;
        else hi = mid - 1;
      }
      return locs[lo]!.locate(i - locs[lo]!.start);
    };
    if (texts.length === 0)
      throw new UserError(`dataset.splits: split '${split}' (${src.origin}) has no rows`, 'dataset.splits');
    splits.set(split, { split, origin: src.origin, texts, labels, locate });
  }
  return { splits, labelNames: opened.labelNames };
}

/**
 * What the local prepare refuses too, checked before a billed job exists: an input file with no rows.
 * Returns a warning when whole files (not JSONL, which is cut per instance) are fewer than the instances.
 */
export function checkLocalInputs(src: Record<string, string>, splits: string[], instanceCount: number): string[] {
  for (const split of splits) {
    const file = src[split]!;
    let head: string;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const buf = Buffer.alloc(64 * 1024);
        head = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      throw new UserError(
        `dataset.source.${split}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        `dataset.source.${split}`,
      );
    }
    if (!head.trim())
      throw new UserError(
        `dataset.source.${split}: ${file} has no rows; a Processing job would be billed for nothing. Point it at a file with data`,
        `dataset.source.${split}`,
      );
  }
  const files = splits.map((s) => src[s]!);
  if (instanceCount > files.length && !files.some((f) => /\.jsonl?$/i.test(f)))
    return [
      `--instance-count ${instanceCount} is more than the ${files.length} input file(s), each read whole by one instance: ${instanceCount - files.length} instance(s) would have nothing to do and are billed anyway`,
    ];
  return [];
}
