// Writes one split in the folder layout of `datasets`' save_to_disk, which `datasets.load_from_disk`
// (2.x through 5.x) reads: data-0000i-of-0000N.arrow (Arrow IPC *stream*, 1000-row record batches),
// state.json and dataset_info.json. Columns: input_ids list<int32>, token_type_ids / attention_mask
// list<int8> (the dtypes `datasets`' ArrowWriter picks for tokenizer output), labels int64 (ClassLabel).
// The torch format is set on all four, as the notebook's set_format('torch') does.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AsyncByteQueue, Field, Int32, Int64, Int8, List, RecordBatch, RecordBatchStreamWriter, Schema, Struct, makeData, type Data, type DataType } from 'apache-arrow';
import { throwIfAborted } from './errors';
import { pythonJsonDumps as pyJsonDumps, type PyValue } from './pythonJson';

/** A tokenized split: rows already truncated, flat token ids with per-row offsets. */
export interface TokenizedSplit {
  split: string;
  rows: number;
  /** rows + 1 offsets into `ids`. */
  offsets: Int32Array;
  ids: Int32Array;
  /** Same layout as ids; absent when the model takes no token_type_ids. */
  typeIds?: Int8Array;
  labels: BigInt64Array;
}

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
  constructor(private readonly fd: number, private readonly hash: ReturnType<typeof createHash>) {
    super();
  }
  override write(value: Uint8Array): void {
    if (value.byteLength === 0) return;
    this.hash.update(value);
    let off = 0;
    while (off < value.byteLength) off += fs.writeSync(this.fd, value, off, value.byteLength - off);
  }
}
const MAX_SHARD_BYTES = 500 * 1024 * 1024;

/** The `features` dict datasets writes (Sequence, not List: readable by datasets 2.x through 5.x). */
export function featuresJson(labelNames: string[], withTypeIds: boolean): { [key: string]: PyValue } {
  const seq = (dtype: string) => ({ feature: { dtype, _type: 'Value' }, _type: 'Sequence' });
  return {
    input_ids: seq('int32'),
    ...(withTypeIds ? { token_type_ids: seq('int8') } : {}),
    attention_mask: seq('int8'),
    labels: { names: labelNames, _type: 'ClassLabel' },
  };
}

export function modelColumns(withTypeIds: boolean): string[] {
  return ['input_ids', ...(withTypeIds ? ['token_type_ids'] : []), 'attention_mask', 'labels'];
}

/** dataset_info.json as save_to_disk writes it for an in-memory Dataset (indent 2, top-level keys sorted). */
export function datasetInfoJson(labelNames: string[], withTypeIds: boolean): string {
  return pyJsonDumps({ citation: '', description: '', features: featuresJson(labelNames, withTypeIds), homepage: '', license: '' }, { indent: 2 });
}

/** state.json as save_to_disk writes it (indent 2, all keys sorted). */
export function stateJson(files: string[], fingerprint: string, split: string, withTypeIds: boolean): string {
  return pyJsonDumps(
    {
      _data_files: files.map((filename) => ({ filename })),
      _fingerprint: fingerprint,
      _format_columns: modelColumns(withTypeIds),
      _format_kwargs: {},
      _format_type: 'torch',
      _output_all_columns: false,
      _split: split,
    },
    { indent: 2, sortKeys: true },
  );
}

export function arrowSchema(labelNames: string[], withTypeIds: boolean): Schema {
  const list = (t: DataType) => new List(new Field('item', t, true));
  const fields = [
    new Field('input_ids', list(new Int32()), true),
    ...(withTypeIds ? [new Field('token_type_ids', list(new Int8()), true)] : []),
    new Field('attention_mask', list(new Int8()), true),
    new Field('labels', new Int64(), true),
  ];
  const meta = pyJsonDumps({ info: { features: featuresJson(labelNames, withTypeIds) } });
  return new Schema(fields, new Map([['huggingface', meta]]));
}

/** Data buffer bytes of a split once written (what save_to_disk divides by the shard size). */
export function estimateBytes(s: TokenizedSplit, padTo: number | null, withTypeIds: boolean): number {
  const tokens = padTo === null ? s.ids.length : s.rows * padTo;
  const perToken = 4 + 1 + (withTypeIds ? 1 : 0);
  const lists = withTypeIds ? 3 : 2;
  return tokens * perToken + lists * 4 * (s.rows + 1) + 8 * s.rows;
}

/** One record batch of rows [from, to). */
function buildBatch(schema: Schema, s: TokenizedSplit, from: number, to: number, padTo: number | null, padId: number, withTypeIds: boolean): RecordBatch {
  const n = to - from;
  const offsets = new Int32Array(n + 1);
  let total: number;
  if (padTo !== null) {
    for (let i = 0; i <= n; i++) offsets[i] = i * padTo;
    total = n * padTo;
  } else {
    const base = s.offsets[from]!;
    for (let i = 0; i <= n; i++) offsets[i] = s.offsets[from + i]! - base;
    total = offsets[n]!;
  }
  const ids = new Int32Array(total);
  const mask = new Int8Array(total);
  const types = withTypeIds ? new Int8Array(total) : undefined;
  if (padTo === null) {
    const a = s.offsets[from]!, b = s.offsets[to]!;
    ids.set(s.ids.subarray(a, b));
    mask.fill(1);
    if (types && s.typeIds) types.set(s.typeIds.subarray(a, b));
  } else {
    if (padId !== 0) ids.fill(padId);
    for (let i = 0; i < n; i++) {
      const a = s.offsets[from + i]!, b = s.offsets[from + i + 1]!;
      const at = i * padTo;
      ids.set(s.ids.subarray(a, b), at);
      mask.fill(1, at, at + (b - a));
      if (types && s.typeIds) types.set(s.typeIds.subarray(a, b), at);
    }
  }
  const listData = (child: Data, t: DataType) =>
    makeData({ type: new List(new Field('item', t, true)), length: n, nullCount: 0, valueOffsets: offsets, child });
  const children: Data[] = [
    listData(makeData({ type: new Int32(), length: total, nullCount: 0, data: ids }), new Int32()),
    ...(types ? [listData(makeData({ type: new Int8(), length: total, nullCount: 0, data: types }), new Int8())] : []),
    listData(makeData({ type: new Int8(), length: total, nullCount: 0, data: mask }), new Int8()),
    makeData({ type: new Int64(), length: n, nullCount: 0, data: s.labels.subarray(from, to) }),
  ];
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/** Writes `dir` (created; existing dataset files in it are replaced). */
export async function writeSplit(dir: string, s: TokenizedSplit, opts: WriteOptions): Promise<WrittenSplit> {
  const withTypeIds = s.typeIds !== undefined;
  const schema = arrowSchema(opts.labelNames, withTypeIds);
  const batchRows = opts.batchRows ?? BATCH_ROWS;
  const shards = Math.floor(estimateBytes(s, opts.padTo, withTypeIds) / (opts.maxShardBytes ?? MAX_SHARD_BYTES)) + 1;
  await fs.promises.mkdir(dir, { recursive: true });
  for (const old of await fs.promises.readdir(dir)) {
    if (/^data-\d{5}-of-\d{5}\.arrow$/.test(old)) await fs.promises.rm(path.join(dir, old));
  }
  const hash = createHash('sha256');
  hash.update(pyJsonDumps({ split: s.split, names: opts.labelNames, padTo: opts.padTo }));
  const files: { name: string; bytes: number }[] = [];
  // Contiguous shards of (almost) equal row counts, as Dataset.shard(contiguous=True) makes them.
  for (let k = 0; k < shards; k++) {
    const lo = Math.floor((k * s.rows) / shards), hi = Math.floor(((k + 1) * s.rows) / shards);
    const name = `data-${String(k).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.arrow`;
    const file = path.join(dir, name);
    const fd = fs.openSync(file, 'w');
    try {
      const writer = new RecordBatchStreamWriter();
      writer.reset(new FileSink(fd, hash), schema);
      for (let from = lo; from < hi; from += batchRows) {
        throwIfAborted(opts.signal);
        writer.write(buildBatch(schema, s, from, Math.min(hi, from + batchRows), opts.padTo, opts.padTokenId, withTypeIds));
        // Lets a cancel arrive between batches.
        if (((from - lo) / batchRows) % 8 === 7) await new Promise((r) => setImmediate(r));
      }
      if (hi === lo) writer.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children: schema.fields.map((f) => makeData({ type: f.type, length: 0, nullCount: 0 })) })));
      writer.finish();
      fs.closeSync(fd);
    } catch (err) {
      try { fs.closeSync(fd); } catch { /* already closed */ }
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    files.push({ name, bytes: (await fs.promises.stat(file)).size });
  }
  const fingerprint = hash.digest('hex').slice(0, 16);
  const stateText = stateJson(files.map((f) => f.name), fingerprint, s.split, withTypeIds);
  const infoText = datasetInfoJson(opts.labelNames, withTypeIds);
  await fs.promises.writeFile(path.join(dir, 'dataset_info.json'), infoText);
  await fs.promises.writeFile(path.join(dir, 'state.json'), stateText);
  files.push({ name: 'dataset_info.json', bytes: Buffer.byteLength(infoText) }, { name: 'state.json', bytes: Buffer.byteLength(stateText) });
  return { dir, rows: s.rows, files, bytes: files.reduce((a, f) => a + f.bytes, 0), fingerprint };
}
