// The price a training.maxCostUsd cap is computed from: the one the confirmation shows. On-demand jobs show
// the resolved price (Price List, else the offline table); spot jobs show the table's on-demand figure
// beside the spot estimate, and the cap takes that on-demand figure as the worst case.
import { onDemandPrice } from '../../core/billing/pricing';
import type { TrainingSpec } from '../../core/spec/spec';
import { resolvePrice, type PriceOptions } from '../prices';

/** USD per instance-hour for the cap, or undefined when there is no cap or no known price. */
export async function capPricePerHour(
  t: TrainingSpec,
  region: string,
  opts: PriceOptions = {},
): Promise<number | undefined> {
  if (t.maxCostUsd === undefined) return undefined;
  if (t.spot) return onDemandPrice(t.instanceType, 'training', region)?.perHour;
  const p = await resolvePrice(region, t.instanceType, 'training', opts);
  return p?.unit === 'hour' ? p.amount : undefined;
}
