// Reads the rows of the splits a spec names: local JSONL / JSON / CSV / parquet files, or a Hub
// dataset's parquet files (the Hub API's parquet listing of one config, downloaded once into a cache).
// Only the text and label columns are kept. Errors name the file and line (or row) at fault.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError, throwIfAborted } from '../core/errors';
import type { Locate, RawLabel } from '../core/labels';
import type { DatasetSpec } from '../core/spec';
import { fetchWithTimeout } from './httpFetch';

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

type Columns = { text: string; label: string };

function need(row: Record<string, unknown>, cols: Columns, where: string): { text: string; label: RawLabel } {
  if (!(cols.text in row)) throw new UserError(`${where}: no '${cols.text}' column (dataset.textColumn); the row has: ${Object.keys(row).join(', ') || 'no columns'}`, 'dataset.textColumn');
  if (!(cols.label in row)) throw new UserError(`${where}: no '${cols.label}' column (dataset.labelColumn); the row has: ${Object.keys(row).join(', ') || 'no columns'}`, 'dataset.labelColumn');
  const text = row[cols.text];
  if (typeof text !== 'string') throw new UserError(`${where}: '${cols.text}' is ${text === null ? 'null' : typeof text}, expected text`, 'dataset.textColumn');
  return { text, label: row[cols.label] as RawLabel };
}

function jsonlRows(file: string, content: string, cols: Columns, limit: number): SplitRows {
  const name = path.basename(file);
  const texts: string[] = [], labels: RawLabel[] = [], lines: number[] = [];
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
      texts.push(r.text), labels.push(r.label), lines.push(i);
    }
    return { split: '', origin: file, texts, labels, locate: (i) => `${name} item ${lines[i]}` };
  }
  let line = 0;
  let start = 0;
  while (start < content.length && texts.length < limit) {
    let end = content.indexOf('\n', start);
    if (end < 0) end = content.length;
    line++;
    const text = content.slice(start, end).trim();
    start = end + 1;
    if (!text) continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (err) {
      throw new UserError(`${name}:${line}: not a valid JSON line: ${(err as Error).message}`);
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) throw new UserError(`${name}:${line}: expected a JSON object per line`);
    const r = need(row as Record<string, unknown>, cols, `${name}:${line}`);
    texts.push(r.text), labels.push(r.label), lines.push(line);
  }
  return { split: '', origin: file, texts, labels, locate: (i) => `${name}:${lines[i]}` };
}

async function csvRows(file: string, content: string, cols: Columns, limit: number): Promise<SplitRows> {
  const { parse } = await import('csv-parse/sync');
  const name = path.basename(file);
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(content, { columns: true, skip_empty_lines: true, bom: true, info: true, ...(Number.isFinite(limit) ? { to: limit } : {}) }) as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new UserError(`${name}${e.lines ? `:${e.lines}` : ''}: not valid CSV: ${e.message.replace(/^Invalid Record Length: /, '')}`);
  }
  const texts: string[] = [], labels: RawLabel[] = [], lines: number[] = [];
  for (const { record, info } of records) {
    const r = need(record, cols, `${name}:${info.lines}`);
    texts.push(r.text), labels.push(r.label), lines.push(info.lines);
  }
  // CSV has no types: a label column of whole numbers holds class ids (pandas infers int64 the same way).
  if (labels.length > 0 && labels.every((l) => typeof l === 'string' && /^\d+$/.test(l))) {
    for (let i = 0; i < labels.length; i++) labels[i] = Number(labels[i]);
  }
  return { split: '', origin: file, texts, labels, locate: (i) => `${name}:${lines[i]}` };
}

/** ClassLabel names of `column` from a parquet file's `huggingface` key-value metadata. */
export function classNamesFromHfMetadata(json: string | undefined, column: string): string[] | undefined {
  if (!json) return undefined;
  try {
    const meta = JSON.parse(json) as { info?: { features?: Record<string, { _type?: string; names?: string[] }> } };
    const f = meta.info?.features?.[column];
    return f?._type === 'ClassLabel' && Array.isArray(f.names) ? f.names : undefined;
  } catch {
    return undefined;
  }
}

async function parquetRows(file: string, cols: Columns, limit: number, shown = path.basename(file)): Promise<SplitRows & { classNames?: string[] }> {
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const buf = await fs.promises.readFile(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(ab);
  } catch (err) {
    throw new UserError(`${shown}: not a parquet file: ${(err as Error).message}`);
  }
  const names = metadata.schema.slice(1).map((s) => s.name);
  for (const [c, field] of [[cols.text, 'dataset.textColumn'], [cols.label, 'dataset.labelColumn']] as const) {
    if (!names.includes(c)) throw new UserError(`${shown}: no '${c}' column (${field}); the file has: ${names.join(', ')}`, field);
  }
  const rowEnd = Math.min(Number(metadata.num_rows), limit);
  const rows = (await parquetReadObjects({ file: ab, metadata, columns: [cols.text, cols.label], rowEnd })) as Record<string, unknown>[];
  const texts: string[] = new Array(rows.length), labels: RawLabel[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = need(rows[i]!, cols, `${shown} row ${i}`);
    texts[i] = r.text;
    labels[i] = r.label;
  }
  const hf = metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface')?.value;
  return { split: '', origin: file, texts, labels, locate: (i) => `${shown} row ${i}`, classNames: classNamesFromHfMetadata(hf, cols.label) };
}

async function readLocal(split: string, file: string, cols: Columns, limit: number): Promise<SplitRows & { classNames?: string[] }> {
  if (!fs.existsSync(file)) throw new UserError(`dataset.source.${split}: file ${file} does not exist`, `dataset.source.${split}`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet') return { ...(await parquetRows(file, cols, limit)), split };
  const content = await fs.promises.readFile(file, 'utf8');
  const rows = ext === '.csv' ? await csvRows(file, content, cols, limit) : jsonlRows(file, content, cols, limit);
  return { ...rows, split };
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
    throw new UserError(`${what} failed: cannot reach ${endpoint} (${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message ?? (err as Error).cause) : (err as Error).message}); check the network or the Hub endpoint setting (HF_ENDPOINT)`);
  }
  if (res.status === 401 || res.status === 403) throw new UserError(`${what} failed: the Hub refused access (${res.status}); for a private or gated dataset set a token (SageMaker HF: Set Hugging Face Hub Token, or HF_TOKEN)`);
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
async function hubCardClassNames(id: string, config: string, column: string, opts: SourceOptions, endpoint: string): Promise<string[] | undefined> {
  try {
    const res = await hubFetch(`${endpoint}/api/datasets/${id}`, opts, endpoint, `Reading ${id} metadata`);
    const info = (await res.json()) as { cardData?: { dataset_info?: unknown } };
    const di = info.cardData?.dataset_info;
    const list = (Array.isArray(di) ? di : di ? [di] : []) as { config_name?: string; features?: { name: string; dtype?: { class_label?: { names?: Record<string, string> } } }[] }[];
    const entry = list.find((d) => (d.config_name ?? 'default') === config) ?? (list.length === 1 ? list[0] : undefined);
    const names = entry?.features?.find((f) => f.name === column)?.dtype?.class_label?.names;
    if (!names) return undefined;
    return Object.keys(names).sort((a, b) => Number(a) - Number(b)).map((k) => names[k]!);
  } catch (err) {
    throwIfAborted(opts.signal);
    return undefined;
  }
}

async function readHub(ds: DatasetSpec, wanted: string[], cols: Columns, limit: number, opts: SourceOptions): Promise<LoadedSplits> {
  const id = ds.source as string;
  const config = ds.config ?? 'default';
  const endpoint = hubEndpointOf(opts.hubEndpoint);
  const cacheRoot = path.join(opts.cacheDir ?? path.join(os.homedir(), '.cache', 'sagemaker-hf'), 'datasets');
  opts.onProgress?.(`Listing parquet files of ${id} (${config})`);
  const res = await hubFetch(`${endpoint}/api/datasets/${id}/parquet/${encodeURIComponent(config)}`, opts, endpoint, `Listing the parquet files of ${id} (config ${config})`);
  const listing = (await res.json()) as Record<string, string[]>;
  const splits = new Map<string, SplitRows>();
  let classNames: string[] | undefined;
  for (const split of wanted) {
    const urls = listing[split];
    if (!urls?.length) {
      throw new UserError(`dataset.splits: split '${split}' is not in ${id} (config ${config}); it has: ${Object.keys(listing).join(', ') || 'no splits'}`, 'dataset.splits');
    }
    const texts: string[] = [], labels: RawLabel[] = [];
    const parts: { start: number; shown: string; locate: Locate }[] = [];
    for (const url of urls) {
      if (texts.length >= limit) break;
      throwIfAborted(opts.signal);
      const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
      const shown = `${id}/${config}/${split}/${path.basename(new URL(url).pathname)}`;
      const dest = path.join(cacheRoot, id.replace(/\//g, '--'), config, split, `${key}.parquet`);
      opts.onProgress?.(`Downloading ${shown}`);
      await download(url, dest, opts, endpoint);
      const rows = await parquetRows(dest, cols, limit - texts.length, shown);
      classNames ??= rows.classNames;
      parts.push({ start: texts.length, shown, locate: rows.locate });
      for (let i = 0; i < rows.texts.length; i++) texts.push(rows.texts[i]!), labels.push(rows.labels[i]);
    }
    const locate: Locate = (i) => {
      let p = parts[0]!;
      for (const q of parts) if (q.start <= i) p = q;
      return p.locate(i - p.start);
    };
    splits.set(split, { split, origin: `${id}/${config}/${split}`, texts, labels, locate });
  }
  classNames ??= await hubCardClassNames(id, config, cols.label, opts, endpoint);
  return { splits, labelNames: classNames };
}

/** Rows of every split the spec's channels name (each split read once), with at most `limit` rows each. */
export async function loadSplits(ds: DatasetSpec, opts: SourceOptions = {}): Promise<LoadedSplits> {
  const cols = { text: ds.textColumn ?? 'text', label: ds.labelColumn ?? 'label' };
  const limit = ds.limit ?? opts.limit ?? Infinity;
  const wanted = [...new Set(Object.values(ds.splits))];
  let loaded: LoadedSplits;
  if (typeof ds.source === 'string') {
    loaded = await readHub(ds, wanted, cols, limit, opts);
  } else {
    const splits = new Map<string, SplitRows>();
    let labelNames: string[] | undefined;
    for (const split of wanted) {
      throwIfAborted(opts.signal);
      const file = ds.source[split];
      if (!file) throw new UserError(`dataset.splits: split '${split}' has no file in dataset.source (it has: ${Object.keys(ds.source).join(', ')})`, 'dataset.splits');
      opts.onProgress?.(`Reading ${path.basename(file)}`);
      const rows = await readLocal(split, file, cols, limit);
      labelNames ??= rows.classNames;
      splits.set(split, { split, origin: rows.origin, texts: rows.texts, labels: rows.labels, locate: rows.locate });
    }
    loaded = { splits, labelNames };
  }
  for (const [split, rows] of loaded.splits) {
    if (rows.texts.length === 0) throw new UserError(`dataset.splits: split '${split}' (${rows.origin}) has no rows`, 'dataset.splits');
  }
  return loaded;
}
