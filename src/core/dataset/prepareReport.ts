// The preparation report: rows, label counts, token lengths (percentiles, histogram), truncation, the
// chosen length and its share of padding, bytes written, and what each padding mode would store, so the
// user sees what `auto` saves before choosing. Rendered as markdown next to the data.
import type { DatasetSpec, Padding } from '../spec/spec';
import { choosePadding } from './padding';

export interface LengthStats {
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface SplitReport {
  channel: string;
  split: string;
  rows: number;
  labelCounts: Record<string, number>;
  /** Token lengths before truncation (with special tokens). */
  lengths: LengthStats;
  histogram: { from: number; to: number; count: number }[];
  truncatedRows: number;
  /** Tokens kept (after truncation). */
  realTokens: number;
  /** Token slots stored (with padding). */
  storedTokens: number;
  paddingShare: number;
  bytes: number;
}

export interface PaddingOption {
  mode: Padding;
  length: number | null;
  truncatedRows: number;
  storedTokens: number;
  paddingShare: number;
  /** Estimated bytes of the arrow files. */
  bytes: number;
}

export interface PrepareReport {
  createdAt: string;
  tool: string;
  source: string;
  tokenizer: string;
  padding: Padding;
  /** Stored row length (null for dynamic). */
  maxLength: number | null;
  truncateAt: number;
  labelNames: string[];
  labelNamesFrom: string;
  splits: SplitReport[];
  options: PaddingOption[];
  bytesWritten: number;
  seconds: number;
  /** Classes with no row in any split (warned about in the summary and the markdown). */
  emptyClasses?: string[];
}

/** The report's "Source" line: the Hub dataset's page and config, or each split's local file. */
export function reportSource(ds: Pick<DatasetSpec, 'source' | 'config'>, hubEndpoint: string): string {
  return typeof ds.source === 'string'
    ? `${hubEndpoint}/datasets/${ds.source} (config ${ds.config ?? 'default'})`
    : Object.entries(ds.source)
        .map(([s, f]) => `${s}: ${f}`)
        .join(', ');
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/**
 * How many rows have each token length: exact percentiles, histogram and truncation counts in memory
 * that grows with the longest row, not with the row count (a streaming prepare never holds all lengths).
 */
export class LengthCounts {
  counts = new Float64Array(256);
  rows = 0;
  sum = 0;
  max = 0;
  add(len: number, times = 1): void {
    if (len >= this.counts.length) {
      const next = new Float64Array(Math.max(len + 1, this.counts.length * 2));
      next.set(this.counts);
      this.counts = next;
    }
    this.counts[len]! += times;
    this.rows += times;
    this.sum += len * times;
    if (len > this.max) this.max = len;
  }
  addAll(lengths: ArrayLike<number>): this {
    for (let i = 0; i < lengths.length; i++) this.add(lengths[i]!);
    return this;
  }
  merge(other: LengthCounts): this {
    for (let v = 0; v <= other.max; v++) if (other.counts[v]) this.add(v, other.counts[v]);
    return this;
  }
  static of(lengths: ArrayLike<number> | LengthCounts): LengthCounts {
    return lengths instanceof LengthCounts ? lengths : new LengthCounts().addAll(lengths);
  }
  /** Nearest-rank percentile, as percentile() on the sorted lengths gives it. */
  percentile(p: number): number {
    if (this.rows === 0) return 0;
    const rank = Math.min(this.rows, Math.max(1, Math.ceil((p / 100) * this.rows)));
    let seen = 0;
    for (let v = 0; v <= this.max; v++) {
      seen += this.counts[v]!;
      if (seen >= rank) return v;
    }
    return this.max;
  }
  /** Rows longer than `n`, and the tokens kept when rows are cut at `n`. */
  truncation(n: number): { truncated: number; real: number } {
    let truncated = 0,
      real = 0;
    for (let v = 0; v <= this.max; v++) {
      const c = this.counts[v]!;
      if (!c) continue;
      if (v > n) truncated += c;
      real += Math.min(v, n) * c;
    }
    return { truncated, real };
  }
}

export function lengthStats(lengths: Int32Array | LengthCounts): LengthStats {
  const c = LengthCounts.of(lengths);
  let min = 0;
  while (min < c.max && !c.counts[min]) min++;
  return {
    min: c.rows ? min : 0,
    p50: c.percentile(50),
    p90: c.percentile(90),
    p99: c.percentile(99),
    max: c.max,
    mean: c.rows ? Math.round((c.sum / c.rows) * 100) / 100 : 0,
  };
}

/** Equal-width bins (a multiple of 8 wide) from 0 to the longest row. */
export function histogram(
  lengths: Int32Array | LengthCounts,
  bins = 16,
): { from: number; to: number; count: number }[] {
  const c = LengthCounts.of(lengths);
  const max = c.max;
  const width = Math.max(8, Math.ceil(max / bins / 8) * 8);
  const n = Math.max(1, Math.ceil((max + 1) / width));
  const counts = new Array<number>(n).fill(0);
  for (let v = 0; v <= max; v++) if (c.counts[v]) counts[Math.floor(v / width)]! += c.counts[v]!;
  return counts.map((count, i) => ({ from: i * width, to: (i + 1) * width - 1, count }));
}

export function splitReport(a: {
  channel: string;
  split: string;
  lengths: Int32Array | LengthCounts;
  labels?: BigInt64Array;
  labelCounts?: ArrayLike<number>;
  labelNames: string[];
  truncateAt: number;
  padTo: number | null;
  bytes: number;
}): SplitReport {
  const counts: Record<string, number> = Object.fromEntries(a.labelNames.map((n) => [n, 0]));
  if (a.labels) for (const l of a.labels) counts[a.labelNames[Number(l)]!]!++;
  if (a.labelCounts) a.labelNames.forEach((n, i) => (counts[n]! += a.labelCounts![i] ?? 0));
  const c = LengthCounts.of(a.lengths);
  const { truncated, real } = c.truncation(a.truncateAt);
  const stored = a.padTo === null ? real : c.rows * a.padTo;
  return {
    channel: a.channel,
    split: a.split,
    rows: c.rows,
    labelCounts: counts,
    lengths: lengthStats(c),
    histogram: histogram(c),
    truncatedRows: truncated,
    realTokens: real,
    storedTokens: stored,
    paddingShare: stored ? 1 - real / stored : 0,
    bytes: a.bytes,
  };
}

/** What each padding mode would store for these lengths (all splits together). */
export function paddingOptions(
  all: (Int32Array | LengthCounts)[],
  specMaxLength: number,
  modelMaxLength: number,
  withTypeIds: boolean,
): PaddingOption[] {
  const c = new LengthCounts();
  for (const l of all) c.merge(LengthCounts.of(l));
  const rows = c.rows,
    longest = c.max;
  const perToken = 4 + 1 + (withTypeIds ? 1 : 0);
  return (['max_length', 'auto', 'dynamic'] as const).map((mode) => {
    const ch = choosePadding(mode, specMaxLength, modelMaxLength, longest);
    const { truncated, real } = c.truncation(ch.truncateAt);
    const stored = ch.padTo === null ? real : rows * ch.padTo;
    return {
      mode,
      length: ch.padTo,
      truncatedRows: truncated,
      storedTokens: stored,
      paddingShare: stored ? 1 - real / stored : 0,
      bytes: stored * perToken + rows * (8 + (withTypeIds ? 12 : 8)),
    };
  });
}

/** Classes no row of any split carries (a stray label such as 55 makes 50 of them). */
export function emptyClasses(r: Pick<PrepareReport, 'labelNames' | 'splits'>): string[] {
  return r.labelNames.filter((n) => r.splits.every((s) => !s.labelCounts[n]));
}

/**
 * Text safe inside Markdown, table cells included: label names come from the user's data, and a name
 * such as `![x](https://host/x.png)` would load a remote image in the preview, `|` would break the table.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|~>]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/\r?\n|\r/g, ' ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024,
    i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** The longest histogram bar, in block characters. */
export const HISTOGRAM_BAR = 16;

/** A few lines for the CLI and notifications. */
export function reportSummary(r: PrepareReport): string[] {
  const lines = r.splits.map(
    (s) =>
      `${s.channel.padEnd(10)} ${String(s.rows).padStart(7)} rows  tokens p50 ${s.lengths.p50} p99 ${s.lengths.p99} max ${s.lengths.max}  truncated ${s.truncatedRows}  padding ${pct(s.paddingShare)}  ${formatBytes(s.bytes)}`,
  );
  lines.push(
    `padding ${r.padding}: ${r.maxLength === null ? `no padding stored (truncate at ${r.truncateAt})` : `rows stored at ${r.maxLength} tokens`}; ${formatBytes(r.bytesWritten)} written in ${r.seconds.toFixed(1)} s`,
  );
  const empty = emptyClasses(r);
  if (empty.length) lines.push(emptyClassesWarning(r, empty));
  const auto = r.options.find((o) => o.mode === 'auto'),
    cur = r.options.find((o) => o.mode === r.padding);
  if (auto && cur && r.padding !== 'auto' && auto.bytes < cur.bytes) {
    lines.push(
      `padding "auto" would store rows at ${auto.length} tokens: ${formatBytes(auto.bytes)} instead of ${formatBytes(cur.bytes)} (${pct(1 - auto.bytes / cur.bytes)} less), truncating ${auto.truncatedRows} rows`,
    );
  }
  return lines;
}

function emptyClassesWarning(r: PrepareReport, empty: string[]): string {
  const shown = empty.length <= 8 ? empty.join(', ') : `${empty.slice(0, 8).join(', ')}, … `;
  return `WARNING: ${empty.length} of ${r.labelNames.length} classes have no rows in any split (${shown}); a stray label value makes classes the model must still output. Check the label column, or list dataset.labelNames in the spec`;
}

export function renderReportMarkdown(r: PrepareReport): string {
  const md = escapeMarkdown;
  const out: string[] = [];
  out.push(`# Dataset preparation report`, '');
  out.push(
    `- Source: \`${r.source}\``,
    `- Tokenizer: \`${r.tokenizer}\``,
    `- Padding: **${r.padding}**, ${r.maxLength === null ? `no padding stored, truncation at ${r.truncateAt} tokens` : `rows stored at **${r.maxLength}** tokens`}`,
  );
  out.push(`- Labels (${r.labelNamesFrom}): ${r.labelNames.map((n, i) => `${i} ${md(n)}`).join(', ')}`);
  const empty = emptyClasses(r);
  if (empty.length) out.push(`- **${emptyClassesWarning(r, empty.map(md))}**`);
  out.push(`- Written: ${formatBytes(r.bytesWritten)} in ${r.seconds.toFixed(1)} s; ${r.createdAt}; ${r.tool}`, '');
  out.push(
    '## Splits',
    '',
    '| channel | split | rows | truncated | real tokens | stored tokens | padding | bytes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of r.splits)
    out.push(
      `| ${md(s.channel)} | ${md(s.split)} | ${s.rows} | ${s.truncatedRows} | ${s.realTokens} | ${s.storedTokens} | ${pct(s.paddingShare)} | ${formatBytes(s.bytes)} |`,
    );
  out.push(
    '',
    '## Token lengths (with special tokens, before truncation)',
    '',
    '| channel | min | p50 | p90 | p99 | max | mean |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of r.splits)
    out.push(
      `| ${s.channel} | ${s.lengths.min} | ${s.lengths.p50} | ${s.lengths.p90} | ${s.lengths.p99} | ${s.lengths.max} | ${s.lengths.mean} |`,
    );
  out.push(
    '',
    '## Label counts',
    '',
    `| label | ${r.splits.map((s) => s.channel).join(' | ')} |`,
    `| --- | ${r.splits.map(() => '---:').join(' | ')} |`,
  );
  for (const n of r.labelNames) out.push(`| ${md(n)} | ${r.splits.map((s) => s.labelCounts[n] ?? 0).join(' | ')} |`);
  out.push(
    '',
    '## Padding options',
    '',
    '| mode | row length | truncated rows | stored tokens | padding | est. size |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const o of r.options)
    out.push(
      `| ${o.mode}${o.mode === r.padding ? ' (chosen)' : ''} | ${o.length ?? 'per batch'} | ${o.truncatedRows} | ${o.storedTokens} | ${pct(o.paddingShare)} | ${formatBytes(o.bytes)} |`,
    );
  // A table, the count in its own cell before the bar: a count can never wrap away from its range at a
  // narrow preview, and a bar of at most HISTOGRAM_BAR cells keeps a row within about 500 px.
  for (const s of r.splits) {
    out.push('', `## Histogram: ${md(s.channel)}`, '', '| tokens | rows | share | |', '| ---: | ---: | ---: | :--- |');
    const peak = Math.max(1, ...s.histogram.map((h) => h.count));
    for (const h of s.histogram)
      out.push(
        `| ${h.from}-${h.to} | ${h.count} | ${pct(s.rows ? h.count / s.rows : 0)} | ${'█'.repeat(Math.round((h.count / peak) * HISTOGRAM_BAR))} |`,
      );
  }
  return out.join('\n') + '\n';
}
