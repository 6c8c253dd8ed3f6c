// Python's json.dumps (default arguments) in TypeScript, so that hyperparameters are byte-identical to
// what the SageMaker Python SDK sends: floats as Python's repr ("3e-05", "1e+16", "4.0"), separators ", "
// and ": ", and ensure_ascii escaping (every character outside space..~ as \uXXXX, lowercase hex).
//
// JavaScript has one number type, so the Python type is taken from the value: an integer-valued number
// is a Python int (what `4` in a spec or a notebook gives), anything else a float. Use `pyFloat(4)` to
// force "4.0", and a bigint for integers beyond 2^53. The spec reader (src/core/exactJson.ts) produces
// exactly these from the source text, and records dict key order (keysInOrder) where JavaScript would
// reorder integer-like keys.

export class PyFloat {
  constructor(readonly value: number) {}
  /** JSON.stringify (records, logs) writes the number. */
  toJSON(): number {
    return this.value;
  }
}

// Objects whose keys were written in an order JavaScript does not keep (integer-like keys come first in
// a JavaScript object): the order as written, which Python's dict keeps.
const KEY_ORDER = new WeakMap<object, string[]>();

export function setKeyOrder(obj: object, keys: string[]): void {
  KEY_ORDER.set(obj, keys);
}

/** The keys of an object in the order Python would have them (as written in the source). */
export function keysInOrder(obj: object): string[] {
  return KEY_ORDER.get(obj) ?? Object.keys(obj);
}

/** Marks a number as a Python float (encoded "4.0" rather than "4"). */
export function pyFloat(value: number): PyFloat {
  return new PyFloat(value);
}

export type PyValue = null | boolean | number | bigint | string | PyFloat | PyValue[] | { [key: string]: PyValue };

/** repr() of a Python float. */
export function pythonFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const sign = v < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest digits that round-trip, as Python's repr does.
  const [mant, expText] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  // Python (format_float_short, mode 'r'): scientific when the decimal point position is <= -4 or > 16.
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
  const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
  return `${sign}${intPart}.${frac}`;
}

/** A JSON string literal as Python writes it with ensure_ascii=True. */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    // UTF-16 code units: characters beyond the BMP come out as their surrogate pair, as in Python.
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

export interface DumpsOptions {
  /** json.dumps(indent=N): items on their own lines, "," and ": " separators. */
  indent?: number;
  /** json.dumps(sort_keys=True): keys in code point order, as Python sorts str. */
  sortKeys?: boolean;
  /** json.dumps(separators=(",", ":")), as the training toolkit writes SM_* values. */
  compact?: boolean;
}

/** Python's sorted() order for str: by code point (JavaScript's sort compares UTF-16 units). */
export function byCodePoint(a: string, b: string): number {
  const A = [...a],
    B = [...b];
  for (let i = 0; i < Math.min(A.length, B.length); i++) {
    const d = A[i]!.codePointAt(0)! - B[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return A.length - B.length;
}

/** json.dumps(value[, indent, sort_keys]) of the Python value this JavaScript value stands for. */
export function pythonJsonDumps(value: PyValue | undefined, opts: DumpsOptions = {}, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return pythonFloatRepr(value.value);
  if (typeof value === 'number') {
    return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
      ? String(value)
      : pythonFloatRepr(value);
  }
  if (typeof value === 'string') return pythonJsonString(value);
  const items: string[] = Array.isArray(value)
    ? value.map((v) => pythonJsonDumps(v, opts, depth + 1))
    : (opts.sortKeys ? Object.keys(value).sort(byCodePoint) : keysInOrder(value)).map(
        (k) => `${pythonJsonString(k)}:${opts.compact ? '' : ' '}${pythonJsonDumps(value[k], opts, depth + 1)}`,
      );
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return open + close;
  if (opts.indent === undefined) return `${open}${items.join(opts.compact ? ',' : ', ')}${close}`;
  const pad = (n: number) => '\n' + ' '.repeat(opts.indent! * n);
  return `${open}${pad(depth + 1)}${items.join(',' + pad(depth + 1))}${pad(depth)}${close}`;
}
