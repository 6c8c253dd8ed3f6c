// The accuracy a model must beat to have learned anything: always answering the training split's most
// frequent label, scored on the split the script evaluates on. Printed beside eval_accuracy, so a run
// that "finishes" without learning (below the baseline) is seen as such.
import type { PrepareReport } from '../dataset/prepareReport';

export interface MajorityBaseline {
  label: string;
  /** Share of the evaluation split's rows that have that label. */
  accuracy: number;
  evalChannel: string;
}

/**
 * The majority label of the training channel (`train`, else the first) and its share in the evaluation
 * channel (`test`, else `validation`, else the training channel). Undefined without rows or labels.
 */
export function majorityBaseline(report: Pick<PrepareReport, 'labelNames' | 'splits'>): MajorityBaseline | undefined {
  const byChannel = new Map(report.splits.map((s) => [s.channel, s]));
  const train = byChannel.get('train') ?? report.splits[0];
  const evalSplit = byChannel.get('test') ?? byChannel.get('validation') ?? train;
  if (!train || !evalSplit || evalSplit.rows === 0) return undefined;
  let label: string | undefined;
  let most = 0;
  // Ties go to the first label in label order, as argmax over the label ids would pick.
  for (const n of report.labelNames) {
    const c = train.labelCounts[n] ?? 0;
    if (c > most) [label, most] = [n, c];
  }
  if (label === undefined) return undefined;
  return { label, accuracy: (evalSplit.labelCounts[label] ?? 0) / evalSplit.rows, evalChannel: evalSplit.channel };
}

/** "eval_accuracy 0.859 (majority baseline 0.347: always 'joy' on test)" */
export function accuracyBesideBaseline(accuracy: number | undefined, baseline: MajorityBaseline | undefined): string {
  if (accuracy === undefined) return '';
  const base = baseline
    ? ` (majority baseline ${baseline.accuracy.toFixed(3)}: always '${baseline.label}' on ${baseline.evalChannel}${accuracy <= baseline.accuracy ? '; the model has not learned' : ''})`
    : '';
  return `eval_accuracy ${accuracy.toFixed(3)}${base}`;
}
