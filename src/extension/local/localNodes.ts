// The local target's rows in the trees: a local training job (status, metrics, command, channels,
// folder; Stop and Deploy on it) and a local endpoint (the serve.py server; Try Predictions and Delete).
// The actions themselves are the local feature's (localFeature.ts), reached through LocalActions.
import * as vscode from 'vscode';
import type { LocalEndpointRecord } from '../../workflow/local/localEndpoint';
import type { LocalJobRecord, LocalJobStatus } from '../../workflow/local/localTraining';
import { metricsStore, lastMetricsSummary } from '../metricsStore';
import { InfoNode, statusIcon, type Node } from '../tree/tree';
import { formatDuration } from '../ui';
import { jobRowText } from '../../core/sagemaker/jobName';
import { localEndpointRow } from '../../core/endpoints/localEndpointRow';

/** What the nodes' actions call. */
export interface LocalActions {
  stopJob(jobName: string): Promise<void>;
  deployJob(job: LocalJobRecord): Promise<unknown>;
  openPredictions(e: LocalEndpointRecord): unknown;
  deleteEndpoint(e: LocalEndpointRecord): Promise<unknown>;
}

const STATUS_ICON: Record<LocalJobStatus, [string, string?]> = {
  InProgress: ['sync~spin', 'charts.blue'],
  Completed: ['pass', 'testing.iconPassed'],
  Failed: ['error', 'testing.iconFailed'],
  Stopped: ['debug-stop', 'disabledForeground'],
};

export class LocalJobNode implements Node {
  readonly local = true;
  parent?: Node;
  constructor(
    public job: LocalJobRecord,
    private readonly feature: LocalActions,
  ) {}
  get jobName(): string {
    return this.job.jobName;
  }
  get status(): LocalJobStatus {
    return this.job.status;
  }
  get createdMs(): number {
    return new Date(this.job.createdAt).getTime();
  }
  treeItem(): vscode.TreeItem {
    const j = this.job;
    const item = new vscode.TreeItem(j.jobName, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `job.local.${j.jobName}`;
    item.iconPath = statusIcon(STATUS_ICON[j.status]);
    item.contextValue = `job.local.${j.status}`;
    const took = formatDuration(
      (j.endedAt ? new Date(j.endedAt).getTime() : Date.now()) - new Date(j.createdAt).getTime(),
    );
    // The row stays short (a narrow side bar cuts it); metrics, times and the folder are in the tooltip.
    const row = jobRowText(j.jobName, j.status, ['local', took]);
    item.label = row.label;
    item.description = row.description;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${j.jobName}** (local)\n\n`);
    md.appendText(`Status: ${j.status} · ${took}\n`);
    md.appendText(`\nCreated: ${new Date(j.createdAt).toLocaleString()}\n`);
    const metrics = lastMetricsSummary(j.jobName);
    if (metrics) md.appendText(`\nLast metrics: ${metrics}\n`);
    if (j.failureReason) md.appendText(`\nFailure: ${j.failureReason}\n`);
    md.appendText(`\nFolder: ${j.jobDir}\n`);
    item.tooltip = md;
    item.command = { command: 'sagemakerHf.showJobLogs', title: 'Show Training Logs', arguments: [this] };
    return item;
  }
  children(): Node[] {
    const j = this.job;
    const kids: Node[] = [];
    if (j.failureReason) kids.push(new InfoNode('Failure reason', j.failureReason, { icon: 'error' }));
    if (j.lastLines?.length)
      kids.push(
        new InfoNode('Last lines', String(j.lastLines.length), {
          icon: 'output',
          contextValue: 'info',
          kids: j.lastLines.map((l) => new InfoNode(l, undefined, { icon: 'blank' })),
        }),
      );
    const last = metricsStore.get(j.jobName)?.last;
    if (last && Object.keys(last).length) {
      kids.push(
        new InfoNode('Last logged metrics', lastMetricsSummary(j.jobName) ?? '', {
          icon: 'pulse',
          contextValue: 'info',
          kids: Object.entries(last).map(([k, v]) => new InfoNode(k, String(v), { icon: 'pulse' })),
        }),
      );
    }
    kids.push(new InfoNode('Command', `python ${j.entryPoint} ${j.args.join(' ')}`, { icon: 'terminal' }));
    const ch = Object.entries(j.channels).map(([c, d]) => new InfoNode(c, d, { icon: 'database' }));
    kids.push(new InfoNode('Channels', String(ch.length), { icon: 'folder', kids: ch, contextValue: 'info' }));
    if (j.modelArtifact) kids.push(new InfoNode('Model artifact', j.modelArtifact, { icon: 'package' }));
    kids.push(
      new InfoNode('Job folder', j.jobDir, {
        icon: 'folder-opened',
        command: { command: 'revealFileInOS', title: 'Reveal', arguments: [vscode.Uri.file(j.jobDir)] },
      }),
    );
    return kids;
  }
  /** Stop action (sagemakerHf.stopTrainingJob on a local node). */
  stop(): Promise<void> {
    return this.feature.stopJob(this.jobName);
  }
  /** Deploy action (sagemakerHf.deployEndpoint on a local node). */
  deploy(): Promise<unknown> {
    return this.feature.deployJob(this.job);
  }
}

export class LocalEndpointNode implements Node {
  readonly local = true;
  readonly status = 'InService';
  readonly pricePerHour = 0;
  parent?: Node;
  constructor(
    readonly record: LocalEndpointRecord,
    private readonly feature: LocalActions,
  ) {}
  get endpointName(): string {
    return this.record.name;
  }
  get url(): string {
    return this.record.url;
  }
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.record.name, vscode.TreeItemCollapsibleState.None);
    item.id = `endpoint.local.${this.record.name}`;
    item.iconPath = new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('testing.iconPassed'));
    item.contextValue = 'endpoint.local.InService';
    const row = localEndpointRow(this.record, this.status);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.command = { command: 'sagemakerHf.openPredictions', title: 'Try Predictions', arguments: [this] };
    return item;
  }
  openPredictions(): unknown {
    return this.feature.openPredictions(this.record);
  }
  deleteEndpoint(): Promise<unknown> {
    return this.feature.deleteEndpoint(this.record);
  }
}
