// What an evaluation of an endpoint is made of: the labelled texts it sends and the result it reports
// (accuracy, confusion matrix, latency). Types only, shared by the workflow that computes them and the
// predictions page that draws them.
export interface LabelledText {
  text: string;
  label: string;
}

export interface EvaluationResult {
  total: number;
  evaluated: number;
  correct: number;
  accuracy: number;
  /** Row = true label, column = predicted label, both in `labels` order. */
  labels: string[];
  confusion: number[][];
  latencyMs: { p50: number; p90: number; p99: number; mean: number };
  errors: number;
  firstError?: string;
  durationMs: number;
}
