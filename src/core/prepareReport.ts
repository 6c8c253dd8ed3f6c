// The preparation report: rows, label counts, token lengths (percentiles, histogram), truncation, the
// chosen length and its share of padding, bytes written, and what each padding mode would store, so the
// user sees what `auto` saves before choosing. Rendered as markdown next to the data.
import type { Padding } from './spec';
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
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function lengthStats(lengths: Int32Array): LengthStats {
  const sorted = Int32Array.from(lengths).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    min: sorted[0] ?? 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sorted.length ? Math.round((sum / sorted.length) * 100) / 100 : 0,
  };
}

/** Equal-width bins (a multiple of 8 wide) from 0 to the longest row. */
export function histogram(lengths: Int32Array, bins = 16): { from: number; to: number; count: number }[] {
  let max = 0;
  for (const v of lengths) if (v > max) max = v;
  const width = Math.max(8, Math.ceil(max / bins / 8) * 8);
  const n = Math.max(1, Math.ceil((max + 1) / width));
  const counts = new Array<number>(n).fill(0);
  for (const v of lengths) counts[Math.floor(v / width)]!++;
  return counts.map((count, i) => ({ from: i * width, to: (i + 1) * width - 1, count }));
}

export function splitReport(a: { channel: string; split: string; lengths: Int32Array; labels: BigInt64Array; labelNames: string[]; truncateAt: number; padTo: number | null; bytes: number }): SplitReport {
  const counts: Record<string, number> = Object.fromEntries(a.labelNames.map((n) => [n, 0]));
  for (const l of a.labels) counts[a.labelNames[Number(l)]!]!++;
  let real = 0, truncated = 0;
  for (const v of a.lengths) {
    if (v > a.truncateAt) truncated++;
    real += Math.min(v, a.truncateAt);
  }
  const stored = a.padTo === null ? real : a.lengths.length * a.padTo;
  return {
    channel: a.channel,
    split: a.split,
    rows: a.lengths.length,
    labelCounts: counts,
    lengths: lengthStats(a.lengths),
    histogram: histogram(a.lengths),
    truncatedRows: truncated,
    realTokens: real,
    storedTokens: stored,
    paddingShare: stored ? 1 - real / stored : 0,
    bytes: a.bytes,
  };
}

/** What each padding mode would store for these lengths (all splits together). */
export function paddingOptions(all: Int32Array[], specMaxLength: number, modelMaxLength: number, withTypeIds: boolean): PaddingOption[] {
  let longest = 0, rows = 0;
  for (const l of all) for (const v of l) (rows++, v > longest && (longest = v));
  const perToken = 4 + 1 + (withTypeIds ? 1 : 0);
  return (['max_length', 'auto', 'dynamic'] as const).map((mode) => {
    const c = choosePadding(mode, specMaxLength, modelMaxLength, longest);
    let real = 0, truncated = 0;
    for (const l of all) for (const v of l) (v > c.truncateAt && truncated++, (real += Math.min(v, c.truncateAt)));
    const stored = c.padTo === null ? real : rows * c.padTo;
    return { mode, length: c.padTo, truncatedRows: truncated, storedTokens: stored, paddingShare: stored ? 1 - real / stored : 0, bytes: stored * perToken + rows * (8 + (withTypeIds ? 12 : 8)) };
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A few lines for the CLI and notifications. */
export function reportSummary(r: PrepareReport): string[] {
  const lines = r.splits.map((s) => `${s.channel.padEnd(10)} ${String(s.rows).padStart(7)} rows  tokens p50 ${s.lengths.p50} p99 ${s.lengths.p99} max ${s.lengths.max}  truncated ${s.truncatedRows}  padding ${pct(s.paddingShare)}  ${formatBytes(s.bytes)}`);
  lines.push(`padding ${r.padding}: ${r.maxLength === null ? `no padding stored (truncate at ${r.truncateAt})` : `rows stored at ${r.maxLength} tokens`}; ${formatBytes(r.bytesWritten)} written in ${r.seconds.toFixed(1)} s`);
  const auto = r.options.find((o) => o.mode === 'auto'), cur = r.options.find((o) => o.mode === r.padding);
  if (auto && cur && r.padding !== 'auto' && auto.bytes < cur.bytes) {
    lines.push(`padding "auto" would store rows at ${auto.length} tokens: ${formatBytes(auto.bytes)} instead of ${formatBytes(cur.bytes)} (${pct(1 - auto.bytes / cur.bytes)} less), truncating ${auto.truncatedRows} rows`);
  }
  return lines;
}

export function renderReportMarkdown(r: PrepareReport): string {
  const out: string[] = [];
  out.push(`# Dataset preparation report`, '');
  out.push(`- Source: \`${r.source}\``, `- Tokenizer: \`${r.tokenizer}\``, `- Padding: **${r.padding}**, ${r.maxLength === null ? `no padding stored, truncation at ${r.truncateAt} tokens` : `rows stored at **${r.maxLength}** tokens`}`);
  out.push(`- Labels (${r.labelNamesFrom}): ${r.labelNames.map((n, i) => `${i} \`${n}\``).join(', ')}`);
  out.push(`- Written: ${formatBytes(r.bytesWritten)} in ${r.seconds.toFixed(1)} s; ${r.createdAt}; ${r.tool}`, '');
  out.push('## Splits', '', '| channel | split | rows | truncated | real tokens | stored tokens | padding | bytes |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.splits) out.push(`| ${s.channel} | ${s.split} | ${s.rows} | ${s.truncatedRows} | ${s.realTokens} | ${s.storedTokens} | ${pct(s.paddingShare)} | ${formatBytes(s.bytes)} |`);
  out.push('', '## Token lengths (with special tokens, before truncation)', '', '| channel | min | p50 | p90 | p99 | max | mean |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of r.splits) out.push(`| ${s.channel} | ${s.lengths.min} | ${s.lengths.p50} | ${s.lengths.p90} | ${s.lengths.p99} | ${s.lengths.max} | ${s.lengths.mean} |`);
  out.push('', '## Label counts', '', `| label | ${r.splits.map((s) => s.channel).join(' | ')} |`, `| --- | ${r.splits.map(() => '---:').join(' | ')} |`);
  for (const n of r.labelNames) out.push(`| ${n} | ${r.splits.map((s) => s.labelCounts[n] ?? 0).join(' | ')} |`);
  out.push('', '## Padding options', '', '| mode | row length | truncated rows | stored tokens | padding | est. size |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const o of r.options) out.push(`| ${o.mode}${o.mode === r.padding ? ' (chosen)' : ''} | ${o.length ?? 'per batch'} | ${o.truncatedRows} | ${o.storedTokens} | ${pct(o.paddingShare)} | ${formatBytes(o.bytes)} |`);
  for (const s of r.splits) {
    out.push('', `## Histogram: ${s.channel}`, '', '```');
    const peak = Math.max(1, ...s.histogram.map((h) => h.count));
    for (const h of s.histogram) out.push(`${String(h.from).padStart(5)}-${String(h.to).padEnd(5)} ${'█'.repeat(Math.round((h.count / peak) * 40)).padEnd(40)} ${h.count}`);
    out.push('```');
  }
  return out.join('\n') + '\n';
}
