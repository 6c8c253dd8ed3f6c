// How long the stored rows are. `max_length` pads every row to maxLength (static shapes, what Training
// Compiler needs); `auto` pads to the smallest multiple of 8 that truncates nothing, capped at maxLength
// and the model's limit (emotion: 88 instead of 512); `dynamic` stores no padding (the training script
// pads per batch). Every mode truncates at min(maxLength, model limit), as Python's
// `tokenizer(..., truncation=True, max_length=N)` does (N is capped at model_max_length there too).
import type { Padding } from './spec';

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

export function choosePadding(mode: Padding, specMaxLength: number, modelMaxLength: number, longestRow: number): PaddingChoice {
  const cap = Math.min(specMaxLength, Number.isFinite(modelMaxLength) && modelMaxLength > 0 ? modelMaxLength : specMaxLength);
  if (mode === 'max_length') return { mode, truncateAt: cap, padTo: cap };
  if (mode === 'dynamic') return { mode, truncateAt: cap, padTo: null };
  const padTo = Math.min(cap, Math.max(8, roundUpTo8(longestRow)));
  return { mode, truncateAt: padTo, padTo };
}
