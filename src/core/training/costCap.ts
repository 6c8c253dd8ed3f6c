// A spending cap on a training job (training.maxCostUsd, train --max-cost): the cap becomes
// StoppingCondition.MaxRuntimeInSeconds, so SageMaker itself stops the job before it can cost more than the
// cap at the price the confirmation shows, whether or not the editor is still open. The rate is the one the
// user reads (rounded as displayed: "$3.83/h", not the table's 3.825), so the figure they check by hand is
// the figure sent. Spot jobs use the on-demand price: spot bills at most that, and only for training time
// (waiting for capacity is free), so MaxWaitTimeInSeconds keeps the spec's value (always >= the runtime).
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';

/** The runtime default when training.maxRuntimeInSeconds is absent (the SDK's max_run). */
const DEFAULT_MAX_RUNTIME = 86400;
/** A cap must buy at least this much training, or the job could not even start its container. */
export const MIN_CAPPED_SECONDS = 60;

export interface CostCapInput {
  capUsd: number;
  /** On-demand USD per instance-hour, as resolved for the confirmation; undefined when unknown. */
  perInstanceHour: number | undefined;
  instanceType: string;
  count: number;
  /** training.maxRuntimeInSeconds (86400 when absent). */
  maxRuntimeInSeconds?: number;
  spot?: boolean;
}

export interface CostCapPlan {
  /** What goes into StoppingCondition.MaxRuntimeInSeconds. */
  maxRuntimeInSeconds: number;
  /** What the cap alone buys. */
  capSeconds: number;
  /** Which bound won. */
  bound: 'maxCostUsd' | 'maxRuntimeInSeconds';
  /** The rate used, per instance-hour, as displayed. */
  shownPerHour: number;
  /** The confirmation's line, e.g. "stops after 5 h 13 min: $20.00 at $3.83/h x 1". */
  line: string;
}

/** The per-hour rate as the confirmations print it ($3.83, $0.736). */
export function displayedRate(perHour: number): number {
  return Number(perHour.toFixed(perHour < 1 ? 3 : 2));
}

function usd(x: number): string {
  return `$${x.toFixed(2)}`;
}

/** 18798 -> "5 h 13 min", 3600 -> "1 h", 90 -> "1 min". */
export function formatRuntime(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function fail(msg: string): never {
  throw new UserError(`training.maxCostUsd: ${msg}`, 'training.maxCostUsd');
}

/** The runtime a cap buys, the bound that wins, and the line the confirmation shows; refuses useless caps. */
export function planCostCap(input: CostCapInput): CostCapPlan {
  const { capUsd, count, instanceType } = input;
  if (!Number.isFinite(capUsd) || capUsd <= 0) fail(`must be a positive number of US dollars (got ${capUsd})`);
  if (input.perInstanceHour === undefined)
    fail(
      `no price is known for ${instanceType}, so the cap cannot be turned into a runtime; remove the cap and set training.maxRuntimeInSeconds instead`,
    );
  const rate = displayedRate(input.perInstanceHour);
  if (rate <= 0) fail(`${instanceType} costs nothing here; a cap has no meaning, remove it`);
  const rateText = `$${rate.toFixed(rate < 1 ? 3 : 2)}/h x ${count}${input.spot ? ' (on-demand, the most spot can cost)' : ''}`;
  const capSeconds = Math.floor((capUsd * 3600) / (rate * count));
  if (capSeconds < MIN_CAPPED_SECONDS)
    fail(
      `${usd(capUsd)} buys ${capSeconds} s at ${rateText}, less than one minute of training: raise the cap to at least ${usd(Math.ceil(((rate * count) / 60) * 100) / 100)}`,
    );
  const maxRuntime = input.maxRuntimeInSeconds ?? DEFAULT_MAX_RUNTIME;
  const base = `${usd(capUsd)} at ${rateText}`;
  if (maxRuntime < capSeconds) {
    return {
      maxRuntimeInSeconds: maxRuntime,
      capSeconds,
      bound: 'maxRuntimeInSeconds',
      shownPerHour: rate,
      line: `stops after ${formatRuntime(maxRuntime)}: training.maxRuntimeInSeconds (${maxRuntime} s) is the lower bound; the cap of ${base} would allow ${formatRuntime(capSeconds)}`,
    };
  }
  return {
    maxRuntimeInSeconds: capSeconds,
    capSeconds,
    bound: 'maxCostUsd',
    shownPerHour: rate,
    line: `stops after ${formatRuntime(capSeconds)}: ${base}${maxRuntime !== capSeconds ? ` (the cap is the lower bound; training.maxRuntimeInSeconds is ${maxRuntime} s)` : ''}`,
  };
}

/** Puts the plan's runtime into the request. */
export function applyCostCap(request: CreateTrainingJobRequest, plan: CostCapPlan): void {
  request.StoppingCondition = { ...request.StoppingCondition, MaxRuntimeInSeconds: plan.maxRuntimeInSeconds };
}
