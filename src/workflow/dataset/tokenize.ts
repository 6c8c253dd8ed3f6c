// Tokenization with Python's truncation: the one routine the main thread and the tokenizer workers
// (workflow/dataset/tokenizerPool) both run, so ids are the same whichever thread made them.
import { UserError, throwIfAborted } from '../../core/errors';
import type { TextTokenizer } from './tokenizerLoader';

/** Tokenized rows: flat ids with per-row offsets (rows + 1, from 0). */
export interface Tokenized {
  rows: number;
  offsets: Int32Array;
  ids: Int32Array;
  typeIds?: Int8Array;
  /** Lengths before truncation (with special tokens). */
  rawLengths: Int32Array;
}

/** Growable typed buffer for token ids. */
class Grow<T extends Int32Array | Int8Array> {
  length = 0;
  constructor(
    public buf: T,
    private readonly make: (n: number) => T,
  ) {}
  push(values: ArrayLike<number>): void {
    const need = this.length + values.length;
    if (need > this.buf.length) {
      const next = this.make(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(values as ArrayLike<number>, this.length);
    this.length = need;
  }
  result(): T {
    return this.buf.subarray(0, this.length) as T;
  }
}

const TOKENIZE_BATCH = 500;

/** Synchronous core of tokenizeTexts (a worker has nothing else to do meanwhile). */
export function tokenizeSync(tok: TextTokenizer, texts: string[], truncateAt: number, lengthsOnly = false): Tokenized {
  const n = texts.length;
  const offsets = new Int32Array(n + 1);
  const rawLengths = new Int32Array(n);
  const ids = new Grow(new Int32Array(lengthsOnly ? 0 : n * 32), (k) => new Int32Array(k));
  const types =
    tok.usesTokenTypeIds && !lengthsOnly ? new Grow(new Int8Array(n * 32), (k) => new Int8Array(k)) : undefined;
  for (let start = 0; start < n; start += TOKENIZE_BATCH) {
    const batch = texts.slice(start, start + TOKENIZE_BATCH);
    const enc = tok.encodeBatch(batch);
    for (let j = 0; j < batch.length; j++) {
      const i = start + j;
      let rowIds = enc.input_ids[j]!;
      let rowTypes = enc.token_type_ids?.[j];
      rawLengths[i] = rowIds.length;
      if (lengthsOnly) continue;
      if (rowIds.length > truncateAt)
        ({ ids: rowIds, types: rowTypes } = truncateRow(tok, batch[j]!, rowIds, rowTypes, truncateAt));
      ids.push(rowIds);
      if (types) types.push(rowTypes ?? new Array<number>(rowIds.length).fill(0));
      offsets[i + 1] = ids.length;
    }
  }
  return { rows: n, offsets, ids: ids.result(), typeIds: types?.result(), rawLengths };
}

/**
 * Tokenizes with special tokens and truncates rows longer than `truncateAt` exactly as Python's
 * truncation does for one sequence: the text's own tokens are cut, the special tokens kept.
 */
export async function tokenizeTexts(
  tok: TextTokenizer,
  texts: string[],
  truncateAt: number,
  signal?: AbortSignal,
  onFraction?: (f: number) => void,
): Promise<Tokenized> {
  const parts: Tokenized[] = [];
  for (let start = 0; start < texts.length; start += TOKENIZE_BATCH) {
    throwIfAborted(signal);
    parts.push(tokenizeSync(tok, texts.slice(start, start + TOKENIZE_BATCH), truncateAt));
    onFraction?.(Math.min(1, (start + TOKENIZE_BATCH) / texts.length));
    // Yields so a cancel (and progress) gets through on long splits.
    await new Promise((r) => setImmediate(r));
  }
  return concatTokenized(parts, tok.usesTokenTypeIds);
}

export function concatTokenized(parts: Tokenized[], withTypeIds: boolean): Tokenized {
  if (parts.length === 1) return parts[0]!;
  const rows = parts.reduce((a, p) => a + p.rows, 0),
    tokens = parts.reduce((a, p) => a + p.ids.length, 0);
  const out: Tokenized = {
    rows,
    offsets: new Int32Array(rows + 1),
    ids: new Int32Array(tokens),
    typeIds: withTypeIds ? new Int8Array(tokens) : undefined,
    rawLengths: new Int32Array(rows),
  };
  let r = 0,
    t = 0;
  for (const p of parts) {
    out.ids.set(p.ids, t);
    if (out.typeIds && p.typeIds) out.typeIds.set(p.typeIds, t);
    out.rawLengths.set(p.rawLengths, r);
    for (let i = 1; i <= p.rows; i++) out.offsets[r + i] = t + p.offsets[i]!;
    r += p.rows;
    t += p.ids.length;
  }
  return out;
}

function truncateRow(
  tok: TextTokenizer,
  text: string,
  full: number[],
  types: number[] | undefined,
  max: number,
): { ids: number[]; types?: number[] } {
  const content = tok.encodeContent(text);
  const special = full.length - content.length;
  const keep = max - special;
  if (keep < 1)
    throw new UserError(
      `dataset.maxLength: ${max} leaves no room for text after the tokenizer's ${special} special tokens`,
      'dataset.maxLength',
    );
  // Where the text's tokens start inside the full encoding ([CLS] text [SEP] -> 1).
  let at = 0;
  outer: for (; at <= special; at++) {
    for (let k = 0; k < content.length; k++) if (full[at + k] !== content[k]) continue outer;
    break;
  }
  if (at > special)
    throw new Error('tokenizer produced an encoding whose text tokens are not contiguous; cannot truncate it');
  const cut = (a: number[]) => [...a.slice(0, at + keep), ...a.slice(at + content.length)];
  return { ids: cut(full), types: types ? cut(types) : undefined };
}
