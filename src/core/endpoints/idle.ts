// Idle endpoints: when an InService endpoint last answered a request, from CloudWatch's Invocations
// metric (5-minute sums per endpoint and variant), and the line the tree and the status bar show for it.
// An endpoint bills by the hour whether it answers or not; one nobody calls is money going nowhere.
// Pure: the CloudWatch call is in src/workflow/endpoints/idle.ts.

/** CloudWatch period of the Invocations sums asked for (the metric's native resolution). */
export const IDLE_PERIOD_S = 300;
/** How far back the metric is read: past this, "idle for at least" the window. */
export const IDLE_LOOKBACK_MS = 24 * 3600_000;
export const DEFAULT_IDLE_HOURS = 2;

export interface IdleState {
  /** Start of the last 5-minute period with a request; undefined when none in the window. */
  lastRequest?: Date;
  /** Idle since this time (the last request's period end, or max(creation, window start)). */
  idleSince: Date;
  /** True when no request was seen in the window: the idle time is a lower bound. */
  atLeast: boolean;
}

/**
 * When the endpoint last answered: the latest timestamp whose sum is positive. With none in the window,
 * idle at least since the later of its creation and the window start.
 */
export function idleStateOf(
  points: { timestamps: Date[]; values: number[] },
  created: Date | undefined,
  windowStart: Date,
): IdleState {
  let last: number | undefined;
  points.timestamps.forEach((t, i) => {
    if ((points.values[i] ?? 0) > 0 && (last === undefined || t.getTime() > last)) last = t.getTime();
  });
  if (last !== undefined) {
    return { lastRequest: new Date(last), idleSince: new Date(last + IDLE_PERIOD_S * 1000), atLeast: false };
  }
  const since = Math.max(created?.getTime() ?? windowStart.getTime(), windowStart.getTime());
  return { idleSince: new Date(since), atLeast: since === windowStart.getTime() };
}

/** Hours idle at `now`, or undefined when not longer than `thresholdHours`. */
export function idleHours(state: IdleState, now: Date, thresholdHours: number): number | undefined {
  const h = (now.getTime() - state.idleSince.getTime()) / 3600_000;
  return h > thresholdHours ? h : undefined;
}

/** "5 h" / "45 min" / "2 d 3 h". */
export function formatIdleDuration(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.floor(hours)} h`;
  return `${Math.floor(hours / 24)} d ${Math.floor(hours % 24)} h`;
}

/**
 * "idle 5 h, $3.70 (Price List, …) since its last request", or "idle for at least 24 h, …" when the window
 * held no request. `cost` is the already-labelled sum (formatPricedAmount), absent when the price is unknown.
 */
export function idleText(state: IdleState, hours: number, cost: string | undefined): string {
  const head = state.atLeast ? `idle for at least ${formatIdleDuration(hours)}` : `idle ${formatIdleDuration(hours)}`;
  const tail = state.lastRequest ? 'since its last request' : state.atLeast ? 'in that time' : 'since it was created';
  return cost ? `${head}, ${cost} ${tail}` : head;
}
