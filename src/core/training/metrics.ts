// The metric line contract between training-scripts/train.py and everything that reads its output
// (the log tail, the metrics chart, SageMaker MetricDefinitions):
//
//   [metrics] step=120 epoch=0.5 loss=0.5123 learning_rate=2.5e-05
//   [metrics] step=667 epoch=1.0 eval_loss=0.31 eval_accuracy=0.912
//
// One line per logging event: the literal prefix "[metrics]", then space-separated key=value pairs;
// keys match [A-Za-z_][A-Za-z0-9_]*, values are numbers as Python's repr prints them (nan/inf allowed).

export const METRICS_PREFIX = '[metrics]';

export type MetricRecord = Record<string, number>;

const PAIR = /([A-Za-z_][A-Za-z0-9_]*)=(-?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|inf))(?=\s|$)/g;

/** Parses one log line; undefined when it is not a metrics line. The prefix may follow a timestamp. */
export function parseMetricsLine(line: string): MetricRecord | undefined {
  const at = line.indexOf(METRICS_PREFIX);
  if (at < 0) return undefined;
  const rest = line.slice(at + METRICS_PREFIX.length);
  const out: MetricRecord = {};
  let found = false;
  for (const m of rest.matchAll(PAIR)) {
    const v = m[2] === 'nan' ? NaN : m[2] === 'inf' ? Infinity : m[2] === '-inf' ? -Infinity : Number(m[2]);
    out[m[1]!] = v;
    found = true;
  }
  return found ? out : undefined;
}

/** The metrics train.py prints and that the tree, the chart and MetricDefinitions know by name. */
export const KNOWN_METRICS = [
  'loss',
  'learning_rate',
  'epoch',
  'eval_loss',
  'eval_accuracy',
  'train_samples_per_second',
  'compile_seconds',
] as const;

/** SageMaker MetricDefinitions (CloudWatch regexes) for the known metrics. */
export function metricDefinitions(): { Name: string; Regex: string }[] {
  const num = '([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)';
  return KNOWN_METRICS.map((name) => ({ Name: name, Regex: `\\[metrics\\].* ${name}=${num}` }));
}
