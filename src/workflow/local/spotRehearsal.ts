// The spot interruption rehearsal's bookkeeping: which step the script reached before SIGTERM, which
// step it logged first after the restart, and whether that means it resumed. Read from the script's
// own `[metrics] step=N` lines and train.py's "resuming from ... (global step N)" line, so it works for
// any script that logs steps the way the metrics contract says.
import { parseMetricsLine } from '../../core/training/metrics';

/** How long SageMaker lets a training container run after SIGTERM before it kills it (the 2-minute spot warning). */
export const SPOT_GRACE_SECONDS = 120;

export interface SpotRehearsal {
  interruptAfterSeconds: number;
  /** The script finished before the interruption was due: nothing was rehearsed. */
  finishedFirst?: boolean;
  /** Exit of the interrupted attempt ("code 143", "signal SIGKILL" when it outlived the grace period). */
  firstExit?: string;
  /** Last step the interrupted attempt logged. */
  lastStepBefore?: number;
  /** First step the restarted attempt logged. */
  firstStepAfter?: number;
  /** The step the script said it resumed from (train.py's "resuming from ... (global step N)"). */
  resumedFromStep?: number;
  resumed?: boolean;
}

const RESUMING = /resuming from \S+ \(global step (\d+)\)/;

/** Follows the lines of both attempts; `restarted()` marks where the second begins. */
export class RehearsalTracker {
  private firstStepBefore?: number;
  private second = false;

  constructor(readonly report: SpotRehearsal) {}

  line(line: string): void {
    const r = this.report;
    const resumed = RESUMING.exec(line);
    if (resumed && this.second) r.resumedFromStep = Number(resumed[1]);
    const m = parseMetricsLine(line);
    if (!m || m.step === undefined || m.interrupted !== undefined) return;
    if (!this.second) {
      this.firstStepBefore ??= m.step;
      r.lastStepBefore = m.step;
    } else r.firstStepAfter ??= m.step;
  }

  restarted(): void {
    this.second = true;
  }

  /** Resumed: the restart says so, or its first logged step is later than the first attempt's first. */
  finish(): SpotRehearsal {
    const r = this.report;
    if (this.second)
      r.resumed =
        (r.resumedFromStep ?? 0) > 0 ||
        (r.firstStepAfter !== undefined &&
          this.firstStepBefore !== undefined &&
          r.firstStepAfter > this.firstStepBefore);
    return r;
  }
}

/** One line for the log and the summary. */
export function rehearsalLine(r: SpotRehearsal): string {
  if (r.finishedFirst)
    return `spot rehearsal: the script finished within ${r.interruptAfterSeconds} s, before the interruption; nothing was rehearsed (use a smaller --interrupt-after)`;
  if (r.resumed === undefined) return 'spot rehearsal: the script was not restarted (stopped)';
  const before = r.lastStepBefore !== undefined ? `interrupted at step ${r.lastStepBefore}` : 'interrupted';
  const after =
    r.firstStepAfter !== undefined
      ? `the first step logged after the restart was ${r.firstStepAfter}`
      : 'no step was logged after the restart';
  return r.resumed
    ? `spot rehearsal: ${before} (${r.firstExit}); ${after}${r.resumedFromStep ? ` (resumed from step ${r.resumedFromStep})` : ''}: it resumed from its checkpoint`
    : `spot rehearsal: ${before} (${r.firstExit}); ${after}: it did NOT resume (it started over; on SageMaker the interruption would cost the steps before it). Save checkpoints to /opt/ml/checkpoints (here SM_HF_CHECKPOINT_DIR) and load the latest on start`;
}
