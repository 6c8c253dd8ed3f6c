// The rows of a SageMaker training job in the Training Jobs section: the job (status, instance, elapsed
// time, billing, metrics) and, under it, its channels, hyperparameters, artifact and warm pool. What the
// rows show is read through the section's model (JobDescriber), which owns polling and caching.
import * as vscode from 'vscode';
import type { TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { errorLine } from '../../core/errors';
import { InfoNode, statusIcon, type Node } from './tree';
import { formatDuration } from '../ui';
import { lastMetricsSummary, metricsStore } from '../metricsStore';
import type { JobDescription } from '../../workflow/jobLogTail';
import { isTerminalStatus } from '../../core/sagemaker/jobStatus';
import { jobRowText } from '../../core/sagemaker/jobName';
import {
  formatJobBilling,
  formatWarmPool,
  jobBilling,
  warmPoolOf,
  warmPoolShort,
  type WarmPool,
} from '../../core/billing/billing';

/** What a job row needs of the section's model. */
export interface JobDescriber {
  readonly region: string;
  describe(name: string): Promise<JobDescription>;
}

/** A row of the jobs list, local or SageMaker. */
export interface JobNodeLike {
  jobName: string;
  local: boolean;
  /** Creation time (ms since the epoch), for sorting newest first; undefined when not known yet. */
  createdMs?: number;
}

/** A job's warm pool, shown under the job; "Release Warm Pool" acts on it. */
export class WarmPoolNode implements Node {
  parent?: Node;
  constructor(
    readonly jobName: string,
    readonly pool: WarmPool,
  ) {}
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Warm pool', vscode.TreeItemCollapsibleState.None);
    item.id = `job.sm.${this.jobName}.warmPool`;
    // Short, cost first (a narrow side bar cuts the rest); the price's source is in the tooltip.
    item.description = warmPoolShort(this.pool);
    item.iconPath = warmPoolIcon(this.pool);
    item.contextValue = this.pool.billing ? 'warmPool.billing' : 'warmPool';
    item.tooltip = this.pool.billing
      ? `${formatWarmPool(this.pool)}.\nThe instances of ${this.jobName} are kept for the next matching job and billed until the pool expires or is released (Release Warm Pool).`
      : this.pool.requested
        ? `${formatWarmPool(this.pool)}.`
        : `Warm pool ${this.pool.status}: not billed to this job.`;
    return item;
  }
}

/** A billing pool burns (orange flame), a requested one waits, an ended one is struck out. */
function warmPoolIcon(pool: WarmPool): vscode.ThemeIcon {
  if (pool.billing) return new vscode.ThemeIcon('flame', new vscode.ThemeColor('charts.orange'));
  return new vscode.ThemeIcon(pool.requested ? 'watch' : 'circle-slash');
}

/** Adds jobs from elsewhere (local runs), listed before the SageMaker jobs. */
const STATUS_ICON: Record<string, [string, string?]> = {
  InProgress: ['sync~spin', 'charts.blue'],
  Stopping: ['loading~spin', 'charts.yellow'],
  Completed: ['pass', 'testing.iconPassed'],
  Failed: ['error', 'testing.iconFailed'],
  Stopped: ['debug-stop', 'disabledForeground'],
};

export class SageMakerJobNode implements Node, JobNodeLike {
  readonly local = false;
  parent?: Node;
  desc?: JobDescription;
  tailing = false;

  constructor(
    readonly jobName: string,
    public summary: TrainingJobSummary | undefined,
    private readonly model: JobDescriber,
  ) {}

  get status(): string {
    return this.desc?.TrainingJobStatus ?? this.summary?.TrainingJobStatus ?? 'Unknown';
  }

  get createdMs(): number | undefined {
    const c = this.desc?.CreationTime ?? this.summary?.CreationTime;
    return c ? new Date(c).getTime() : undefined;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.jobName, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `job.sm.${this.jobName}`;
    const d = this.desc;
    const pool = d ? warmPoolOf(d, this.model.region) : undefined;
    // A finished job whose pool still bills is not done costing: the pool's icon, not the green check.
    item.iconPath = pool?.billing ? warmPoolIcon(pool) : statusIcon(STATUS_ICON[this.status] ?? ['circle-outline']);
    // "job.Completed.warmPool": the job menus still match /^job\.Completed/, and Release Warm Pool is added.
    item.contextValue = `job.${this.status}${pool?.billing ? '.warmPool' : ''}`;
    const parts: string[] = [];
    const status =
      d?.SecondaryStatus && d.SecondaryStatus !== this.status ? `${this.status} · ${d.SecondaryStatus}` : this.status;
    // The cost of a billing pool first after the status, before the longer facts a side bar cuts.
    if (pool?.billing) parts.push(`warm pool ${warmPoolShort(pool)}`);
    if (d?.ResourceConfig?.InstanceType)
      parts.push(`${d.ResourceConfig.InstanceType} × ${d.ResourceConfig.InstanceCount ?? 1}`);
    const start = d?.TrainingStartTime ?? d?.CreationTime ?? this.summary?.CreationTime;
    const end = d?.TrainingEndTime ?? this.summary?.TrainingEndTime;
    if (start)
      parts.push(
        formatDuration(
          (end ? new Date(end).getTime() : isTerminalStatus(this.status) ? new Date(start).getTime() : Date.now()) -
            new Date(start).getTime(),
        ),
      );
    const metrics = lastMetricsSummary(this.jobName);
    if (metrics) parts.push(metrics);
    if (d?.EnableManagedSpotTraining) {
      const b = jobBilling(d, this.model.region);
      parts.push(b.savingPercent !== undefined ? `spot, saved ${b.savingPercent.toFixed(0)}%` : 'spot');
    }
    if (this.tailing) parts.push('tailing');
    const row = jobRowText(this.jobName, status, parts);
    item.label = row.label;
    item.description = row.description;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${this.jobName}**\n\n`);
    md.appendText(`Status: ${this.status}${d?.SecondaryStatus ? ` (${d.SecondaryStatus})` : ''}\n`);
    if (d?.FailureReason) md.appendText(`\nFailure: ${d.FailureReason}\n`);
    if (pool) md.appendText(`\n${formatWarmPool(pool)}\n`);
    const created = d?.CreationTime ?? this.summary?.CreationTime;
    if (created) md.appendText(`\nCreated: ${new Date(created).toLocaleString()}\n`);
    if (this.tailing) md.appendText('\nLogs are being tailed into the Output panel.\n');
    item.tooltip = md;
    return item;
  }

  async children(): Promise<Node[]> {
    const d =
      this.desc ??
      (await this.model.describe(this.jobName).catch((err) => {
        return new InfoNode('Could not read the job', errorLine(err), { icon: 'warning' });
      }));
    if (d instanceof InfoNode) return [d];
    const kids: Node[] = [];
    const at = (n: Node) => {
      n.parent = this;
      kids.push(n);
    };
    if (d.FailureReason) at(new InfoNode('Failure reason', d.FailureReason, { icon: 'error' }));
    const channels = (d.InputDataConfig ?? []).map(
      (c) => new InfoNode(c.ChannelName ?? '?', c.DataSource?.S3DataSource?.S3Uri ?? '', { icon: 'database' }),
    );
    if (channels.length)
      at(new InfoNode('Channels', String(channels.length), { icon: 'folder', kids: channels, contextValue: 'info' }));
    const hp = Object.entries(d.HyperParameters ?? {})
      .filter(([k]) => !k.startsWith('sagemaker_'))
      .map(([k, v]) => new InfoNode(k, v.replace(/^"(.*)"$/, '$1'), { icon: 'symbol-parameter' }));
    if (hp.length)
      at(new InfoNode('Hyperparameters', String(hp.length), { icon: 'settings', kids: hp, contextValue: 'info' }));
    const finals = (d.FinalMetricDataList ?? []).map(
      (m) => new InfoNode(m.MetricName ?? '?', String(m.Value), { icon: 'graph' }),
    );
    if (finals.length)
      at(
        new InfoNode('Final metrics', String(finals.length), {
          icon: 'graph-line',
          kids: finals,
          contextValue: 'info',
        }),
      );
    const last = metricsStore.get(this.jobName)?.last;
    if (last && Object.keys(last).length) {
      const lastKids = Object.entries(last).map(([k, v]) => new InfoNode(k, String(v), { icon: 'pulse' }));
      at(
        new InfoNode('Last logged metrics', lastMetricsSummary(this.jobName) ?? '', {
          icon: 'pulse',
          kids: lastKids,
          contextValue: 'info',
        }),
      );
    }
    if (d.ModelArtifacts?.S3ModelArtifacts)
      at(new InfoNode('Model artifact', d.ModelArtifacts.S3ModelArtifacts, { icon: 'package' }));
    const billing = jobBilling(d, this.model.region);
    const billed = formatJobBilling(billing);
    if (billed || billing.spot) {
      const rows = [
        new InfoNode('Capacity', billing.spot ? 'managed spot' : 'on-demand', {
          icon: billing.spot ? 'zap' : 'server',
        }),
        ...(billing.trainingSeconds !== undefined
          ? [new InfoNode('Training time', `${billing.trainingSeconds} s`, { icon: 'watch' })]
          : []),
        ...(billing.billableSeconds !== undefined
          ? [new InfoNode('Billable time', `${billing.billableSeconds} s`, { icon: 'credit-card' })]
          : []),
        ...(billing.savingPercent !== undefined
          ? [
              new InfoNode(
                'Spot saving',
                `${billing.savingPercent.toFixed(0)}%${billing.savingDollars !== undefined ? ` ($${billing.savingDollars.toFixed(2)} at the on-demand price)` : ''}`,
                { icon: 'graph' },
              ),
            ]
          : []),
        ...(d.CheckpointConfig?.S3Uri
          ? [new InfoNode('Checkpoints', d.CheckpointConfig.S3Uri, { icon: 'save-all' })]
          : []),
      ];
      at(
        new InfoNode('Billing', billed ?? (billing.spot ? 'spot' : ''), {
          icon: 'credit-card',
          kids: rows,
          contextValue: 'info',
        }),
      );
    }
    const pool = warmPoolOf(d, this.model.region);
    if (pool) at(new WarmPoolNode(this.jobName, pool));
    return kids;
  }
}

/** The SageMaker job list, its cache and the poller. */
