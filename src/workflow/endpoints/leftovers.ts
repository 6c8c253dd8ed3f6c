// What endpoints that deleted themselves (their EventBridge Scheduler DeleteEndpoint ran) left behind: the
// endpoint config and model, which cost nothing but clutter. Found by the tags the deploy set
// (leftoversOfScheduledDeletions), planned so that only what carries the tool's created-by tag is offered
// (a cleanup nobody asked for deletes nothing the tool did not make), and deleted only as offered: a
// fresh plan at delete time, cut to the steps the user was shown.
import { CancelledError, UserError, isCancelled } from '../../core/errors';
import type { PlanStep } from '../../core/endpoints/deletePlan';
import type { AwsTarget } from '../../aws/clients';
import { executeDeletePlan, planEndpointDelete, type DeleteProgress } from './deleteEndpoint';
import { leftoversOfScheduledDeletions } from './deleteSchedule';

export interface LeftoverOffer {
  /** The endpoints (deleted by their schedule) whose config and model are offered. */
  endpoints: string[];
  /** Endpoint configs and models, each once. */
  steps: PlanStep[];
}

const key = (s: PlanStep) => `${s.kind}:${s.name}`;

/** The plan of what `endpointName` left, tagged resources only; undefined when it is back or nothing is left. */
async function leftoverSteps(target: AwsTarget, endpointName: string, signal?: AbortSignal) {
  try {
    const { plan } = await planEndpointDelete(target, endpointName, { onlyTagged: true, signal });
    // Deployed again under the same name since: its config is in use, nothing of it is a leftover.
    if (plan.steps.some((s) => s.kind === 'endpoint')) return undefined;
    return plan;
  } catch (err) {
    if (isCancelled(err)) throw new CancelledError();
    // Deleted meanwhile (by hand, or by another window's cleanup).
    if (err instanceof UserError && err.field === 'endpoint') return undefined;
    throw err;
  }
}

/** What scheduled deletions left in the target's region, as one offer (empty when nothing is left). */
export async function findLeftovers(target: AwsTarget, signal?: AbortSignal): Promise<LeftoverOffer> {
  const offer: LeftoverOffer = { endpoints: [], steps: [] };
  const seen = new Set<string>();
  for (const left of await leftoversOfScheduledDeletions(target, signal)) {
    const plan = await leftoverSteps(target, left.name, signal);
    const steps = plan?.steps.filter((s) => !seen.has(key(s))) ?? [];
    if (!steps.length) continue;
    offer.endpoints.push(left.name);
    for (const s of steps) {
      seen.add(key(s));
      offer.steps.push(s);
    }
  }
  return offer;
}

/**
 * Deletes what `offer` names and nothing else: each endpoint's leftovers are planned again (facts may have
 * changed since the offer: a redeploy, a shared model), and only the steps in both plans run.
 */
export async function deleteLeftovers(
  target: AwsTarget,
  offer: LeftoverOffer,
  opts: { signal?: AbortSignal; onProgress?: (p: DeleteProgress) => void } = {},
): Promise<{ deleted: PlanStep[]; skipped: PlanStep[] }> {
  const offered = new Set(offer.steps.map(key));
  const done = new Set<string>();
  const deleted: PlanStep[] = [];
  for (const name of offer.endpoints) {
    const plan = await leftoverSteps(target, name, opts.signal);
    if (!plan) continue;
    const steps = plan.steps.filter((s) => offered.has(key(s)) && !done.has(key(s)));
    if (!steps.length) continue;
    const result = await executeDeletePlan(target, { ...plan, steps }, opts);
    for (const s of result.deleted) {
      done.add(key(s));
      deleted.push(s);
    }
  }
  return { deleted, skipped: offer.steps.filter((s) => !done.has(key(s))) };
}
