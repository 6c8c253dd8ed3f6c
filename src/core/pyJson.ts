// JSON text exactly as Python's json.dumps writes it (ensure_ascii, ", " / ": " separators, or indent),
// so files we write are byte-identical to the ones the `datasets` library writes.

function escapeNonAscii(s: string): string {
  return s.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

function compact(v: unknown, sortKeys: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return '[' + v.map((x) => compact(x, sortKeys)).join(', ') + ']';
  if (typeof v === 'object') {
    const keys = Object.keys(v as object);
    if (sortKeys) keys.sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ': ' + compact((v as Record<string, unknown>)[k], sortKeys)).join(', ') + '}';
  }
  return JSON.stringify(v);
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** json.dumps(v, indent=indent, sort_keys=sortKeys) with Python's defaults (ensure_ascii=True). */
export function pyJsonDumps(v: unknown, opts: { indent?: number; sortKeys?: boolean } = {}): string {
  const text = opts.indent === undefined ? compact(v, !!opts.sortKeys) : JSON.stringify(opts.sortKeys ? sortDeep(v) : v, null, opts.indent);
  return escapeNonAscii(text);
}
