// Cold starts of serverless endpoints: the first request after idle waits for SageMaker to start a
// container, so its latency says nothing about the model. The predictions view shows it apart.
// SageMaker does not publish how long a serverless endpoint stays warm; five minutes without a request
// is this view's line (a request after a shorter pause is counted warm).
export const COLD_START_IDLE_MS = 5 * 60_000;

/** Whether a request started at `now` is a cold start, given when the previous one ended. */
export function isColdStart(lastCallEndedAt: number | undefined, now: number, idleMs = COLD_START_IDLE_MS): boolean {
  return lastCallEndedAt === undefined || now - lastCallEndedAt >= idleMs;
}

export interface LatencySplit {
  coldCount: number;
  coldMedianMs?: number;
  warmCount: number;
  warmMedianMs?: number;
}

function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median latency of cold starts and of warm requests, kept apart. */
export function splitLatencies(entries: { latencyMs: number; coldStart?: boolean }[]): LatencySplit {
  const cold = entries.filter((e) => e.coldStart).map((e) => e.latencyMs);
  const warm = entries.filter((e) => !e.coldStart).map((e) => e.latencyMs);
  const cm = median(cold),
    wm = median(warm);
  return {
    coldCount: cold.length,
    ...(cm !== undefined ? { coldMedianMs: cm } : {}),
    warmCount: warm.length,
    ...(wm !== undefined ? { warmMedianMs: wm } : {}),
  };
}

/** "cold starts: 1, median 2345 ms · warm: 4, median 85 ms"; undefined when there was no cold start. */
export function formatLatencySplit(s: LatencySplit): string | undefined {
  if (!s.coldCount) return undefined;
  const ms = (x: number) => `${Math.round(x)} ms`;
  return `cold start${s.coldCount === 1 ? '' : 's'}: ${s.coldCount}, median ${ms(s.coldMedianMs!)} · warm: ${s.warmCount}${s.warmMedianMs !== undefined ? `, median ${ms(s.warmMedianMs)}` : ''}`;
}
