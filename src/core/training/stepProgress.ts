// Step counts and throughput of a running training, from the script's `[metrics] step=N` lines, for the
// progress notification ("step 120/250, 950 samples/s") instead of a bare "2/5 train" for minutes.

export interface StepProgress {
  step: number;
  totalSteps?: number;
  /** Over the last two logged steps; undefined until two were seen. */
  samplesPerSecond?: number;
}

/** Optimizer steps the Trainer will run: max_steps when set, else ceil(rows / batch) x epochs. */
export function plannedSteps(rows: number, hps: Record<string, unknown>): number | undefined {
  const max = Number(hps['max_steps']);
  if (Number.isFinite(max) && max > 0) return max;
  const batch = Number(hps['train_batch_size'] ?? 32);
  const epochs = Number(hps['epochs'] ?? 3);
  if (!(rows > 0 && batch > 0 && epochs > 0)) return undefined;
  return Math.ceil(rows / batch) * Math.ceil(epochs);
}

export class StepMeter {
  private last?: { step: number; ms: number };
  private current?: StepProgress;

  constructor(
    private readonly batchSize: number,
    private readonly totalSteps?: number,
  ) {}

  /** A logged step at time `ms`; returns the progress to show. */
  step(step: number, ms: number): StepProgress {
    let rate = this.current?.samplesPerSecond;
    if (this.last && step > this.last.step && ms > this.last.ms)
      rate = ((step - this.last.step) * this.batchSize * 1000) / (ms - this.last.ms);
    // A restart (spot rehearsal) logs lower steps again: start measuring afresh.
    this.last = { step, ms };
    this.current = { step, totalSteps: this.totalSteps, samplesPerSecond: rate };
    return this.current;
  }
}

/** "step 120/250 (48%), 950 samples/s" */
export function progressText(p: StepProgress): string {
  const of = p.totalSteps ? `/${p.totalSteps} (${Math.round((100 * p.step) / p.totalSteps)}%)` : '';
  const rate = p.samplesPerSecond !== undefined ? `, ${Math.round(p.samplesPerSecond)} samples/s` : '';
  return `step ${p.step}${of}${rate}`;
}
