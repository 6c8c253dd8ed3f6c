// Messages between the job details panel (extension side) and its page (src/webview/jobDetailsPage.ts).
// Both sides validate what they receive with the guards below and ignore anything else.
import { TERMINAL_STATUSES } from '../core/sagemaker/jobStatus';
import type { FactGroup, JobActions } from '../core/training/jobFacts';

export type { FactGroup, JobActions };

/** One logged step; null where the metric was not logged at that step. JSON cannot carry NaN. */
export interface MetricPoint {
  step: number;
  loss: number | null;
  eval_loss: number | null;
  learning_rate: number | null;
  eval_accuracy: number | null;
  epoch: number | null;
}

export const POINT_KEYS = ['loss', 'eval_loss', 'learning_rate', 'eval_accuracy', 'epoch'] as const;

/** What the header and the facts table show; sent at init and again whenever the job is described. */
export interface JobState {
  status: string;
  detail: string;
  billing?: string;
  facts: FactGroup[];
  actions: JobActions;
}

export type ToPage =
  | ({ type: 'init'; job: string; points: MetricPoint[] } & JobState)
  | { type: 'append'; points: MetricPoint[] }
  | ({ type: 'status' } & JobState);

const FINISHED = new RegExp(`^(${TERMINAL_STATUSES.join('|')})\\b`);

/** What the page says while it has no metric points: a finished job will print none any more. */
export function emptyMetricsText(status: string): string {
  const m = FINISHED.exec(status.replace(/^Local job:\s*/, ''));
  if (m)
    return `This job finished (${m[1]}) and printed no [metrics] lines, so there is nothing to chart. train.py prints them every logging_steps; a script of your own has to print lines like "[metrics] step=10 loss=0.5".`;
  return 'No metrics yet: the chart fills in as the job prints [metrics] lines (loss, learning rate, eval accuracy).';
}

export const PAGE_ACTIONS = ['showLogs', 'deploy', 'stop', 'copyArn'] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];
export type FromPage = { type: 'ready' } | { type: PageAction };

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** Training vs billable seconds, spot saving, warm pool: one line, absent until SageMaker reports them. */
const optString = (x: unknown) => x === undefined || typeof x === 'string';
const numOrNull = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));

const isFactGroup = (g: unknown): g is FactGroup =>
  isObj(g) &&
  typeof g.title === 'string' &&
  Array.isArray(g.rows) &&
  g.rows.every(
    (r) =>
      isObj(r) &&
      typeof r.label === 'string' &&
      typeof r.value === 'string' &&
      (r.code === undefined || typeof r.code === 'boolean'),
  );
const isActions = (a: unknown): a is JobActions =>
  isObj(a) && typeof a.deploy === 'boolean' && typeof a.stop === 'boolean' && optString(a.arn);
const isJobState = (x: Record<string, unknown>) =>
  typeof x.status === 'string' &&
  typeof x.detail === 'string' &&
  optString(x.billing) &&
  Array.isArray(x.facts) &&
  x.facts.every(isFactGroup) &&
  isActions(x.actions);

export function isMetricPoint(x: unknown): x is MetricPoint {
  return isObj(x) && typeof x.step === 'number' && Number.isFinite(x.step) && POINT_KEYS.every((k) => numOrNull(x[k]));
}

export function isToPage(x: unknown): x is ToPage {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'init':
      return typeof x.job === 'string' && Array.isArray(x.points) && x.points.every(isMetricPoint) && isJobState(x);
    case 'append':
      return Array.isArray(x.points) && x.points.every(isMetricPoint);
    case 'status':
      return isJobState(x);
    default:
      return false;
  }
}

export function isFromPage(x: unknown): x is FromPage {
  return (
    isObj(x) &&
    (x.type === 'ready' || (PAGE_ACTIONS as readonly unknown[]).includes(x.type)) &&
    Object.keys(x).length === 1
  );
}

/** Metric records (as parsed from `[metrics]` lines) to chart points; records without a step are skipped. */
export function toPoints(records: Record<string, number>[]): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const r of records) {
    if (r.step === undefined || !Number.isFinite(r.step)) continue;
    const p = { step: r.step } as MetricPoint;
    for (const k of POINT_KEYS) {
      const v = r[k];
      p[k] = v !== undefined && Number.isFinite(v) ? v : null;
    }
    out.push(p);
  }
  return out;
}
