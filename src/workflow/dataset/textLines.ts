// Line-based local files (JSONL, CSV) read the way Python's `datasets` reads them: bytes that are not
// UTF-8 are refused with file, line and column (never turned into U+FFFD), files stream as complete lines
// through a fixed buffer, JSONL's rows are its non-blank lines, numbered for error messages, and a file
// is cut for several Processing instances only between lines.
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { UserError, throwIfAborted } from '../../core/errors';

/** The 1-based line and column of the first byte that is not UTF-8, or undefined when all are. */
export function firstNonUtf8(buf: Uint8Array): { line: number; column: number; byte: number } | undefined {
  if (isUtf8(buf)) return undefined;
  let line = 1,
    lineStart = 0,
    i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b < 0x80) {
      if (b === 0x0a) {
        line++;
        lineStart = i + 1;
      }
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let ok = n > 0 && i + n < buf.length + 0;
    for (let k = 1; ok && k <= n; k++) ok = i + k < buf.length && (buf[i + k]! & 0xc0) === 0x80;
    if (ok && n === 2) {
      const cp = ((b & 0x0f) << 12) | ((buf[i + 1]! & 0x3f) << 6) | (buf[i + 2]! & 0x3f);
      ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
    } else if (ok && n === 3) {
      const cp = ((b & 0x07) << 18) | ((buf[i + 1]! & 0x3f) << 12) | ((buf[i + 2]! & 0x3f) << 6) | (buf[i + 3]! & 0x3f);
      ok = cp >= 0x10000 && cp <= 0x10ffff;
    }
    if (!ok) return { line, column: i - lineStart + 1, byte: b };
    i += n + 1;
  }
  return undefined;
}

function utf8Error(name: string, at: { line: number; column: number; byte: number }, lineBase = 0): UserError {
  return new UserError(
    `${name}:${lineBase + at.line}: not valid UTF-8 (byte 0x${at.byte.toString(16).padStart(2, '0')} at column ${at.column}); save the file as UTF-8 (Python's datasets refuses it too)`,
  );
}

/** Decodes UTF-8, refusing invalid bytes with file and line instead of turning them into U+FFFD. */
export function strictUtf8(buf: Buffer, name: string, lineBase = 0): string {
  const bad = firstNonUtf8(buf);
  if (bad) throw utf8Error(name, bad, lineBase);
  return buf.toString('utf8');
}

export const READ_BYTES = 4 * 1024 * 1024;

/** Complete lines of a file, as (buffer region, first line number), in chunks of about READ_BYTES. */
export async function* lineChunks(
  file: string,
  signal?: AbortSignal,
): AsyncGenerator<{ buf: Buffer; firstLine: number }> {
  const fh = await fs.promises.open(file, 'r');
  try {
    let carry = Buffer.alloc(0);
    let line = 1;
    for (;;) {
      throwIfAborted(signal);
      const chunk = Buffer.allocUnsafe(READ_BYTES);
      const { bytesRead } = await fh.read(chunk, 0, READ_BYTES, null);
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      if (bytesRead === 0) {
        if (data.length) yield { buf: data, firstLine: line };
        return;
      }
      const end = data.lastIndexOf(0x0a);
      if (end < 0) {
        carry = Buffer.from(data);
        continue;
      }
      const whole = data.subarray(0, end + 1);
      carry = Buffer.from(data.subarray(end + 1));
      yield { buf: whole, firstLine: line };
      let n = 0;
      for (let i = whole.indexOf(0x0a); i >= 0; i = whole.indexOf(0x0a, i + 1)) n++;
      line += n;
    }
  } finally {
    await fh.close();
  }
}

/** The non-blank lines of JSONL text, trimmed, with their 1-based numbers (counted from lineBase + 1). */
export function* jsonlLines(content: string, lineBase: number): Generator<{ text: string; line: number }> {
  let line = lineBase;
  let start = 0;
  while (start < content.length) {
    let end = content.indexOf('\n', start);
    if (end < 0) end = content.length;
    line++;
    const text = content.slice(start, end).trim();
    start = end + 1;
    if (text) yield { text, line };
  }
}

/** Byte ranges of a text file cut into `parts` pieces at line boundaries (never inside a line). */
export async function lineRanges(file: string, parts: number): Promise<{ start: number; end: number }[]> {
  const size = (await fs.promises.stat(file)).size;
  if (parts <= 1 || size === 0) return [{ start: 0, end: size }];
  const fh = await fs.promises.open(file, 'r');
  try {
    const cuts = [0];
    const buf = Buffer.alloc(64 * 1024);
    for (let k = 1; k < parts; k++) {
      let at = Math.max(cuts.at(-1)!, Math.floor((size * k) / parts));
      // Advance to just after the next newline.
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, at);
        if (bytesRead === 0) {
          at = size;
          break;
        }
        const nl = buf.subarray(0, bytesRead).indexOf(10);
        if (nl >= 0) {
          at += nl + 1;
          break;
        }
        at += bytesRead;
      }
      cuts.push(at);
    }
    cuts.push(size);
    const ranges: { start: number; end: number }[] = [];
    for (let i = 0; i + 1 < cuts.length; i++)
      if (cuts[i + 1]! > cuts[i]!) ranges.push({ start: cuts[i]!, end: cuts[i + 1]! });
    return ranges;
  } finally {
    await fh.close();
  }
}
