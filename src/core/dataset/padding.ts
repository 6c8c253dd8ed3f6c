// How long the stored rows are. `max_length` pads every row to maxLength (static shapes, what Training
// Compiler needs); `auto` pads to the smallest multiple of 8 that truncates nothing, capped at maxLength
// and the model's limit (emotion: 88 instead of 512); `dynamic` stores no padding (the training script
// pads per batch). Every mode truncates at min(maxLength, model limit), as Python's
// `tokenizer(..., truncation=True, max_length=N)` does (N is capped at model_max_length there too).
import type { Padding } from '../spec/spec';

export interface PaddingChoice {
  mode: Padding;
  /** Rows longer than this many tokens are truncated. */
  truncateAt: number;
  /** Stored row length, or null for dynamic (no padding). */
  padTo: number | null;
}

export function roundUpTo8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

export function choosePadding(
  mode: Padding,
  specMaxLength: number,
  modelMaxLength: number,
  longestRow: number,
): PaddingChoice {
  const cap = Math.min(
    specMaxLength,
    Number.isFinite(modelMaxLength) && modelMaxLength > 0 ? modelMaxLength : specMaxLength,
  );
  if (mode === 'max_length') return { mode, truncateAt: cap, padTo: cap };
  if (mode === 'dynamic') return { mode, truncateAt: cap, padTo: null };
  const padTo = Math.min(cap, Math.max(8, roundUpTo8(longestRow)));
  return { mode, truncateAt: padTo, padTo };
}

/**
 * Where a spec file's dataset.padding value sits, for an edit that keeps the rest of the file as it is:
 * the value's [start, end) offsets, or (no padding key) the offset just after the dataset object's "{".
 * Undefined when the text has no top-level "dataset" object.
 */
export function datasetPaddingSpan(text: string): { value: [number, number] } | { insertAt: number } | undefined {
  let depth = 0;
  let datasetOpen: number | undefined;
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const raw = text.slice(start, i + 1);
      let j = i + 1;
      while (/\s/.test(text[j] ?? '')) j++;
      if (text[j] === ':') {
        pendingKey =
          depth === 1 || (datasetOpen !== undefined && depth === 2) ? (JSON.parse(raw) as string) : undefined;
        // The value of dataset.padding: a string here, or whatever token comes next.
        if (pendingKey === 'padding' && datasetOpen !== undefined && depth === 2) {
          let v = j + 1;
          while (/\s/.test(text[v] ?? '')) v++;
          let end = v;
          if (text[v] === '"') {
            for (end = v + 1; end < text.length && text[end] !== '"'; end++) if (text[end] === '\\') end++;
            end++;
          } else while (end < text.length && !/[,}\s]/.test(text[end]!)) end++;
          return { value: [v, end] };
        }
      }
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (c === '{' && depth === 2 && pendingKey === 'dataset') datasetOpen = i + 1;
      pendingKey = undefined;
    } else if (c === '}' || c === ']') {
      if (datasetOpen !== undefined && depth === 2) return { insertAt: datasetOpen };
      depth--;
    }
  }
  return undefined;
}

/** What one stored-padding choice does to the rows, in the words the padding question uses. */
function paddingEffect(o: { mode: Padding; length: number | null }): string {
  if (o.mode === 'dynamic')
    return 'rows stored unpadded; the training script pads each batch to its longest row (shapes vary per batch)';
  const to = `every row padded to ${o.length} tokens`;
  return o.mode === 'auto'
    ? `${to}, the longest row rounded up to a multiple of 8 (fixed shapes, as max_length, in less space)`
    : `${to} (fixed shapes, what Training Compiler needs)`;
}

/**
 * The question asked after a local prepare when `auto` would store much less than the spec's padding:
 * the saving first, then one sentence per button saying what that button does.
 */
export function paddingQuestion(
  chosen: { mode: Padding; length: number | null; bytes: number },
  auto: { length: number | null; bytes: number; truncatedRows: number },
  formatBytes: (n: number) => string,
): { message: string; keep: string; useAuto: string } {
  const keep = `Keep ${chosen.mode}${chosen.length ? ` (${chosen.length})` : ''}`;
  const useAuto = `Use auto (${auto.length})`;
  const truncated = auto.truncatedRows ? `truncating ${auto.truncatedRows} rows` : 'truncating no row';
  const message =
    `Padding "auto" would store rows at ${auto.length} tokens: ${formatBytes(auto.bytes)} instead of ` +
    `${formatBytes(chosen.bytes)}, ${truncated}. ` +
    `${keep}: ${paddingEffect(chosen)}. ` +
    `${useAuto}: ${paddingEffect({ mode: 'auto', length: auto.length })}.`;
  return { message, keep, useAuto };
}
