// One batch of rows as every reader of a split yields it, the two columns a spec names, and the check
// that a row has them: shared by the line-based readers and the parquet reader.
import { UserError } from '../../core/errors';
import type { Locate, RawLabel } from '../../core/dataset/labels';

export type Columns = { text: string; label: string };

export function need(row: Record<string, unknown>, cols: Columns, where: string): { text: string; label: RawLabel } {
  if (!(cols.text in row))
    throw new UserError(
      `${where}: no '${cols.text}' column (dataset.textColumn); the row has: ${Object.keys(row).join(', ') || 'no columns'}`,
      'dataset.textColumn',
    );
  if (!(cols.label in row))
    throw new UserError(
      `${where}: no '${cols.label}' column (dataset.labelColumn); the row has: ${Object.keys(row).join(', ') || 'no columns'}`,
      'dataset.labelColumn',
    );
  const text = row[cols.text];
  if (typeof text !== 'string')
    throw new UserError(
      `${where}: '${cols.text}' is ${text === null ? 'null' : typeof text}, expected text`,
      'dataset.textColumn',
    );
  return { text, label: row[cols.label] as RawLabel };
}

/** One batch of rows of a split, in file order. */
export interface RowBatch {
  texts: string[];
  labels: RawLabel[];
  /** Where row i of this batch came from. */
  locate: Locate;
}
