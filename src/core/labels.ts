// Class names and label ids. Where the names come from, in order of precedence:
//   1. dataset.labelNames in the spec (id = position in that list);
//   2. the dataset's own ClassLabel names (Hub/parquet `huggingface` metadata), e.g. emotion's
//      sadness, joy, love, anger, fear, surprise;
//   3. string labels: the distinct strings sorted by code point (what Python's sorted() gives, and
//      what `datasets`' class_encode_column does), so the order never depends on which rows came first;
//   4. integer labels: "0".."max" (what ClassLabel(num_classes=max+1) names them).
// Integer labels must lie in [0, names.length); string labels must be one of the names.
import { UserError } from './errors';

export type RawLabel = string | number | bigint | boolean | null | undefined;

/** Where a value came from, for error messages ("train.jsonl:12", "train.parquet row 7"). */
export type Locate = (row: number) => string;

export interface LabelSource {
  labels: RawLabel[];
  locate: Locate;
}

export type LabelNamesOrigin = 'spec' | 'dataset' | 'sorted-strings' | 'integers';

export function resolveLabelNames(opts: { spec?: string[]; dataset?: string[]; sources: LabelSource[]; column: string }): { names: string[]; origin: LabelNamesOrigin } {
  if (opts.spec?.length) return { names: [...opts.spec], origin: 'spec' };
  if (opts.dataset?.length) return { names: [...opts.dataset], origin: 'dataset' };
  const strings = new Set<string>();
  let maxInt = -1;
  for (const src of opts.sources) {
    for (let i = 0; i < src.labels.length; i++) {
      const v = src.labels[i];
      if (typeof v === 'string') strings.add(v);
      else if (typeof v === 'number' || typeof v === 'bigint') {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new UserError(`${src.locate(i)}: ${opts.column} ${String(v)} is not a class id (a whole number >= 0) nor a class name`, opts.column);
        if (n > maxInt) maxInt = n;
      } else {
        throw new UserError(`${src.locate(i)}: ${opts.column} is ${v === null || v === undefined ? 'missing' : JSON.stringify(v)}; each row needs a class name or id`, opts.column);
      }
    }
  }
  if (strings.size > 0 && maxInt >= 0) {
    throw new UserError(`dataset.labelColumn: column '${opts.column}' mixes class names and numeric ids; use one kind, or list dataset.labelNames in the spec`, 'dataset.labelColumn');
  }
  if (strings.size > 0) return { names: [...strings].sort(codePointCompare), origin: 'sorted-strings' };
  if (maxInt >= 0) return { names: Array.from({ length: maxInt + 1 }, (_, i) => String(i)), origin: 'integers' };
  return { names: [], origin: 'integers' };
}

function codePointCompare(a: string, b: string): number {
  // Python compares str by code point; JS `<` compares UTF-16 units, which differs only for astral chars.
  const A = [...a].map((c) => c.codePointAt(0)!), B = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(A.length, B.length); i++) if (A[i] !== B[i]) return A[i]! - B[i]!;
  return A.length - B.length;
}

/** Maps raw labels to ids, naming the row of the first label that does not fit. */
export function encodeLabels(src: LabelSource, names: string[], column: string): BigInt64Array {
  const index = new Map(names.map((n, i) => [n, i] as const));
  const out = new BigInt64Array(src.labels.length);
  const list = () => (names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, … (${names.length})`);
  for (let i = 0; i < src.labels.length; i++) {
    const v = src.labels[i];
    let id: number | undefined;
    if (typeof v === 'string') {
      id = index.get(v);
      if (id === undefined) throw new UserError(`${src.locate(i)}: ${column} '${v}' is not in the class list (${list()}); fix the row or dataset.labelNames`, column);
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n >= names.length) {
        throw new UserError(`${src.locate(i)}: ${column} ${String(v)} is out of range: ids go from 0 to ${names.length - 1} (${list()})`, column);
      }
      id = n;
    } else if (typeof v === 'boolean') {
      throw new UserError(`${src.locate(i)}: ${column} is a boolean (${v}); use a class name or id`, column);
    } else {
      throw new UserError(`${src.locate(i)}: ${column} is missing; each row needs a class name or id`, column);
    }
    out[i] = BigInt(id);
  }
  return out;
}
