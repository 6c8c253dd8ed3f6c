// Evaluate an endpoint on labelled texts: one request per text with bounded concurrency (so latency is
// per request, as a user would see it), then accuracy, a confusion matrix in the model's label order,
// per-class precision / recall / F1 with macro-F1, and latency percentiles.
import { CancelledError, UserError, errorLine, isCancelled } from '../../core/errors';
import { mapLimit } from '../../core/concurrency';
import type { Predictor } from './predictor';
import {
  classScores,
  confusionMatrix,
  labelOrder,
  type EvaluationResult,
  type LabelledText,
} from '../../core/endpoints/evaluation';

export interface EvaluateOptions {
  /** How many examples to send (evenly spread over the list); all when absent. */
  sampleSize?: number;
  concurrency?: number;
  /** The model's class names: the matrix's rows and columns follow their order. */
  labelNames?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Nearest-rank percentile of ascending-sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** `n` items spread evenly over the list (deterministic, keeps the label mix of a sorted split). */
export function evenSample<T>(items: readonly T[], n: number | undefined): T[] {
  if (!n || n >= items.length) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

export async function evaluate(
  predictor: Predictor,
  examples: readonly LabelledText[],
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  if (examples.length === 0)
    throw new UserError('evaluate: no labelled examples to send (the test split is unknown or empty)');
  const concurrency = Math.max(1, Math.min(opts.concurrency ?? 4, 32));
  if (opts.sampleSize !== undefined && (!Number.isInteger(opts.sampleSize) || opts.sampleSize < 1)) {
    throw new UserError(`sampleSize: must be a whole number of at least 1 (got ${opts.sampleSize})`, 'sampleSize');
  }
  const sample = evenSample(examples, opts.sampleSize);
  const t0 = performance.now();
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const outcomes = await mapLimit(sample, concurrency, async (ex) => {
    if (opts.signal?.aborted) throw new CancelledError();
    try {
      const r = await predictor.predict(ex.text, opts.signal);
      return { truth: ex.label, predicted: r.predictions[0]?.[0]?.label, latencyMs: r.latencyMs };
    } catch (err) {
      if (isCancelled(err) || opts.signal?.aborted) throw new CancelledError();
      errors++;
      firstError ??= errorLine(err);
      return undefined;
    } finally {
      opts.onProgress?.(++done, sample.length);
    }
  });
  const ok = outcomes.filter((o): o is NonNullable<typeof o> => !!o && o.predicted !== undefined);
  if (ok.length === 0)
    throw new UserError(`evaluate: every request failed (${errors}); first error: ${firstError ?? 'no prediction'}`);
  const pairs = ok.map((o) => ({ truth: o.truth, predicted: o.predicted! }));
  const labels = labelOrder(opts.labelNames, [...sample.map((e) => e.label), ...pairs.map((p) => p.predicted)]);
  const confusion = confusionMatrix(labels, pairs);
  const correct = pairs.filter((p) => p.truth === p.predicted).length;
  const { perClass, macroF1 } = classScores(labels, confusion);
  const lat = ok.map((o) => o.latencyMs).sort((a, b) => a - b);
  return {
    total: examples.length,
    evaluated: ok.length,
    correct,
    accuracy: correct / ok.length,
    labels,
    confusion,
    perClass,
    macroF1,
    latencyMs: {
      p50: percentile(lat, 50),
      p90: percentile(lat, 90),
      p99: percentile(lat, 99),
      mean: lat.reduce((a, b) => a + b, 0) / lat.length,
    },
    errors,
    ...(firstError ? { firstError } : {}),
    durationMs: performance.now() - t0,
  };
}
