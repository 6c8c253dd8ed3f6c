// The folder layout of `datasets`' save_to_disk, which `datasets.load_from_disk` (2.x through 5.x) reads:
// data-0000i-of-0000N.arrow (Arrow IPC *stream*, 1000-row record batches), state.json and
// dataset_info.json. Columns: input_ids list<int32>, token_type_ids / attention_mask list<int8> (the
// dtypes `datasets`' ArrowWriter picks for tokenizer output), labels int64 (ClassLabel). The torch
// format is set on all four, as the notebook's set_format('torch') does. Pure: the schema, the record
// batches, the JSON files and the shard plan; workflow/dataset/splitWriter.ts writes the files, and the
// Processing assembly reuses the JSON files for the folders it puts together from instances' parts.
import {
  Field,
  Int32,
  Int64,
  Int8,
  List,
  RecordBatch,
  Schema,
  Struct,
  makeData,
  type Data,
  type DataType,
} from 'apache-arrow';
import { pythonJsonDumps as pyJsonDumps, type PyValue } from '../pythonJson';

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
  return pyJsonDumps(
    { citation: '', description: '', features: featuresJson(labelNames, withTypeIds), homepage: '', license: '' },
    { indent: 2 },
  );
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
  return estimateSplitBytes(s.rows, s.ids.length, padTo, withTypeIds);
}

/** The same from counts alone: `tokens` is the (truncated) token total, used only when unpadded. */
export function estimateSplitBytes(rows: number, tokens: number, padTo: number | null, withTypeIds: boolean): number {
  const stored = padTo === null ? tokens : rows * padTo;
  const perToken = 4 + 1 + (withTypeIds ? 1 : 0);
  const lists = withTypeIds ? 3 : 2;
  return stored * perToken + lists * 4 * (rows + 1) + 8 * rows;
}

/** How many shards save_to_disk makes: int(nbytes / max_shard_size) + 1. */
export function shardCount(bytes: number, maxShardBytes = MAX_SHARD_BYTES): number {
  return Math.floor(bytes / maxShardBytes) + 1;
}

export function shardName(k: number, shards: number): string {
  return `data-${String(k).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.arrow`;
}

/** A record batch of no rows (an empty shard still holds the schema). */
export function emptyBatch(schema: Schema): RecordBatch {
  return new RecordBatch(
    schema,
    makeData({
      type: new Struct(schema.fields),
      length: 0,
      nullCount: 0,
      children: schema.fields.map((f) => makeData({ type: f.type, length: 0, nullCount: 0 })),
    }),
  );
}

/** One record batch of rows [from, to). */
export function buildBatch(
  schema: Schema,
  s: TokenizedSplit,
  from: number,
  to: number,
  padTo: number | null,
  padId: number,
  withTypeIds: boolean,
): RecordBatch {
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
    const a = s.offsets[from]!,
      b = s.offsets[to]!;
    ids.set(s.ids.subarray(a, b));
    mask.fill(1);
    if (types && s.typeIds) types.set(s.typeIds.subarray(a, b));
  } else {
    if (padId !== 0) ids.fill(padId);
    for (let i = 0; i < n; i++) {
      const a = s.offsets[from + i]!,
        b = s.offsets[from + i + 1]!;
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
