// Parquet files (local, or the Hub's parquet conversion): rows one row group at a time, the ClassLabel
// names the file's `huggingface` metadata declares, and the row count, read with hyparquet.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, throwIfAborted } from '../../core/errors';
import type { RawLabel } from '../../core/dataset/labels';
import { need, type Columns, type RowBatch } from './rowBatch';

/** ClassLabel names of `column` from a parquet file's `huggingface` key-value metadata. */
export function classNamesFromHfMetadata(json: string | undefined, column: string): string[] | undefined {
  if (!json) return undefined;
  try {
    const meta = JSON.parse(json) as { info?: { features?: Record<string, { _type?: string; names?: string[] }> } };
    const f = meta.info?.features?.[column];
    return f?._type === 'ClassLabel' && Array.isArray(f.names) ? f.names : undefined;
  } catch {
    return undefined;
  }
}

export async function* parquetBatches(
  file: string,
  cols: Columns,
  limit: number,
  batchRows: number,
  shown: string,
  signal?: AbortSignal,
): AsyncGenerator<RowBatch & { classNames?: string[] }> {
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const buf = await fs.promises.readFile(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let metadata;
  try {
    metadata = parquetMetadata(ab);
  } catch (err) {
    throw new UserError(`${shown}: not a parquet file: ${(err as Error).message}`);
  }
  const names = metadata.schema.slice(1).map((s) => s.name);
  for (const [c, field] of [
    [cols.text, 'dataset.textColumn'],
    [cols.label, 'dataset.labelColumn'],
  ] as const) {
    if (!names.includes(c))
      throw new UserError(`${shown}: no '${c}' column (${field}); the file has: ${names.join(', ')}`, field);
  }
  const total = Math.min(Number(metadata.num_rows), limit);
  const hf = metadata.key_value_metadata?.find((kv) => kv.key === 'huggingface')?.value;
  const classNames = classNamesFromHfMetadata(hf, cols.label);
  // One row group at a time: memory holds the (compressed) file and one decoded group.
  let groupStart = 0;
  for (const g of metadata.row_groups) {
    if (groupStart >= total) break;
    const groupEnd = Math.min(total, groupStart + Number(g.num_rows));
    throwIfAborted(signal);
    const rows = (await parquetReadObjects({
      file: ab,
      metadata,
      columns: [cols.text, cols.label],
      rowStart: groupStart,
      rowEnd: groupEnd,
    })) as Record<string, unknown>[];
    for (let a = 0; a < rows.length; a += batchRows) {
      const b = Math.min(rows.length, a + batchRows);
      const texts: string[] = new Array(b - a),
        labels: RawLabel[] = new Array(b - a);
      const base = groupStart + a;
      for (let i = a; i < b; i++) {
        const r = need(rows[i]!, cols, `${shown} row ${groupStart + i}`);
        texts[i - a] = r.text;
        labels[i - a] = r.label;
      }
      yield { texts, labels, locate: (i) => `${shown} row ${base + i}`, classNames };
    }
    groupStart = groupEnd;
  }
}

/** Reads the ClassLabel names a local parquet file declares (undefined for other formats). */
export async function localClassNames(file: string, cols: Columns): Promise<string[] | undefined> {
  if (path.extname(file).toLowerCase() !== '.parquet') return undefined;
  const { parquetMetadata } = await import('hyparquet');
  const buf = await fs.promises.readFile(file);
  try {
    const md = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
    return classNamesFromHfMetadata(md.key_value_metadata?.find((kv) => kv.key === 'huggingface')?.value, cols.label);
  } catch {
    return undefined;
  }
}

export async function parquetRowCount(file: string): Promise<number> {
  const { parquetMetadata } = await import('hyparquet');
  const buf = await fs.promises.readFile(file);
  return Number(
    parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer).num_rows,
  );
}
