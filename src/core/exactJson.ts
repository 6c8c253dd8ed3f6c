// JSON read the way Python's json.load reads it, for the values that end up in a Python process (the
// spec's hyperparameters, the toolkit's decoding of HyperParameters): numbers keep the meaning of their
// source text (`100.0` is a float, `9007199254740993` an exact int, `1e400` inf), object keys keep the order
// they were written in (a JavaScript object would put "0" before "1"), and NaN / Infinity / -Infinity are
// accepted as Python accepts them.
//
// lossless-json does the parsing (syntax, strings, duplicate keys, numbers as their source text). Before
// it runs, one iterative pass over the text (no recursion, so a 5,000-level nesting cannot overflow the
// stack) measures the nesting, records every object's keys in source order and where each property sits
// (for editor diagnostics), and turns NaN / Infinity into placeholders lossless-json accepts.
import { isLosslessNumber, parse, type LosslessNumber } from 'lossless-json';
import { PyFloat, setKeyOrder } from './pythonJson';
import { UserError } from './errors';

/** Deeper than this is refused: Python's json (the SDK's encoder, the toolkit's decoder) stops near 1000. */
export const MAX_NESTING = 512;

export type JsonPath = (string | number)[];

/** Where a property is in the text (offsets into the text as given, BOM included). */
export interface PropertyLocation {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export interface ParsedJson {
  value: unknown;
  /** "training.instanceCount" -> its location. */
  properties: Map<string, PropertyLocation>;
}

export interface ParseOptions {
  /** Paths whose numbers become exact Python values (int/bigint, PyFloat); elsewhere plain numbers. */
  exactAt?: (path: JsonPath) => boolean;
  /** Name used in error messages ("my.sagemaker-hf.json"). */
  source?: string;
}

/** "training.hyperparameters.labels[0]" */
export function pathText(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(root)';
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const WORD = /-?[A-Za-z0-9.+-]+/y;
const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

interface Scan {
  text: string;
  keyOrders: string[][];
  /** One entry per number token in document order: the NaN/Infinity it stands for, or undefined. */
  specials: (number | undefined)[];
  properties: Map<string, PropertyLocation>;
}

interface Frame {
  type: 'obj' | 'arr';
  path: JsonPath;
  keys: string[];
  index: number;
  expectKey: boolean;
  prop?: PropertyLocation;
  propPath?: JsonPath;
}

/** The structure pass. Undefined when the text is not valid JSON (lossless-json then says where). */
function scan(text: string, source: string): Scan | undefined {
  const keyOrders: string[][] = [];
  const specials: (number | undefined)[] = [];
  const properties = new Map<string, PropertyLocation>();
  const stack: Frame[] = [];
  let out = '';
  let copied = 0;
  let i = 0;
  const childPath = (): JsonPath => {
    const top = stack.at(-1);
    if (!top) return [];
    return top.type === 'obj' ? (top.propPath ?? top.path) : [...top.path, top.index];
  };
  const valueStart = (at: number) => {
    const top = stack.at(-1);
    if (top?.type === 'obj' && top.prop) top.prop.valueStart = at;
  };
  const valueEnd = (at: number) => {
    const top = stack.at(-1);
    if (top?.type === 'obj' && top.prop) {
      top.prop.valueEnd = at;
      top.prop = undefined;
    }
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\n' || c === '\r' || c === '\t') {
      i++;
      continue;
    }
    if (c === '{' || c === '[') {
      valueStart(i);
      const path = childPath();
      if (stack.length >= MAX_NESTING) {
        const named = path.filter((p) => typeof p === 'string') as string[];
        const field = named.length ? named.join('.') : '(root)';
        const { line } = lineColumn(text, i);
        throw new UserError(
          `${source}: ${field} is nested more than ${MAX_NESTING} levels deep (line ${line}); Python's json in the SageMaker Python SDK and the training container stops at about 1000 levels: flatten the value`,
          field,
        );
      }
      const frame: Frame = { type: c === '{' ? 'obj' : 'arr', path, keys: [], index: 0, expectKey: c === '{' };
      if (frame.type === 'obj') keyOrders.push(frame.keys);
      stack.push(frame);
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      if (!stack.pop()) return undefined;
      i++;
      valueEnd(i);
      continue;
    }
    if (c === ',') {
      const top = stack.at(-1);
      if (!top) return undefined;
      if (top.type === 'arr') top.index++;
      else top.expectKey = true;
      i++;
      continue;
    }
    if (c === ':') {
      i++;
      continue;
    }
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) return undefined;
      i++;
      const top = stack.at(-1);
      if (top?.type === 'obj' && top.expectKey) {
        let key: string;
        try {
          key = JSON.parse(text.slice(start, i)) as string;
        } catch {
          return undefined;
        }
        top.keys.push(key);
        top.expectKey = false;
        top.propPath = [...top.path, key];
        top.prop = { keyStart: start, keyEnd: i, valueStart: i, valueEnd: i };
        properties.set(pathText(top.propPath), top.prop);
      } else {
        valueStart(start);
        valueEnd(i);
      }
      continue;
    }
    // A number or a bare word (true, false, null, NaN, Infinity, -Infinity).
    WORD.lastIndex = i;
    const m = WORD.exec(text);
    if (!m) return undefined;
    const word = m[0];
    valueStart(i);
    if (word in SPECIAL) {
      // Same length, so lossless-json's error positions still point into the original text.
      out += text.slice(copied, i) + '0'.padEnd(word.length, ' ');
      copied = i + word.length;
      specials.push(SPECIAL[word]);
    } else if (/^-?\d/.test(word)) {
      specials.push(undefined);
    }
    i += word.length;
    valueEnd(i);
  }
  if (stack.length) return undefined;
  return { text: out + text.slice(copied), keyOrders, specials, properties };
}

/** The Python value json.loads makes of a number's source text. */
export function exactNumber(source: string): number | bigint | PyFloat {
  if (/^-?(0|[1-9]\d*)$/.test(source)) {
    const n = BigInt(source);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  // float(text): JavaScript's Number() rounds decimal text exactly as Python's float() does (and 1e400 is inf).
  const f = Number(source);
  return Number.isInteger(f) || !Number.isFinite(f) ? new PyFloat(f) : f;
}

function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Parses JSON text as Python's json.load would (see the header). Throws a UserError with line and column. */
export function parseExactJson(text: string, opts: ParseOptions = {}): ParsedJson {
  const source = opts.source ?? 'JSON';
  const s = scan(text, source);
  let raw: unknown;
  try {
    raw = parse(s?.text ?? text, null, {
      onDuplicateKey: ({ key, position }) => {
        throw new SyntaxError(`duplicate key '${key}' at position ${position}`);
      },
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const m = /position (\d+)/.exec(msg);
    const where = m ? (({ line, column }) => ` at line ${line}, column ${column}`)(lineColumn(text, Number(m[1]))) : '';
    throw new UserError(`${source}: not valid JSON${where}: ${msg}`);
  }
  let objIndex = 0;
  let numIndex = 0;
  const exactAt = opts.exactAt ?? (() => true);
  // Walks in document order (keys in source order), so the scan's lists line up with what it meets.
  const convert = (v: unknown, path: JsonPath): unknown => {
    if (isLosslessNumber(v)) {
      const special = s?.specials[numIndex++];
      if (special !== undefined) return exactAt(path) ? new PyFloat(special) : special;
      const text = (v as LosslessNumber).value;
      return exactAt(path) ? exactNumber(text) : Number(text);
    }
    if (Array.isArray(v)) return v.map((x, i) => convert(x, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = s?.keyOrders[objIndex++] ?? Object.keys(o);
      const out: Record<string, unknown> = {};
      for (const k of keys) setKey(out, k, convert(o[k], [...path, k]));
      if (Object.keys(out).some((k, i) => k !== keys[i])) setKeyOrder(out, keys);
      return out;
    }
    return v;
  };
  return { value: convert(raw, []), properties: s?.properties ?? new Map() };
}
