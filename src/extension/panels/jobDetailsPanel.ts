// The job details panel: what the console shows of one training job (SageMaker or local: instances,
// times, billing, status history, hyperparameters, channels, outputs), its Deploy / Stop / Open Logs /
// Copy ARN actions and the metrics charts, fed from the metrics store as log lines arrive. The page is
// untrusted: the shared shell's CSP (webviewHtml), every message checked by isFromPage.
import * as vscode from 'vscode';
import {
  emptyMetricsText,
  isFromPage,
  toPoints,
  type JobState,
  type PageAction,
  type ToPage,
} from '../../webview/jobDetailsProtocol';
import { jobBillingLine } from '../../core/billing/billing';
import { jobActions, localJobFacts, sageMakerJobFacts, type LocalJobFactsFields } from '../../core/training/jobFacts';
import type { Services } from '../services';
import { metricsStore } from '../metricsStore';
import { redactedMessage } from '../redacting';
import { onDidChangeWarmPools, sourceJobNode, type JobsModel } from '../tree/jobsSection';
import { webviewHtml } from './webviewHtml';

/** What the panel needs of the log tails: a finished job's chart comes from reading its log once. */
export interface LogTailing {
  isTailing(job: string): boolean;
  start(job: string, opts: { show: boolean }): unknown;
}

// uPlot's chart classes (u-title, u-legend) are styled here: the page has no stylesheet of its own.
const PAGE_STYLE = `body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 16px; }
header { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
h1 { font-size: 1.3em; font-weight: 600; margin: 12px 0 4px; }
#status { font-weight: 600; } #detail { color: var(--vscode-descriptionForeground); } #billing { color: var(--vscode-descriptionForeground); }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; border-radius: 2px; }
button:hover { background: var(--vscode-button-hoverBackground); } button:focus:not(:focus-visible) { outline: none; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 8px 24px; margin-top: 12px; }
.chart { min-width: 0; overflow: hidden; } .chart[hidden] { display: none; }
.u-title { font-size: 1em !important; font-weight: 600 !important; }
.u-legend { color: var(--vscode-foreground); font-size: 0.9em; } .u-legend .u-marker { border-width: 2px !important; }
#last { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 8px 0 0; font-variant-numeric: tabular-nums; }
#last div { display: flex; gap: 6px; } #last dt { color: var(--vscode-descriptionForeground); } #last dd { margin: 0; font-weight: 600; }
#actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
button:focus-visible { outline: 2px solid var(--vscode-focusBorder); outline-offset: 2px; }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
button[hidden] { display: none; }
#facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 4px 24px; margin-top: 8px; }
#facts section { min-width: 0; } #facts h2 { font-size: 1em; font-weight: 600; margin: 10px 0 4px; }
#facts dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
#facts dt { color: var(--vscode-descriptionForeground); } #facts dd { margin: 0; overflow-wrap: anywhere; }
#facts dd.code { font-family: var(--vscode-editor-font-family); font-size: 0.92em; }
.metrics-title { font-size: 1.1em; font-weight: 600; margin: 16px 0 4px; }
.chart-last { font-variant-numeric: tabular-nums; color: var(--vscode-descriptionForeground); margin: 2px 0 0; }
.chart-last b { color: var(--vscode-foreground); }`;

// A function, not a constant: emptyMetricsText lives in the heavy bundle, loaded on first use only.
const pageBody =
  () => `<header><h1 id="title"></h1><span id="status" role="status"></span><span id="detail"></span><span id="billing"></span></header>
<div id="actions" role="group" aria-label="Job actions">
<button id="deploy" hidden aria-label="Deploy this job's model to an endpoint">Deploy</button>
<button id="stop" class="secondary" hidden aria-label="Stop this training job">Stop</button>
<button id="show-logs" class="secondary" aria-label="Open this job's logs in the Output panel">Open Logs</button>
<button id="copy-arn" class="secondary" hidden aria-label="Copy this job's ARN to the clipboard">Copy ARN</button>
</div>
<div id="facts" aria-label="Job details"></div>
<h2 class="metrics-title">Metrics</h2>
<p id="empty">${emptyMetricsText('')}</p>
<dl id="last" aria-label="Last logged values"></dl>
<div class="charts">
<div id="chart-loss" class="chart" role="figure" aria-label="Loss and eval loss over step" hidden></div>
<div id="chart-lr" class="chart" role="figure" aria-label="Learning rate over step" hidden></div>
<div id="chart-acc" class="chart" role="figure" aria-label="Eval accuracy over step" hidden></div>
</div>`;

export class JobDetailsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  /** The ARN each page was last sent: Copy ARN copies what the user sees. */
  private readonly arns = new Map<string, string>();

  constructor(
    private readonly services: Services,
    private readonly tails: LogTailing,
    private readonly jobs: JobsModel,
  ) {}

  open(job: string, local: boolean): void {
    const existing = this.panels.get(job);
    if (existing) {
      existing.reveal();
      return;
    }
    const root = vscode.Uri.joinPath(this.services.context.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('sagemakerHf.jobDetails', `Job: ${job}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [root],
    });
    this.panels.set(job, panel);
    const web = panel.webview;
    const script = web.asWebviewUri(vscode.Uri.joinPath(root, 'jobDetailsPage.js'));
    web.html = webviewHtml({
      title: 'Job details',
      cspSource: web.cspSource,
      script: script.toString(),
      style: PAGE_STYLE,
      body: pageBody(),
    });
    let sent = 0;
    const post = (m: ToPage) => void web.postMessage(redactedMessage(m));
    const region = () => this.services.connection.current?.region ?? 'us-east-1';
    const statusOf = (): JobState => {
      if (local) {
        const node = sourceJobNode(job);
        const record = (node as { job?: LocalJobFactsFields } | undefined)?.job;
        const status = node?.status ?? 'unknown';
        return {
          status: `Local job: ${status}`,
          detail: '',
          facts: record ? localJobFacts(record) : [],
          actions: jobActions(status, !!record?.modelArtifact),
        };
      }
      const n = this.jobs.node(job);
      const d = n?.desc;
      const billing = d ? jobBillingLine(d, region()) : undefined;
      const status = n?.status ?? 'Unknown';
      if (d?.TrainingJobArn) this.arns.set(job, d.TrainingJobArn);
      return {
        status,
        facts: d ? sageMakerJobFacts(d, region()) : [],
        actions: jobActions(status, !!d?.ModelArtifacts?.S3ModelArtifacts, d?.TrainingJobArn),
        detail: [
          d?.SecondaryStatus !== n?.status ? d?.SecondaryStatus : undefined,
          d?.FailureReason,
          this.tails.isTailing(job) ? 'tailing logs' : '',
        ]
          .filter(Boolean)
          .join(' · '),
        ...(billing ? { billing } : {}),
      };
    };
    const init = () => {
      const records = metricsStore.get(job)?.records ?? [];
      sent = records.length;
      post({ type: 'init', job, ...statusOf(), points: toPoints(records) });
    };
    const subs = [
      web.onDidReceiveMessage((msg: unknown) => {
        if (!isFromPage(msg)) {
          this.services.log.warn(`job details: ignored an unexpected message from the page`);
          return;
        }
        if (msg.type === 'ready') init();
        else
          this.act(msg.type, job, local).catch((err: unknown) => {
            const line = `job details: ${msg.type} failed: ${err instanceof Error ? err.message : String(err)}`;
            this.services.log.error(line);
            void this.services.ui.showErrorMessage(line);
          });
      }),
      // Every DescribeTrainingJob fires this: billable seconds and the warm pool follow the job.
      onDidChangeWarmPools(() => post({ type: 'status', ...statusOf() })),
      metricsStore.onDidChange((changed) => {
        if (changed !== job) return;
        const records = metricsStore.get(job)?.records ?? [];
        if (records.length < sent) return init();
        const fresh = records.slice(sent);
        sent = records.length;
        if (fresh.length) post({ type: 'append', points: toPoints(fresh) });
        post({ type: 'status', ...statusOf() });
      }),
    ];
    panel.onDidDispose(() => {
      this.panels.delete(job);
      for (const s of subs) s.dispose();
    });
    // The facts need the job's description: a finished job listed but never expanded has none yet.
    if (!local && !this.jobs.node(job)?.desc)
      this.jobs.describe(job).catch((err: unknown) => this.services.log.warn(`job details: ${String(err)}`));
    // The chart needs the job's [metrics] lines: read the log if no tail has yet (a finished job's tail
    // reads once and ends), without pulling the output channel to the front.
    if (!local && !metricsStore.get(job) && !this.tails.isTailing(job)) this.tails.start(job, { show: false });
  }

  /** A page button: the same commands as the tree row's actions, on this job. */
  private async act(action: PageAction, job: string, local: boolean): Promise<void> {
    const node = local ? sourceJobNode(job) : { jobName: job, local: false };
    if (action === 'showLogs') {
      await vscode.commands.executeCommand('sagemakerHf.showJobLogs', local ? { jobName: job, local } : job);
    } else if (action === 'deploy') {
      await vscode.commands.executeCommand('sagemakerHf.deployEndpoint', node);
    } else if (action === 'stop') {
      await vscode.commands.executeCommand('sagemakerHf.stopTrainingJob', node ?? { jobName: job, local });
    } else {
      const arn = this.arns.get(job);
      if (!arn) throw new Error(`the ARN of ${job} is not known yet`);
      // A browser (code-server) may refuse the clipboard: the message then still shows the ARN to copy.
      const copied = await Promise.race([
        vscode.env.clipboard.writeText(arn).then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
      ]);
      void this.services.ui.showInformationMessage(
        copied ? `Copied the ARN of ${job}: ${arn}` : `The clipboard is not available here; the ARN of ${job}: ${arn}`,
      );
    }
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
  }
}
