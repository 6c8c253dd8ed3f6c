// Prices for the user's region: the AWS Price List API (GetProducts on AmazonSageMaker), cached on disk
// for a day per region and Price List endpoint (~/.cache/sagemaker-hf/prices/<region>.json, or the
// extension's global storage), with the hand table of src/core/billing/pricing.ts as the offline fallback.
// Every figure shown carries its source: "$4.23/h (Price List, 2026-12-02)" or "about $3.83/h, offline
// table (us-east-1 prices)". One call per (use, instance type) at most a day; a failed call is not cached
// on disk but holds the fallback for a few minutes, so an offline machine does not wait on the network at
// every confirmation. A price of 0 is never cached: no SageMaker instance or second is free, so a 0 is a
// bad answer, not a price.
//
// The one function for a price shown anywhere: priceText(region, what, count, kind, opts) -> the labelled
// line ("$8.46/h (Price List, 2026-12-02)"). With the figure in hand (a cost so far, a budget):
// resolvePrice(...) then formatResolvedPrice(p, count, what), or priceSource(p) after a computed sum.
// opts: priceOptionsFor(conn, cacheDir) (the connection's profile and endpoint override).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getProducts } from '../aws/priceListApi';
import { isCancelled } from '../core/errors';
import {
  parsePriceList,
  pricingRegionFor,
  productFilters,
  serverlessMemoryGb,
  type PriceKind,
} from '../core/billing/priceList';
import { onDemandPrice } from '../core/billing/pricing';
import { SERVERLESS_DATA_PER_GB_US_EAST_1 } from '../core/billing/billing';
import { defaultCacheDir } from './cacheDir';

export type { PriceKind } from '../core/billing/priceList';

export const PRICE_CACHE_MS = 24 * 3600_000;
const FAILURE_HOLD_MS = 5 * 60_000;
/** us-east-1 serverless inference compute, USD per GB-second (the SageMaker pricing page, read 2026-11). */
export const SERVERLESS_USD_PER_GB_SECOND_US_EAST_1 = 0.00002;

export interface ResolvedPrice {
  /** USD per unit (per instance for instances). */
  amount: number;
  unit: 'hour' | 'second';
  /**
   * price-list: the AWS Price List API for this region; offline-table: the hand table (us-east-1);
   * local: this machine (nothing billed).
   */
  source: 'price-list' | 'offline-table' | 'local';
  /** The region the figure is for. */
  region: string;
  /** When the Price List answered (price-list only). */
  fetchedAt?: string;
}

export interface PriceOptions {
  /** Folder of the per-region cache files (default ~/.cache/sagemaker-hf/prices). */
  cacheDir?: string;
  profile?: string;
  /** Price List endpoint override (else SAGEMAKER_HF_PRICING_ENDPOINT, else AWS's). */
  endpoint?: string;
  signal?: AbortSignal;
  now?: () => number;
  /** Seconds the API may take before the fallback is used. */
  timeoutMs?: number;
  /** Skip the API (offline mode, tests of the fallback). */
  offline?: boolean;
  /**
   * The connection's endpoint override (an emulator such as moto). With one (or AWS_ENDPOINT_URL) and no
   * Price List endpoint of its own, the API is not asked: an emulator has no Price List.
   */
  awsEndpoint?: string;
}

interface CacheEntry {
  amount: number | null;
  fetchedAt: string;
}
interface CacheFile {
  version: 1;
  entries: Record<string, CacheEntry>;
}

const failures = new Map<string, number>();

export function defaultPriceCacheDir(): string {
  return path.join(defaultCacheDir(), 'prices');
}

function cacheFile(dir: string, region: string): string {
  return path.join(dir, `${region.replace(/[^a-z0-9-]/gi, '_')}.json`);
}

async function readCache(file: string): Promise<CacheFile> {
  try {
    const data = JSON.parse(await fs.promises.readFile(file, 'utf8')) as CacheFile;
    if (data.version === 1 && data.entries && typeof data.entries === 'object') return data;
  } catch {
    /* absent or unreadable: start over */
  }
  return { version: 1, entries: {} };
}

async function writeCache(file: string, data: CacheFile): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  // Write then rename: a reader never sees half a file.
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(data, null, 2) + '\n');
  await fs.promises.rename(tmp, file);
}

function offlinePrice(what: string, kind: PriceKind): ResolvedPrice | undefined {
  if (kind === 'serverless') {
    const gb = serverlessMemoryGb(Number(what));
    return gb > 0
      ? {
          amount: gb * SERVERLESS_USD_PER_GB_SECOND_US_EAST_1,
          unit: 'second',
          source: 'offline-table',
          region: 'us-east-1',
        }
      : undefined;
  }
  const p = onDemandPrice(what, kind === 'inference' || kind === 'processing' ? kind : 'training', 'us-east-1');
  return p ? { amount: p.perHour, unit: 'hour', source: 'offline-table', region: 'us-east-1' } : undefined;
}

/**
 * The on-demand price of one instance of `what` (or, for serverless, one second of compute at `what` MB)
 * in `region`: from the Price List (cached a day), else the offline table, else undefined.
 */
export async function resolvePrice(
  region: string,
  what: string | number,
  kind: PriceKind,
  opts: PriceOptions = {},
): Promise<ResolvedPrice | undefined> {
  const item = String(what);
  if (item === 'local' || item === 'local_gpu') return { amount: 0, unit: 'hour', source: 'local', region };
  const now = opts.now ?? Date.now;
  const unit = kind === 'serverless' ? 'second' : 'hour';
  const dir = opts.cacheDir ?? defaultPriceCacheDir();
  const file = cacheFile(dir, region);
  const pricingEndpoint = opts.endpoint ?? (process.env.SAGEMAKER_HF_PRICING_ENDPOINT?.trim() || undefined);
  // Keyed by the endpoint that answered too: a stand-in's (or a wrong endpoint's) answer is never shown
  // as AWS's.
  const key = `${pricingEndpoint ?? 'aws'}|${kind}:${kind === 'serverless' ? `${serverlessMemoryGb(Number(item))}GB` : item}`;
  const cache = await readCache(file);
  const hit = cache.entries[key];
  if (hit && now() - Date.parse(hit.fetchedAt) < PRICE_CACHE_MS && (hit.amount === null || hit.amount > 0)) {
    return hit.amount === null
      ? offlinePrice(item, kind)
      : { amount: hit.amount, unit, source: 'price-list', region, fetchedAt: hit.fetchedAt };
  }
  const emulated = !pricingEndpoint && !!(opts.awsEndpoint?.trim() || process.env.AWS_ENDPOINT_URL?.trim());
  const failKey = `${opts.profile ?? ''}|${region}|${pricingEndpoint ?? ''}`;
  if (opts.offline || emulated || (failures.get(failKey) ?? 0) > now()) return offlinePrice(item, kind);
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 8_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let amount: number | undefined;
  let answered: number;
  try {
    const list = await getProducts(
      { profile: opts.profile, region: pricingRegionFor(region), endpoint: opts.endpoint },
      'AmazonSageMaker',
      productFilters(region, kind, item),
      signal,
    );
    amount = parsePriceList(list, kind, item);
    answered = list.length;
  } catch (err) {
    if (opts.signal?.aborted && isCancelled(err)) throw err;
    failures.set(failKey, now() + FAILURE_HOLD_MS);
    return offlinePrice(item, kind);
  }
  const fetchedAt = new Date(now()).toISOString();
  // Products of this very instance and component but no positive price among them (a 0, a malformed
  // record): a bad answer, held like a
  // failure for a few minutes and never cached, rather than a price or a "no such product" for a day.
  // (Serverless asks for the whole family, so no match there is a memory size it does not list.)
  if ((amount !== undefined && !(amount > 0)) || (amount === undefined && answered > 0 && kind !== 'serverless')) {
    failures.set(failKey, now() + FAILURE_HOLD_MS);
    return offlinePrice(item, kind);
  }
  // A type the Price List does not know (no product at all) is remembered too (as null): no call for it
  // again today.
  cache.entries[key] = { amount: amount ?? null, fetchedAt };
  await writeCache(file, cache).catch(() => undefined);
  return amount === undefined ? offlinePrice(item, kind) : { amount, unit, source: 'price-list', region, fetchedAt };
}

/** The price options of a connection: its profile, and its endpoint override (an emulator has no Price List). */
export function priceOptionsFor(
  conn: { profile?: string; endpoint?: string },
  extra: Omit<PriceOptions, 'profile' | 'awsEndpoint'> = {},
): PriceOptions {
  return { ...extra, profile: conn.profile, awsEndpoint: conn.endpoint };
}

function money(v: number): string {
  return `$${v.toFixed(v < 0.01 ? 6 : v < 1 ? 3 : 2)}`;
}

/** Where a figure came from: "Price List, 2026-12-02", "offline table (us-east-1 prices)" or "this machine". */
export function priceSource(p: ResolvedPrice): string {
  if (p.source === 'local') return 'this machine';
  if (p.source === 'offline-table') return 'offline table (us-east-1 prices)';
  return `Price List${p.fetchedAt ? `, ${p.fetchedAt.slice(0, 10)}` : ''}`;
}

/** A sum computed from `p` (a cost so far, a budget), labelled: "$20.00 (Price List, 2026-12-02)". */
export function formatPricedAmount(usd: number, p: ResolvedPrice): string {
  const amount = `$${usd.toFixed(2)}`;
  return p.source === 'offline-table' ? `about ${amount} (${priceSource(p)})` : `${amount} (${priceSource(p)})`;
}

/**
 * "$3.83/h (Price List, 2026-12-02)", "about $3.83/h, offline table (us-east-1 prices)", "$0/h (this
 * machine)" or "price unknown …". `count` instances; serverless: "$0.000080/s of compute (…)".
 */
export function formatResolvedPrice(p: ResolvedPrice | undefined, count: number, what: string): string {
  if (!p) return `price unknown for ${what} — check the SageMaker pricing page`;
  const total = p.amount * count;
  const amount = `${p.source === 'local' ? '$0' : money(total)}/${p.unit === 'hour' ? 'h' : 's of compute'}`;
  return p.source === 'offline-table' ? `about ${amount}, ${priceSource(p)}` : `${amount} (${priceSource(p)})`;
}

/**
 * The price line for every place a price is shown (confirmations, prompts, pickers, the tree, CodeLens,
 * Ctrl-C): resolvePrice + formatResolvedPrice, so each carries its source.
 */
export async function priceText(
  region: string,
  what: string,
  count: number,
  kind: PriceKind,
  opts: PriceOptions = {},
): Promise<string> {
  return formatResolvedPrice(await resolvePrice(region, what, kind, opts), count, what);
}

/**
 * Serverless inference, billed per use: compute per second at the endpoint's memory size from the Price
 * List (per GB-second there, by memory size), else the offline us-east-1 figure; plus data processed, from
 * the offline table (SageMaker serverless inference has no per-request fee). Each figure names its source.
 */
export async function serverlessPriceText(
  region: string,
  memorySizeInMB: number,
  opts: PriceOptions = {},
): Promise<string> {
  const gb = serverlessMemoryGb(memorySizeInMB);
  const p = await resolvePrice(region, memorySizeInMB, 'serverless', opts);
  const compute = p
    ? `${p.source === 'offline-table' ? 'about ' : ''}${money(p.amount)} per second of compute (${gb} GB; ${priceSource(p)})`
    : `compute price unknown for ${gb} GB — check the SageMaker pricing page`;
  return `billed per use: ${compute} + about $${SERVERLESS_DATA_PER_GB_US_EAST_1}/GB of data (offline table, us-east-1 prices); nothing while idle`;
}

/** Forgets the in-memory failure holds (tests). */
export function resetPriceFailures(): void {
  failures.clear();
}
