// What an evaluation of an endpoint is made of (the labelled texts it sends, the result it reports:
// accuracy, confusion matrix, per-class precision / recall / F1, macro-F1, latency), and the pure
// arithmetic behind the matrix and the scores, shared by the workflow that computes them and the
// predictions page that draws them.
export interface LabelledText {
  text: string;
  label: string;
}

/** One class's scores, as scikit-learn's classification_report gives them. */
export interface ClassScores {
  label: string;
  /** True positives over everything predicted as this class; 0 when nothing was (sklearn's zero_division=0). */
  precision: number;
  /** True positives over every example of this class; 0 when there is none. */
  recall: number;
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number;
  /** How many evaluated examples truly are this class. */
  support: number;
  /** How many evaluated examples were predicted as this class. */
  predicted: number;
}

export interface EvaluationResult {
  total: number;
  evaluated: number;
  correct: number;
  accuracy: number;
  /** Row = true label, column = predicted label, both in `labels` order. */
  labels: string[];
  confusion: number[][];
  /** One entry per label, in `labels` order. */
  perClass: ClassScores[];
  /** Mean F1 over the classes that occur (true or predicted) in the evaluated examples. */
  macroF1: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number };
  errors: number;
  firstError?: string;
  durationMs: number;
}

/**
 * The matrix's label order: the model's class names first, in their order (so rows and columns read as
 * the dataset's ClassLabel does), then any label seen that the names lack, in the order first seen.
 */
export function labelOrder(names: readonly string[] | undefined, seen: Iterable<string>): string[] {
  const order = [...new Set(names ?? [])];
  const known = new Set(order);
  for (const l of seen) {
    if (!known.has(l)) {
      known.add(l);
      order.push(l);
    }
  }
  return order;
}

/** Counts of (true, predicted) pairs: row = true label, column = predicted label, in `labels` order. */
export function confusionMatrix(
  labels: readonly string[],
  pairs: Iterable<{ truth: string; predicted: string }>,
): number[][] {
  const index = new Map(labels.map((l, i) => [l, i]));
  const m = labels.map(() => labels.map(() => 0));
  for (const p of pairs) {
    const i = index.get(p.truth);
    const j = index.get(p.predicted);
    if (i === undefined || j === undefined)
      throw new Error(`label '${i === undefined ? p.truth : p.predicted}' is not in the label order`);
    m[i]![j]!++;
  }
  return m;
}

/**
 * Per-class precision, recall and F1 from a confusion matrix, and their macro mean. Classes with
 * neither a true nor a predicted example are left out of the mean (as scikit-learn does when it infers
 * the labels from the data), so a small sample that misses a class is not marked down for it.
 */
export function classScores(
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
): {
  perClass: ClassScores[];
  macroF1: number;
} {
  const perClass = labels.map((label, k) => {
    const tp = confusion[k]?.[k] ?? 0;
    const support = (confusion[k] ?? []).reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + (row[k] ?? 0), 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support, predicted };
  });
  const present = perClass.filter((c) => c.support || c.predicted);
  const macroF1 = present.length ? present.reduce((a, c) => a + c.f1, 0) / present.length : 0;
  return { perClass, macroF1 };
}
