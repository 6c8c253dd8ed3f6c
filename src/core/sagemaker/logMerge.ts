// Pure parts of the training-log tail: per-stream read cursors over GetLogEvents pages, a merger that
// turns the events of several instance streams into one stream ordered by timestamp, and the poll
// scheduler. No AWS and no timers here, so the unit tests drive them with scripted pages.
//
// Guarantees: a line is never printed twice and never skipped.
// - While a forward token is held, CloudWatch returns only events after it, so every event is new.
// - When the token is lost (invalid, or a resume), the cursor re-reads from the last timestamp seen and
//   skips exactly the events it already emitted at that timestamp (matched by identity, in order), like
//   the SageMaker SDK's (timestamp, skip) position but without its restart on every poll.
// - Ordering: a poll round reads every stream to its end, then the merger emits the round's events
//   sorted by (timestamp, instance number, arrival). Events of a later round are emitted after those of
//   an earlier round even if older: holding lines back to wait for slow streams would cost latency.

export interface LogEventIn {
  timestamp?: number;
  message?: string;
  ingestionTime?: number;
  eventId?: string;
}

export interface LogPage {
  events?: LogEventIn[];
  nextForwardToken?: string;
}

export interface GetEventsRequest {
  startFromHead: true;
  nextToken?: string;
  startTime?: number;
  limit: number;
}

export interface MergedLine {
  timestamp: number;
  /** Full stream name, e.g. `job/algo-1-1700000000`. */
  stream: string;
  /** `algo-1`, or the stream name when it does not follow the SageMaker pattern. */
  instance: string;
  message: string;
  /** The text to print: the message, prefixed with `[algo-N]` when the job has several instances. */
  text: string;
}

/** `job/algo-2-1700000000` → `algo-2`. */
export function instanceOf(stream: string): string {
  return /(?:^|\/)(algo-\d+)(?:-|$)/.exec(stream)?.[1] ?? stream.slice(stream.lastIndexOf('/') + 1);
}

function instanceNumber(stream: string): number {
  const m = /algo-(\d+)/.exec(instanceOf(stream));
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

function identity(e: LogEventIn): string {
  return e.eventId ?? `${e.timestamp}|${e.ingestionTime ?? ''}|${e.message ?? ''}`;
}

/** Where one stream's reading stands; decides the next GetLogEvents request and filters its answer. */
export class StreamCursor {
  private token: string | undefined;
  private lastTs = -Infinity;
  /** Identities of the events already emitted at lastTs, in order (for re-reads). */
  private atLastTs: string[] = [];

  constructor(
    readonly stream: string,
    readonly pageSize = 1000,
  ) {}

  request(): GetEventsRequest {
    if (this.token !== undefined) return { startFromHead: true, nextToken: this.token, limit: this.pageSize };
    return Number.isFinite(this.lastTs)
      ? { startFromHead: true, startTime: this.lastTs, limit: this.pageSize }
      : { startFromHead: true, limit: this.pageSize };
  }

  /** The token was rejected (InvalidParameterException) or expired: re-read from the last timestamp. */
  dropToken(): void {
    this.token = undefined;
  }

  /**
   * Takes the answer to request(). Returns the events not emitted before, whether the stream is read to
   * its end for now (`exhausted`: CloudWatch handed back the token it was given), and `atEnd`, which
   * also counts a short page as the end (used between polls; the final read insists on `exhausted`).
   */
  accept(
    req: GetEventsRequest,
    page: LogPage,
  ): { fresh: { timestamp: number; message: string }[]; atEnd: boolean; exhausted: boolean } {
    const events = page.events ?? [];
    const reread = req.nextToken === undefined && Number.isFinite(this.lastTs);
    const skip = reread ? [...this.atLastTs] : [];
    const fresh: { timestamp: number; message: string }[] = [];
    for (const e of events) {
      const ts = e.timestamp ?? 0;
      if (reread) {
        if (ts < this.lastTs) continue;
        if (ts === this.lastTs) {
          const at = skip.indexOf(identity(e));
          if (at >= 0) {
            skip.splice(at, 1);
            continue;
          }
        }
      }
      fresh.push({ timestamp: ts, message: e.message ?? '' });
      if (ts !== this.lastTs) {
        this.lastTs = ts;
        this.atLastTs = [];
      }
      this.atLastTs.push(identity(e));
    }
    const next = page.nextForwardToken;
    if (next !== undefined) this.token = next;
    // The end for now: the service handed back the token it got, or an empty first read. A short page
    // (fewer than asked) is treated as the end too: the next round goes on from its token, so nothing
    // is lost, and it saves one call per round while lines arrive.
    const exhausted =
      next === undefined || next === req.nextToken || (events.length === 0 && req.nextToken === undefined);
    return { fresh, atEnd: exhausted || (events.length > 0 && events.length < req.limit), exhausted };
  }
}

/** Collects one poll round's fresh events from all streams and emits them as one ordered stream. */
export class LogMerger {
  private pending: { e: { timestamp: number; message: string }; stream: string; seq: number }[] = [];
  private seq = 0;
  private readonly streams = new Set<string>();

  constructor(private instanceCount = 1) {}

  setInstanceCount(n: number): void {
    this.instanceCount = Math.max(1, n);
  }

  /** Prefixes appear once the job has (or is known to have) more than one instance. */
  get multiInstance(): boolean {
    return this.instanceCount > 1 || this.streams.size > 1;
  }

  add(stream: string, events: { timestamp: number; message: string }[]): void {
    this.streams.add(stream);
    for (const e of events) this.pending.push({ e, stream, seq: this.seq++ });
  }

  /** The events added since the last drain, by timestamp; ties by instance number, then arrival. */
  drain(): MergedLine[] {
    const out = this.pending.sort(
      (a, b) =>
        a.e.timestamp - b.e.timestamp ||
        instanceNumber(a.stream) - instanceNumber(b.stream) ||
        (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) ||
        a.seq - b.seq,
    );
    this.pending = [];
    const prefix = this.multiInstance;
    return out.map(({ e, stream }) => {
      const instance = instanceOf(stream);
      // CloudWatch keeps the trailing newline some containers write; the output adds its own.
      const message = e.message.replace(/\r?\n$/, '');
      return { timestamp: e.timestamp, stream, instance, message, text: prefix ? `[${instance}] ${message}` : message };
    });
  }
}

export type PollOutcome = 'lines' | 'idle' | 'throttled' | 'error';

export interface SchedulerOptions {
  /** Interval while lines arrive. */
  fastMs?: number;
  /** Ceiling while idle. */
  idleMaxMs?: number;
  /** Growth per idle round. */
  idleFactor?: number;
  /** Ceiling after throttling or transient errors. */
  backoffMaxMs?: number;
  /** 0..1 → jitter fraction; injectable for deterministic tests. */
  random?: () => number;
}

/**
 * How long to wait before the next poll round: fast while lines arrive, growing gently while idle
 * (a quiet minute during an epoch should not cost many calls, nor make the next line late by much),
 * and exponential with jitter after throttling or a transient error.
 */
export class PollScheduler {
  private readonly fastMs: number;
  private readonly idleMaxMs: number;
  private readonly idleFactor: number;
  private readonly backoffMaxMs: number;
  private readonly random: () => number;
  private current: number;
  private failures = 0;

  constructor(opts: SchedulerOptions = {}) {
    this.fastMs = opts.fastMs ?? 1000;
    this.idleMaxMs = opts.idleMaxMs ?? 15_000;
    this.idleFactor = opts.idleFactor ?? 1.5;
    this.backoffMaxMs = opts.backoffMaxMs ?? 60_000;
    this.random = opts.random ?? Math.random;
    this.current = this.fastMs;
  }

  next(outcome: PollOutcome): number {
    if (outcome === 'throttled' || outcome === 'error') {
      this.failures++;
      const base = Math.min(this.backoffMaxMs, Math.max(this.current, 2000) * 2 ** Math.min(this.failures - 1, 10));
      // Full jitter on the upper half keeps several tails from retrying in step.
      const delay = Math.round(base / 2 + (base / 2) * this.random());
      this.current = Math.min(this.idleMaxMs, Math.max(this.current, this.fastMs));
      return Math.min(this.backoffMaxMs, delay);
    }
    this.failures = 0;
    if (outcome === 'lines') this.current = this.fastMs;
    else this.current = Math.min(this.idleMaxMs, Math.round(this.current * this.idleFactor));
    return outcome === 'lines' ? this.fastMs : this.current;
  }

  /** The interval the scheduler is at (for status displays). */
  get intervalMs(): number {
    return this.current;
  }
}
