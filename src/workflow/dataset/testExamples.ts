// Labelled example texts from the user's prepared test split (a local .jsonl or .csv named in the spec),
// for the predictions page's examples and its evaluation. Hub-only datasets give none: nothing is
// downloaded just to show examples.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { JobSpec } from '../../core/spec/spec';

export interface LabelledExample {
  text: string;
  label?: string;
}

function labelText(v: unknown, names: string[] | undefined): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v === 'number' && names?.[v] !== undefined) return names[v];
  if (typeof v === 'string' && /^\d+$/.test(v) && names?.[Number(v)] !== undefined) return names[Number(v)];
  return String(v);
}

export async function readExamplesFile(
  file: string,
  textColumn: string,
  labelColumn: string,
  labelNames?: string[],
  limit = 5000,
): Promise<LabelledExample[]> {
  const text = await readFile(file, 'utf8');
  const rows: Record<string, unknown>[] = [];
  if (/\.jsonl?$/i.test(file)) {
    for (const line of text.split('\n')) {
      if (rows.length >= limit) break;
      if (!line.trim()) continue;
      try {
        rows.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* a bad line is the dataset step's business; examples just skip it */
      }
    }
  } else if (/\.csv$/i.test(file)) {
    rows.push(...(parse(text, { columns: true, skip_empty_lines: true, to: limit }) as Record<string, unknown>[]));
  }
  return rows
    .filter((r) => typeof r[textColumn] === 'string' && (r[textColumn] as string).trim() !== '')
    .map((r) => {
      const label = labelText(r[labelColumn], labelNames);
      return { text: r[textColumn] as string, ...(label !== undefined ? { label } : {}) };
    });
}

/** The test split of a spec whose dataset comes from local files, else undefined. */
export function testSplitFile(spec: JobSpec): string | undefined {
  const src = spec.dataset.source;
  if (typeof src === 'string') return undefined;
  const split = spec.dataset.splits.test ?? 'test';
  return src[split] ?? src.test ?? src.validation;
}

export async function examplesFromSpec(spec: JobSpec, limit = 5000): Promise<LabelledExample[]> {
  const file = testSplitFile(spec);
  if (!file || !/\.(jsonl?|csv)$/i.test(file)) return [];
  return readExamplesFile(file, spec.dataset.textColumn, spec.dataset.labelColumn, spec.dataset.labelNames, limit);
}
