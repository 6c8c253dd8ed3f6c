// Numeric command-line options, checked in one place: "--poll-seconds abc" must be an error naming the
// option, never NaN (which made the poll loop spin without pause).
import { UserError } from '../core/errors';

export interface NumberRule {
  /** Whole numbers only (counts). */
  integer?: boolean;
  min?: number;
  max?: number;
}

/** The option's value as a number, or `fallback` when absent; a UserError naming --name otherwise. */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number, rule?: NumberRule): number;
export function numberOption(values: Record<string, unknown>, name: string, fallback: undefined, rule?: NumberRule): number | undefined;
export function numberOption(values: Record<string, unknown>, name: string, fallback: number | undefined, rule: NumberRule = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const kind = rule.integer ? 'a whole number' : 'a number';
  const range = rule.min !== undefined && rule.max !== undefined ? ` from ${rule.min} to ${rule.max}` : rule.min !== undefined ? ` of at least ${rule.min}` : rule.max !== undefined ? ` of at most ${rule.max}` : '';
  const fail = () => new UserError(`--${name}: '${text}' is not ${kind}${range}`, name);
  // Number('') is 0 and Number('0x10') is 16: only plain decimals are accepted.
  if (!(rule.integer ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/).test(text)) throw fail();
  const n = Number(text);
  if (!Number.isFinite(n) || (rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) throw fail();
  return n;
}
