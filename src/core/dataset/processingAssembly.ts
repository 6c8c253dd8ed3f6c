// From the Processing job's output to the dataset prefix: every instance wrote one save_to_disk folder
// per (channel, input part) and a summary.json (training-scripts/processing/prepare_dataset.py). Each
// channel becomes one save_to_disk folder, data-{i}-of-{N}.arrow in source order (part names sort in
// source order: part-00000, part-00001, … or hub-00000, …) with the same state.json and
// dataset_info.json the local prepare writes, and the same report. Pure: the workflow copies the files.
import { createHash } from 'node:crypto';
import { UserError } from '../errors';
import { datasetInfoJson, stateJson } from './saveToDisk';
import { LABEL_ORIGIN_WORDS } from './labels';
import { paddingOptions, splitReport, type SplitReport } from './prepareReport';
import type { Padding } from '../spec/spec';

export interface PartSummary {
  channel: string;
  split: string;
  part: string;
  /** Folder relative to the job's output prefix: "{host}/{channel}/{part}". */
  dir: string;
  rows: number;
  files: string[];
  fingerprint: string;
  /** [token length before truncation, rows] pairs. */
  lengthCounts: [number, number][];
  labelCounts: number[];
  bytes: number;
}

/** How the rows are labelled and padded: every instance must report the same, and the assembled dataset keeps it. */
export interface DatasetLayout {
  labelNames: string[];
  /** In a HostSummary the origin key prepare_dataset.py writes (spec, dataset, …); in an Assembly the report's words for it. */
  labelNamesFrom: string;
  padding: Padding;
  padTo: number | null;
  truncateAt: number;
  withTypeIds: boolean;
}

export interface HostSummary extends DatasetLayout {
  host: string;
  hosts: string[];
  maxLength: number;
  modelMaxLength: number | null;
  numProc: number;
  seconds: number;
  parts: PartSummary[];
}

export interface FileCopy {
  /** Key relative to the job's output prefix. */
  from: string;
  /** File name inside the channel folder. */
  to: string;
}

export interface ChannelAssembly {
  channel: string;
  split: string;
  rows: number;
  copies: FileCopy[];
  stateJson: string;
  datasetInfoJson: string;
  report: SplitReport;
}

export interface Assembly extends DatasetLayout {
  channels: ChannelAssembly[];
  options: ReturnType<typeof paddingOptions>;
  /** Slowest instance's time inside the container. */
  seconds: number;
}

function expandLengths(parts: PartSummary[]): Int32Array {
  const n = parts.reduce((a, p) => a + p.rows, 0);
  const out = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    for (const [len, count] of p.lengthCounts) {
      out.fill(len, at, at + count);
      at += count;
    }
  }
  return out;
}

function expandLabels(parts: PartSummary[], classes: number): BigInt64Array {
  const counts = new Array<number>(classes).fill(0);
  for (const p of parts) p.labelCounts.forEach((c, i) => (counts[i] = (counts[i] ?? 0) + c));
  const out = new BigInt64Array(counts.reduce((a, c) => a + c, 0));
  let at = 0;
  counts.forEach((c, i) => (out.fill(BigInt(i), at, at + c), (at += c)));
  return out;
}

/** Checks that every instance reported and agreed, and plans each channel folder. */
export function planAssembly(summaries: HostSummary[], channels: Record<string, string>): Assembly {
  if (summaries.length === 0)
    throw new UserError('the Processing job wrote no summary.json: it did not finish its work (see its log)');
  const first = summaries[0]!;
  const missing = first.hosts.filter((h) => !summaries.some((s) => s.host === h));
  if (missing.length)
    throw new UserError(
      `the Processing job's output lacks the summary of ${missing.join(', ')}: that instance did not finish; nothing was assembled`,
    );
  for (const s of summaries) {
    if (JSON.stringify(s.labelNames) !== JSON.stringify(first.labelNames)) {
      throw new UserError(
        `dataset.labelNames: instances ${first.host} and ${s.host} found different class lists (${first.labelNames.join(', ')} vs ${s.labelNames.join(', ')}); list dataset.labelNames in the spec`,
        'dataset.labelNames',
      );
    }
    if (s.padTo !== first.padTo || s.truncateAt !== first.truncateAt || s.withTypeIds !== first.withTypeIds) {
      throw new UserError(
        `instances ${first.host} and ${s.host} padded differently (${first.padTo} vs ${s.padTo}); use one instance`,
      );
    }
  }
  const allParts = summaries.flatMap((s) => s.parts);
  const planned: ChannelAssembly[] = [];
  for (const [channel, split] of Object.entries(channels)) {
    const parts = allParts
      .filter((p) => p.channel === channel)
      .sort((a, b) => (a.part < b.part ? -1 : a.part > b.part ? 1 : a.dir < b.dir ? -1 : 1));
    const files = parts.flatMap((p) => p.files.map((f) => `${p.dir}/${f}`));
    const total = files.length;
    const pad = (i: number) => String(i).padStart(5, '0');
    const copies = files.map((from, i) => ({ from, to: `data-${pad(i)}-of-${pad(total)}.arrow` }));
    const fingerprint = createHash('sha256')
      .update(parts.map((p) => p.fingerprint).join(','))
      .digest('hex')
      .slice(0, 16);
    const rows = parts.reduce((a, p) => a + p.rows, 0);
    planned.push({
      channel,
      split,
      rows,
      copies,
      stateJson: stateJson(
        copies.map((c) => c.to),
        fingerprint,
        split,
        first.withTypeIds,
      ),
      datasetInfoJson: datasetInfoJson(first.labelNames, first.withTypeIds),
      report: splitReport({
        channel,
        split,
        lengths: expandLengths(parts),
        labels: expandLabels(parts, first.labelNames.length),
        labelNames: first.labelNames,
        truncateAt: first.truncateAt,
        padTo: first.padTo,
        bytes: parts.reduce((a, p) => a + p.bytes, 0),
      }),
    });
  }
  // Padding options count each split once, even when two channels share it.
  const channelOfSplit = new Map<string, string>();
  for (const [channel, split] of Object.entries(channels))
    if (!channelOfSplit.has(split)) channelOfSplit.set(split, channel);
  const perSplit = [...channelOfSplit.values()].map((c) => expandLengths(allParts.filter((p) => p.channel === c)));
  return {
    labelNames: first.labelNames,
    labelNamesFrom:
      (LABEL_ORIGIN_WORDS as Record<string, string | undefined>)[first.labelNamesFrom] ?? first.labelNamesFrom,
    padding: first.padding,
    padTo: first.padTo,
    truncateAt: first.truncateAt,
    withTypeIds: first.withTypeIds,
    channels: planned,
    options: paddingOptions(perSplit, first.maxLength, first.modelMaxLength ?? Infinity, first.withTypeIds),
    seconds: Math.max(...summaries.map((s) => s.seconds)),
  };
}
