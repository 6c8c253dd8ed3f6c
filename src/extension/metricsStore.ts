// The `[metrics]` lines each job printed (SageMaker tails and local runs alike), parsed once, kept per job
// for the job details chart and the tree's last values.
import * as vscode from 'vscode';
import { parseMetricsLine, type MetricRecord } from '../core/training/metrics';

export interface JobMetrics {
  /** Every record in the order printed. */
  records: MetricRecord[];
  /** The most recent value of each metric name. */
  last: MetricRecord;
}

/** A long job logs a few thousand records; far more than any chart needs, and bounded. */
const MAX_RECORDS = 20_000;

class MetricsStore implements vscode.Disposable {
  private readonly jobs = new Map<string, JobMetrics>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the job name after new records arrived (at most once per append call). */
  readonly onDidChange = this.changed.event;

  /** Feeds one output line; lines that are not metrics lines are ignored. Returns the parsed record. */
  append(jobName: string, line: string): MetricRecord | undefined {
    const rec = parseMetricsLine(line);
    if (!rec) return undefined;
    let m = this.jobs.get(jobName);
    if (!m) {
      m = { records: [], last: {} };
      this.jobs.set(jobName, m);
    }
    m.records.push(rec);
    if (m.records.length > MAX_RECORDS) m.records.splice(0, m.records.length - MAX_RECORDS);
    Object.assign(m.last, rec);
    this.changed.fire(jobName);
    return rec;
  }

  get(jobName: string): JobMetrics | undefined {
    return this.jobs.get(jobName);
  }

  /** Forget a job's metrics (before re-reading its log from the start). */
  clear(jobName: string): void {
    if (this.jobs.delete(jobName)) this.changed.fire(jobName);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export const metricsStore = new MetricsStore();

/** `loss 0.412 · eval_accuracy 0.913` for the tree; undefined when the job printed no metrics. */
export function lastMetricsSummary(jobName: string): string | undefined {
  const last = metricsStore.get(jobName)?.last;
  if (!last) return undefined;
  const parts: string[] = [];
  for (const k of ['loss', 'eval_loss', 'eval_accuracy', 'epoch']) {
    const v = last[k];
    if (v !== undefined && Number.isFinite(v))
      parts.push(`${k} ${k === 'epoch' ? v.toFixed(2) : Number(v.toPrecision(3))}`);
  }
  return parts.length ? parts.join(' · ') : undefined;
}
