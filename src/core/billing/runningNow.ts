// The "Running now" rows: every thing that bills while it runs (endpoints, warm pools, training and
// processing jobs), each described cost first so a narrow side bar still shows what it costs, the
// dearest first, and the section's total. Pure: the tree builds its rows from these.
import { dollars } from './billing';

export type BillableKind = 'endpoint' | 'warm pool' | 'training job' | 'processing job';

export interface Billable {
  kind: BillableKind;
  name: string;
  /** USD per hour now; undefined when the price is not known. */
  perHour?: number;
  /** Billed per request (serverless endpoints): no hourly price. */
  perUse?: boolean;
  /** Instance type × count, status or other short facts, after the cost. */
  detail?: string;
  /** When it started billing, for the uptime and the cost so far. */
  since?: Date;
  /** Where the price comes from ("Price List, 2026-12-02", "offline table (us-east-1 prices)"). */
  priceSource?: string;
}

export interface RunningRow {
  label: string;
  description: string;
  tooltip: string;
}

/** "12 min", "2 h 03 min": how long something has run, for rows and tooltips. */
export function formatUptime(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(m / 60);
  return h ? `${h} h ${String(m % 60).padStart(2, '0')} min` : `${m} min`;
}

export function costText(b: Billable): string {
  if (b.perUse) return 'per use';
  if (b.perHour === undefined) return 'price unknown';
  // The row stays short; "about" marks a table figure, the tooltip names the source in full.
  return `${b.priceSource?.startsWith('offline') ? 'about ' : ''}${dollars(b.perHour)}/h`;
}

/** "$0.736/h · endpoint · ml.g4dn.xlarge × 1 · 2 h 03 min ($1.51 so far)" */
export function runningRow(b: Billable, now = new Date()): RunningRow {
  const parts = [costText(b), b.kind];
  if (b.detail) parts.push(b.detail);
  let soFar = '';
  if (b.since) {
    const ms = now.getTime() - b.since.getTime();
    soFar = b.perHour !== undefined ? ` (${dollars((b.perHour * ms) / 3_600_000)} so far)` : '';
    parts.push(`${formatUptime(ms)}${soFar}`);
  }
  const what = b.perUse
    ? 'billed per request, nothing while idle'
    : b.perHour !== undefined
      ? `billed ${dollars(b.perHour)} per hour while it runs${b.priceSource ? ` (${b.priceSource})` : ''}`
      : 'billed while it runs (price unknown)';
  return { label: b.name, description: parts.join(' · '), tooltip: `${b.kind} ${b.name}: ${what}${soFar}.` };
}

/** The dearest first (unknown prices count as dearest: they may be); names break ties. */
export function byCost(list: Billable[]): Billable[] {
  const key = (b: Billable) => (b.perUse ? 0 : (b.perHour ?? Infinity));
  return [...list].sort((a, b) => key(b) - key(a) || a.name.localeCompare(b.name));
}

/** The section's description: "$4.57/h" (with "+ per use" or "+ unknown" where some have no price). */
export function runningTotal(list: Billable[]): string | undefined {
  if (!list.length) return undefined;
  const priced = list.filter((b) => b.perHour !== undefined && !b.perUse);
  const total = priced.reduce((s, b) => s + (b.perHour ?? 0), 0);
  const extra = [
    list.some((b) => b.perUse) ? 'per use' : '',
    list.some((b) => b.perHour === undefined && !b.perUse) ? 'price unknown' : '',
  ].filter(Boolean);
  return [`${dollars(total)}/h`, ...extra].join(' + ');
}

/** What a running Processing job's row needs of DescribeProcessingJob. */
export interface ProcessingJobFacts {
  ProcessingJobName?: string;
  ProcessingJobStatus?: string;
  ProcessingResources?: { ClusterConfig?: { InstanceType?: string; InstanceCount?: number } };
  ProcessingStartTime?: Date;
  CreationTime?: Date;
}

/**
 * A Processing job as a Running now row while it bills (InProgress or Stopping: instances are up), its
 * price per instance-hour times the instance count; undefined once it has ended.
 */
export function processingBillable(
  d: ProcessingJobFacts,
  price?: { perInstanceHour: number; source: string },
): Billable | undefined {
  if (!d.ProcessingJobName || (d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping'))
    return undefined;
  const cc = d.ProcessingResources?.ClusterConfig;
  const count = cc?.InstanceCount ?? 1;
  const start = d.ProcessingStartTime ?? d.CreationTime;
  return {
    kind: 'processing job',
    name: d.ProcessingJobName,
    ...(price ? { perHour: price.perInstanceHour * count, priceSource: price.source } : {}),
    detail: [
      d.ProcessingJobStatus === 'Stopping' ? 'Stopping' : '',
      cc?.InstanceType ? `${cc.InstanceType} × ${count}` : '',
    ]
      .filter(Boolean)
      .join(' · '),
    ...(start ? { since: new Date(start) } : {}),
  };
}

/** What the status bar counts: billed things with their summed price, and local endpoints apart (free). */
export interface RunningCounts {
  /** SageMaker endpoints that bill now (instance or serverless). */
  endpoints: number;
  warmPools: number;
  /** Local endpoints (serve.py on this machine): running, but no AWS cost. */
  local: number;
  /** The known hourly prices of the billed ones, summed. */
  perHour: number;
  /** Some billed one has no known price. */
  unknown?: boolean;
  /** Some endpoint is serverless: billed per request. */
  perUse?: boolean;
  /** The sum holds a table figure. */
  estimated?: boolean;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * The status bar's text: "2 endpoints · 1 warm pool · about $4.57/h + per use + 1 local". Only billed
 * things are counted in the price; local endpoints are listed apart so a free server never reads as
 * billed. Undefined when nothing runs.
 */
export function runningSummary(c: RunningCounts): string | undefined {
  const billed = [
    ...(c.endpoints ? [plural(c.endpoints, 'endpoint')] : []),
    ...(c.warmPools ? [plural(c.warmPools, 'warm pool')] : []),
  ];
  if (!billed.length) return c.local ? `${plural(c.local, 'local endpoint')} · no AWS cost` : undefined;
  const price = `${c.estimated ? 'about ' : ''}$${c.perHour.toFixed(2)}/h${c.unknown ? '+' : ''}`;
  return [
    `${billed.join(' · ')} · ${price}`,
    ...(c.perUse ? ['per use'] : []),
    ...(c.local ? [`${c.local} local`] : []),
  ].join(' + ');
}
