// Class names and label ids. Where the names come from, in order of precedence:
//   1. dataset.labelNames in the spec (id = position in that list);
//   2. the dataset's own ClassLabel names (Hub/parquet `huggingface` metadata), e.g. emotion's
//      sadness, joy, love, anger, fear, surprise;
//   3. string labels: the distinct strings sorted by code point (what Python's sorted() gives, and
//      what `datasets`' class_encode_column does), so the order never depends on which rows came first;
//   4. integer labels: "0".."max" (what ClassLabel(num_classes=max+1) names them).
// Integer labels must lie in [0, names.length); string labels must be one of the names.
import { UserError } from '../errors';

export type RawLabel = string | number | bigint | boolean | null | undefined;

/** Where a value came from, for error messages ("train.jsonl:12", "train.parquet row 7"). */
export type Locate = (row: number) => string;

export interface LabelSource {
  labels: RawLabel[];
  locate: Locate;
}

export type LabelNamesOrigin = 'spec' | 'dataset' | 'sorted-strings' | 'integers';

/** How the report names where the class list came from. */
export const LABEL_ORIGIN_WORDS: Record<LabelNamesOrigin, string> = {
  spec: 'dataset.labelNames in the spec',
  dataset: 'the dataset metadata',
  'sorted-strings': 'distinct label strings, sorted',
  integers: 'integer ids',
};

export function resolveLabelNames(opts: {
  spec?: string[];
  dataset?: string[];
  sources: LabelSource[];
  column: string;
}): { names: string[]; origin: LabelNamesOrigin } {
  if (opts.spec?.length) return { names: [...opts.spec], origin: 'spec' };
  if (opts.dataset?.length) return { names: [...opts.dataset], origin: 'dataset' };
  const c = new LabelCollector(opts.column);
  for (const src of opts.sources) c.add(src);
  return c.resolve();
}

/** The class names rules 3 and 4 above, fed batch by batch (a streaming read never holds all labels). */
export class LabelCollector {
  private readonly strings = new Set<string>();
  private maxInt = -1;
  constructor(private readonly column: string) {}

  add(src: LabelSource): void {
    for (let i = 0; i < src.labels.length; i++) {
      const v = src.labels[i];
      if (typeof v === 'string') this.strings.add(v);
      else if (typeof v === 'number' || typeof v === 'bigint') {
        const n = Number(v);
        if (!Number.isInteger(n))
          throw new UserError(
            `${src.locate(i)}: ${this.column} ${String(v)} is not a whole number; class ids are whole numbers from 0 (or use class names)`,
            this.column,
          );
        if (n < 0)
          throw new UserError(
            `${src.locate(i)}: ${this.column} ${String(v)} is not a class id (a whole number >= 0) nor a class name`,
            this.column,
          );
        if (n > this.maxInt) this.maxInt = n;
      } else {
        throw new UserError(
          v === null || v === undefined
            ? `${src.locate(i)}: ${this.column} is missing; each row needs a class name or id`
            : `${src.locate(i)}: ${this.column} is ${describeValue(v)}, not a class name or id; point dataset.labelColumn at a column of names or ids`,
          this.column,
        );
      }
    }
    if (this.strings.size > 0 && this.maxInt >= 0) {
      throw new UserError(
        `dataset.labelColumn: column '${this.column}' mixes class names and numeric ids; use one kind, or list dataset.labelNames in the spec`,
        'dataset.labelColumn',
      );
    }
  }

  resolve(): { names: string[]; origin: LabelNamesOrigin } {
    if (this.strings.size > 0) return { names: [...this.strings].sort(codePointCompare), origin: 'sorted-strings' };
    if (this.maxInt >= 0)
      return { names: Array.from({ length: this.maxInt + 1 }, (_, i) => String(i)), origin: 'integers' };
    return { names: [], origin: 'integers' };
  }
}

function codePointCompare(a: string, b: string): number {
  // Python compares str by code point; JS `<` compares UTF-16 units, which differs only for astral chars.
  const A = [...a].map((c) => c.codePointAt(0)!),
    B = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(A.length, B.length); i++) if (A[i] !== B[i]) return A[i]! - B[i]!;
  return A.length - B.length;
}

export function labelIndex(names: string[]): Map<string, number> {
  return new Map(names.map((n, i) => [n, i] as const));
}

/** A label value that is neither name nor id, as a message says it: its kind (struct, list) and a preview. */
function describeValue(v: unknown): string {
  const kind = Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a struct' : `a ${typeof v}`;
  try {
    const shown = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    return shown ? `${kind} (${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown})` : kind;
  } catch {
    return kind;
  }
}

/** Maps raw labels to ids, naming the row of the first label that does not fit. */
export function encodeLabels(
  src: LabelSource,
  names: string[],
  column: string,
  index: Map<string, number> = labelIndex(names),
): BigInt64Array {
  const out = new BigInt64Array(src.labels.length);
  const list = () => (names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, … (${names.length})`);
  for (let i = 0; i < src.labels.length; i++) {
    const v = src.labels[i];
    let id: number | undefined;
    if (typeof v === 'string') {
      id = index.get(v);
      if (id === undefined)
        throw new UserError(
          `${src.locate(i)}: ${column} '${v}' is not in the class list (${list()}); fix the row or dataset.labelNames`,
          column,
        );
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      const n = Number(v);
      if (!Number.isInteger(n)) {
        throw new UserError(
          `${src.locate(i)}: ${column} ${String(v)} is not a whole number: class ids are whole numbers from 0 to ${names.length - 1} (${list()})`,
          column,
        );
      }
      if (n < 0 || n >= names.length) {
        throw new UserError(
          `${src.locate(i)}: ${column} ${String(v)} is out of range: ids go from 0 to ${names.length - 1} (${list()})`,
          column,
        );
      }
      id = n;
    } else if (typeof v === 'boolean') {
      throw new UserError(`${src.locate(i)}: ${column} is a boolean (${v}); use a class name or id`, column);
    } else if (v === null || v === undefined) {
      throw new UserError(`${src.locate(i)}: ${column} is missing; each row needs a class name or id`, column);
    } else {
      throw new UserError(
        `${src.locate(i)}: ${column} is ${describeValue(v)}, not a class name or id; point dataset.labelColumn at a column of names or ids`,
        column,
      );
    }
    out[i] = BigInt(id);
  }
  return out;
}
