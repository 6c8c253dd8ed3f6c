// Preparing a dataset on SageMaker (a Processing job, src/workflow/dataset/prepareRemote.ts) from the editor:
// instance type (with its price) and count, a modal confirmation with price and image before anything
// billable is created, a cancellable progress notification (cancel stops the job), the job's log tailed
// into its own output channel, and a "Processing jobs" node in the Datasets section listing the recent
// jobs with their status (click: show the log); a running job is also a "Running now" row, cost first.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes, renderReportMarkdown } from '../../core/dataset/prepareReport';
import type { JobSpec } from '../../core/spec/spec';
import type { Connection } from '../../workflow/connect';
import type { RemotePrepareResult } from '../../workflow/dataset/prepareRemote';
import type { Services } from '../services';
import { InfoNode, type Node } from '../tree/tree';
import { formatDuration, toAbortSignal } from '../ui';
import { register } from '../commands';
import { registerRunningSource, revealRunning, type RunningItem } from '../tree/runningSection';

const INSTANCE_CHOICES = ['ml.c5.4xlarge', 'ml.c5.9xlarge', 'ml.c5.2xlarge', 'ml.m5.4xlarge', 'ml.m5.xlarge'];
const STATUS_ICON: Record<string, string> = {
  InProgress: 'sync~spin',
  Stopping: 'sync~spin',
  Completed: 'pass',
  Failed: 'error',
  Stopped: 'circle-slash',
};
/** Local files above this size: the Prepare Dataset command offers the Processing job first. */
export const LARGE_DATASET_BYTES = 512 * 1024 * 1024;

/** The connection's price options (its endpoint override included: an emulator has no Price List). */
export function priceOptions(services: Services, conn: Connection) {
  return {
    cacheDir: path.join(services.context.globalStorageUri.fsPath, 'prices'),
    profile: conn.profile,
    awsEndpoint: conn.endpoint,
  };
}

class ProcessingJobNode implements Node {
  constructor(
    readonly jobName: string,
    readonly status: string,
    readonly created?: Date,
    readonly ended?: Date,
    readonly reason?: string,
  ) {}
  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.jobName, vscode.TreeItemCollapsibleState.None);
    const running = this.status === 'InProgress' || this.status === 'Stopping';
    const took = this.created
      ? formatDuration((this.ended ?? new Date()).getTime() - new Date(this.created).getTime())
      : '';
    item.description = `${this.status}${took ? ` · ${took}` : ''}${running ? ' · billing' : ''}`;
    item.tooltip = `${this.jobName}: ${this.status}${this.reason ? ` — ${this.reason}` : ''}. Click to show its log.`;
    item.iconPath = new vscode.ThemeIcon(STATUS_ICON[this.status] ?? 'circle-outline');
    item.contextValue = running ? 'processingJob.running' : 'processingJob';
    item.command = { command: 'sagemakerHf.showProcessingJobLogs', title: 'Show Log', arguments: [this.jobName] };
    return item;
  }
}

/** The "Processing jobs" node of the Datasets section (recent prep- jobs), or undefined when there are none. */
export async function processingJobsNode(services: Services): Promise<Node | undefined> {
  const conn = services.connection.current;
  if (!conn) return undefined;
  const { listPrepareJobs } = await import('../../workflow/processingJobs');
  let rows;
  try {
    rows = await listPrepareJobs(conn);
  } catch (err) {
    services.log.warn(`Listing Processing jobs failed: ${(err as Error).message}`);
    return undefined;
  }
  if (rows.length === 0) return undefined;
  const running = rows.filter((r) => r.status === 'InProgress' || r.status === 'Stopping').length;
  return new InfoNode('Processing jobs', running ? `${running} running` : `${rows.length} recent`, {
    icon: running ? 'sync~spin' : 'server-process',
    contextValue: 'processingJobs',
    kids: rows.map((r) => new ProcessingJobNode(r.name, r.status, r.created, r.ended, r.failureReason)),
  });
}

/** Instance type, count, confirmation with price, then the job with its log tailed. Undefined when declined. */
export async function prepareOnSageMakerFlow(
  services: Services,
  spec: JobSpec,
  name: string,
): Promise<RemotePrepareResult | undefined> {
  const conn = await services.connection.require();
  const { priceText } = await import('../../workflow/prices');
  const { planRemotePrepare, prepareOnSageMaker } = await import('../../workflow/dataset/prepareRemote');
  const prices = priceOptions(services, conn);
  const typePick = await services.ui.showQuickPick(
    Promise.all(
      INSTANCE_CHOICES.map(async (t) => ({
        label: t,
        description: await priceText(conn.region, t, 1, 'processing', prices),
      })),
    ),
    {
      title: `Prepare ${name} on SageMaker: instance type`,
      placeHolder: 'Tokenizing uses every vCPU of the instance (datasets.map with num_proc = vCPUs)',
    },
  );
  if (!typePick) return undefined;
  const countText = await services.ui.showInputBox({
    title: `Prepare ${name} on SageMaker: instances`,
    value: '1',
    prompt: 'Several instances split local JSONL files between them (ShardedByS3Key) or shard a Hub dataset',
    validateInput: (v) => (/^[1-9]\d?$/.test(v.trim()) ? undefined : 'A whole number from 1 to 99'),
  });
  if (!countText) return undefined;
  const opts = { instanceType: typePick.label, instanceCount: Number(countText.trim()) };
  const hubToken = (await services.context.secrets.get('sagemakerHf.hubToken')) || process.env.HF_TOKEN || undefined;
  // One clock reading for the plan confirmed and the job launched, so the name shown is the name created.
  const now = new Date();
  const plan = planRemotePrepare(spec, conn, { ...opts, hubToken, now });
  const { describeApplied } = await import('../../core/sagemaker/sdkDefaults');
  const price = await priceText(conn.region, opts.instanceType, opts.instanceCount, 'processing', prices);
  const go = await services.ui.showWarningMessage(
    `Start a SageMaker Processing job on ${opts.instanceType} x${opts.instanceCount}, ${price}?`,
    {
      modal: true,
      detail: [
        `Job: ${plan.jobName} — billed per instance while it runs (at most ${Math.round((plan.request.StoppingCondition?.MaxRuntimeInSeconds ?? 86400) / 3600)} h).`,
        `Image: ${plan.request.AppSpecification?.ImageUri}`,
        `Writes: s3://${conn.bucket}/${spec.dataset.s3Prefix}/ (the manifest last; staging under ${plan.jobS3Uri}/ is removed afterwards)`,
        ...plan.warnings.map((w) => `Warning: ${w}`),
        ...plan.sdkDefaults.map((a) => `Defaults file: ${describeApplied(a)}`),
      ].join('\n'),
    },
    'Start Processing Job',
  );
  if (go !== 'Start Processing Job') return undefined;
  const channels = services.jobChannels;
  channels.clear(plan.jobName);
  channels.show(plan.jobName);
  const result = await Promise.resolve(
    services.ui.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Preparing ${name} on SageMaker`, cancellable: true },
      (progress, token) =>
        prepareOnSageMaker(spec, conn, {
          ...opts,
          hubToken,
          now,
          scriptsDir: path.join(services.context.extensionPath, 'training-scripts'),
          signal: toAbortSignal(token),
          onProgress: (p) => {
            progress.report({ message: p.message });
            if (p.stage === 'launch' || p.stage === 'assemble')
              channels.appendLine(plan.jobName, `[sagemaker-hf] ${p.message}`);
            if (p.message.startsWith('Creating Processing job'))
              setTimeout(() => {
                services.tree.refresh('datasets');
                revealRunning(services, 'processing job', plan.jobName);
              }, 1000);
          },
          onLog: (l) => channels.appendLine(plan.jobName, l.kind === 'log' ? l.text : `[${l.kind}] ${l.text}`),
        }),
    ),
  ).finally(() => {
    services.tree.refresh('datasets');
    services.tree.refresh('running');
  });
  services.log.info(
    `Dataset ${name} prepared by Processing job ${result.jobName}: ${result.manifestUri} (${formatBytes(result.report.bytesWritten)})`,
  );
  return result;
}

/**
 * The Processing jobs that bill now (InProgress or Stopping), as Running now rows: the recent prep- jobs
 * listed, the running ones described for their instances, priced per instance-hour.
 */
export function registerProcessingRunningSource(services: Services): vscode.Disposable {
  return registerRunningSource({
    items: async (): Promise<RunningItem[]> => {
      const conn = services.connection.current;
      if (!conn) return [];
      const { listPrepareJobs, describeProcessingJob } = await import('../../workflow/processingJobs');
      const { resolvePrice, priceSource } = await import('../../workflow/prices');
      const { processingBillable } = await import('../../core/billing/runningNow');
      const running = (await listPrepareJobs(conn)).filter((r) => r.status === 'InProgress' || r.status === 'Stopping');
      const items = await Promise.all(
        running.map(async (r): Promise<RunningItem | undefined> => {
          const d = await describeProcessingJob(conn, r.name);
          const type = d.ProcessingResources?.ClusterConfig?.InstanceType;
          const p = type
            ? await resolvePrice(conn.region, type, 'processing', priceOptions(services, conn))
            : undefined;
          const billable = processingBillable(
            d,
            p && p.unit === 'hour' ? { perInstanceHour: p.amount, source: priceSource(p) } : undefined,
          );
          if (!billable) return undefined;
          return {
            billable,
            contextValue: 'processingJob.running',
            icon: ['sync~spin', 'charts.blue'],
            handle: { jobName: r.name, status: d.ProcessingJobStatus },
            command: { command: 'sagemakerHf.showProcessingJobLogs', title: 'Show Log', arguments: [r.name] },
          };
        }),
      );
      return items.filter((i): i is RunningItem => i !== undefined);
    },
  });
}

/** Prepare Dataset on SageMaker: the Processing job flow, then the report on request. */
export const prepareOnSageMakerCommand = (services: Services) => async (arg?: unknown) => {
  const uri = await services.specs.pick(arg);
  if (!uri) return;
  const { loadSpecFile } = await import('../../workflow/specFile');
  const spec = await loadSpecFile(uri.fsPath);
  const name = path.basename(uri.fsPath).replace(/\.sagemaker-hf\.json$/, '');
  const result = await prepareOnSageMakerFlow(services, spec, name);
  if (!result) return;
  const pick = await services.ui.showInformationMessage(
    `Dataset ready: ${Object.values(result.channels)
      .map((c) => c.rows)
      .join(' / ')} rows at ${result.manifestUri.replace(/\/[^/]+$/, '/')}.`,
    'Open Report',
  );
  if (pick === 'Open Report') {
    const doc = await vscode.workspace.openTextDocument({
      content: renderReportMarkdown(result.report),
      language: 'markdown',
    });
    await vscode.window.showTextDocument(doc, { preview: true });
  }
};

/** Follows a Processing job's log into its channel (the tree's job rows run it). */
export const showProcessingJobLogsCommand = (services: Services) => async (jobName?: string) => {
  if (typeof jobName !== 'string' || !jobName) return;
  const conn = await services.connection.require();
  const { tailProcessingJob } = await import('../../workflow/processingJobs');
  const channels = services.jobChannels;
  channels.clear(jobName);
  channels.show(jobName);
  await tailProcessingJob(conn, jobName, {
    follow: true,
    onLine: (l) => channels.appendLine(jobName, l.kind === 'log' ? l.text : `[${l.kind}] ${l.text}`),
  });
  services.tree.refresh('datasets');
};

export function activate(services: Services): void {
  register(services, 'sagemakerHf.prepareDatasetOnSageMaker', prepareOnSageMakerCommand);
  register(services, 'sagemakerHf.showProcessingJobLogs', showProcessingJobLogsCommand);
}
