// What spot training, warm pools and serverless endpoints cost, from the on-demand table in pricing.ts
// and what DescribeTrainingJob reports. Pure: the tree, the webviews and the CLI all show these figures.
//
// Spot prices are not in the AWS price list (they follow the spot market), so the price shown before a
// spot job starts is an estimate with its basis stated; spotPriceEstimate is the one function to swap
// when a better source exists. After the job, the real saving comes from its own billable seconds.
import { onDemandPrice } from './pricing';

/** Assumed spot discount on the on-demand price, for estimates before a job runs. */
export const SPOT_DISCOUNT_ESTIMATE = 0.7;
export const SPOT_ESTIMATE_BASIS =
  'estimate: 70% below on-demand (AWS quotes savings of up to 90% for managed spot training; the real price follows the spot market, and the finished job shows what was billed)';

export interface SpotEstimate {
  onDemandPerHour: number;
  spotPerHour: number;
  basis: string;
  /** The us-east-1 table figure used for another region. */
  exactRegion: boolean;
}

/** On-demand and estimated spot price per hour for `count` instances; undefined for unknown types. */
export function spotPriceEstimate(instanceType: string, count: number, region: string): SpotEstimate | undefined {
  const p = onDemandPrice(instanceType, 'training', region);
  if (!p) return undefined;
  const onDemandPerHour = p.perHour * count;
  return {
    onDemandPerHour,
    spotPerHour: onDemandPerHour * (1 - SPOT_DISCOUNT_ESTIMATE),
    basis: SPOT_ESTIMATE_BASIS,
    exactRegion: p.exactRegion,
  };
}

/** How a figure from the offline table (pricing.ts) is labelled wherever it is shown. */
export const OFFLINE_LABEL = 'offline table (us-east-1 prices)';

export function dollars(x: number): string {
  return `$${x.toFixed(x < 1 ? 3 : 2)}`;
}

/** "on-demand $3.83/h, spot about $1.15/h (estimate: …)" for the confirmation. */
export function formatSpotEstimate(instanceType: string, count: number, region: string): string {
  const e = spotPriceEstimate(instanceType, count, region);
  if (!e) return `price unknown for ${instanceType}; spot is billed below on-demand (AWS: up to 90% less)`;
  // The table's figure, labelled as every price is (spot prices are in no Price List).
  return `on-demand about ${dollars(e.onDemandPerHour)}/h, spot about ${dollars(e.spotPerHour)}/h, offline table (us-east-1 prices; ${e.basis})`;
}

/** Price x expected hours, on-demand and spot, as the confirmation and BENCHMARKS.md show it. */
export function expectedSpotCost(
  instanceType: string,
  count: number,
  region: string,
  hours: number,
): { onDemand: number; spot: number; saving: number } | undefined {
  const e = spotPriceEstimate(instanceType, count, region);
  if (!e) return undefined;
  return {
    onDemand: e.onDemandPerHour * hours,
    spot: e.spotPerHour * hours,
    saving: (e.onDemandPerHour - e.spotPerHour) * hours,
  };
}

/** The fields of DescribeTrainingJob this module reads (a subset, so tests and webviews need no SDK types). */
export interface JobBillingFields {
  TrainingJobStatus?: string;
  EnableManagedSpotTraining?: boolean;
  TrainingTimeInSeconds?: number;
  BillableTimeInSeconds?: number;
  TrainingEndTime?: Date | string;
  ResourceConfig?: { InstanceType?: string; InstanceCount?: number; KeepAlivePeriodInSeconds?: number };
  WarmPoolStatus?: { Status?: string; ResourceRetainedBillableTimeInSeconds?: number; ReusedByJob?: string };
}

export interface JobBilling {
  spot: boolean;
  trainingSeconds?: number;
  billableSeconds?: number;
  /** 1 - billable/training, in percent (spot jobs with both figures). */
  savingPercent?: number;
  /** (training - billable) seconds at the on-demand price, for all instances. */
  savingDollars?: number;
  /** What the billable seconds cost at the on-demand price (spot bills less per second than on-demand; see the basis). */
  billedDollars?: number;
}

/** Training vs billable seconds and, for spot jobs, the saving ("saving = 1 - billable/training", AWS). */
export function jobBilling(d: JobBillingFields, region: string): JobBilling {
  const spot = d.EnableManagedSpotTraining === true;
  const t = d.TrainingTimeInSeconds,
    b = d.BillableTimeInSeconds;
  const out: JobBilling = {
    spot,
    ...(t !== undefined ? { trainingSeconds: t } : {}),
    ...(b !== undefined ? { billableSeconds: b } : {}),
  };
  const type = d.ResourceConfig?.InstanceType;
  const count = d.ResourceConfig?.InstanceCount ?? 1;
  const p = type ? onDemandPrice(type, 'training', region) : undefined;
  if (p && b !== undefined) out.billedDollars = (p.perHour * count * b) / 3600;
  if (spot && t !== undefined && b !== undefined && t > 0) {
    out.savingPercent = Math.max(0, (1 - b / t) * 100);
    if (p) out.savingDollars = Math.max(0, (p.perHour * count * (t - b)) / 3600);
  }
  return out;
}

/** "training 3600 s · billable 1080 s · saved 70% (about $2.68, offline table (us-east-1 prices))" */
export function formatJobBilling(b: JobBilling): string | undefined {
  if (b.trainingSeconds === undefined && b.billableSeconds === undefined) return undefined;
  const parts = [`training ${b.trainingSeconds ?? '?'} s`, `billable ${b.billableSeconds ?? '?'} s`];
  if (b.savingPercent !== undefined)
    parts.push(
      `saved ${b.savingPercent.toFixed(0)}%${b.savingDollars !== undefined ? ` (about ${dollars(b.savingDollars)}, ${OFFLINE_LABEL})` : ''}`,
    );
  return parts.join(' · ');
}

export interface WarmPool {
  /** SageMaker's WarmPoolStatus.Status; "requested" while it reports none for a job that asked for one. */
  status: string;
  /** Billing now: the instances are kept for this job (status Available). */
  billing: boolean;
  retainedBillableSeconds?: number;
  reusedBy?: string;
  /** TrainingEndTime + KeepAlivePeriodInSeconds, when both are known. */
  expiresAt?: Date;
  perHour?: number;
  /** The job asked for a pool (KeepAlivePeriodInSeconds) and SageMaker reports no status for it yet. */
  requested?: boolean;
  keepAliveSeconds?: number;
}

/**
 * The job's warm pool, or undefined when it has none. An Available pool holds its instances and is
 * billed at the instance price until it expires or is released; InUse/Reused pools are billed to the
 * job that took them over, Terminated ones not at all. A job that asked for one (KeepAlivePeriodInSeconds)
 * while SageMaker reports no WarmPoolStatus has a "requested" pool, never counted as billing: only
 * SageMaker's status says the instances are held.
 */
export function warmPoolOf(d: JobBillingFields, region: string): WarmPool | undefined {
  const w = d.WarmPoolStatus;
  const keep = d.ResourceConfig?.KeepAlivePeriodInSeconds;
  const type = d.ResourceConfig?.InstanceType;
  const p = type ? onDemandPrice(type, 'training', region) : undefined;
  const perHour = p ? { perHour: p.perHour * (d.ResourceConfig?.InstanceCount ?? 1) } : {};
  if (!w?.Status)
    return keep
      ? { status: 'requested', billing: false, requested: true, keepAliveSeconds: keep, ...perHour }
      : undefined;
  const end = d.TrainingEndTime ? new Date(d.TrainingEndTime) : undefined;
  const expiresAt = end && keep !== undefined ? new Date(end.getTime() + keep * 1000) : undefined;
  // AWS's status decides, not the expiry computed here: a clock off, or AWS late to terminate, still bills.
  const billing = w.Status === 'Available';
  return {
    status: w.Status,
    billing,
    ...(w.ResourceRetainedBillableTimeInSeconds !== undefined
      ? { retainedBillableSeconds: w.ResourceRetainedBillableTimeInSeconds }
      : {}),
    ...(w.ReusedByJob ? { reusedBy: w.ReusedByJob } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    ...perHour,
  };
}

function minutesText(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.round(seconds / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}` : `${m} min`;
}

/** "expires in 12 min" while billing, from the expiry computed off TrainingEndTime + keep-alive. */
function expiryText(w: WarmPool, now: Date, short: boolean): string | undefined {
  if (!w.billing || !w.expiresAt) return undefined;
  const left = w.expiresAt.getTime() - now.getTime();
  if (left <= 0) return short ? 'past keep-alive, still Available' : 'past its keep-alive period, still Available';
  const min = Math.ceil(left / 60_000);
  return short ? `${min} min left` : `expires in ${min} min`;
}

/** "warm pool Available · about $0.74/h, offline table (us-east-1 prices) · expires in 12 min" */
export function formatWarmPool(w: WarmPool, now = new Date()): string {
  if (w.requested)
    return `warm pool requested: kept ${minutesText(w.keepAliveSeconds ?? 0)} after the job${w.perHour !== undefined ? `, billed about ${dollars(w.perHour)}/h then (${OFFLINE_LABEL})` : ''}; SageMaker reports no status for it yet`;
  const parts = [`warm pool ${w.status}`];
  if (w.billing)
    parts.push(w.perHour !== undefined ? `about ${dollars(w.perHour)}/h, ${OFFLINE_LABEL}` : 'billed, price unknown');
  const expiry = expiryText(w, now, false);
  if (expiry) parts.push(expiry);
  if (w.reusedBy) parts.push(`reused by ${w.reusedBy}`);
  return parts.join(' · ');
}

/**
 * The pool in a tree row, short enough for a narrow side bar, the cost first while it bills:
 * "about $3.83/h · 12 min left", "Terminated", "Reused by next-job", "requested · kept 30 min".
 * The full line with the price's source (formatWarmPool) goes in the tooltip.
 */
export function warmPoolShort(w: WarmPool, now = new Date()): string {
  if (w.requested) return `requested · kept ${minutesText(w.keepAliveSeconds ?? 0)}`;
  if (!w.billing) return w.reusedBy ? `${w.status} by ${w.reusedBy}` : w.status;
  const cost = w.perHour !== undefined ? `about ${dollars(w.perHour)}/h` : 'price unknown';
  return [cost, expiryText(w, now, true)].filter(Boolean).join(' · ');
}

// Serverless inference (the SageMaker pricing page, read 2026-11): compute per second by memory size
// while a request is handled (workflow/prices.ts: the Price List, this table's us-east-1 figure as the
// fallback), plus data processed in and out, us-east-1. Nothing while idle.
export const SERVERLESS_DATA_PER_GB_US_EAST_1 = 0.016;
export const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144] as const;

/** One line for the job details page: capacity, training vs billable seconds and saving, warm pool. */
export function jobBillingLine(d: JobBillingFields, region: string, now = new Date()): string | undefined {
  const b = jobBilling(d, region);
  const parts: string[] = [];
  const billed = formatJobBilling(b);
  if (b.spot) parts.push('managed spot');
  if (billed) parts.push(billed);
  const pool = warmPoolOf(d, region);
  if (pool) parts.push(formatWarmPool(pool, now));
  return parts.length ? parts.join(' · ') : undefined;
}
