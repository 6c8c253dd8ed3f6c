// The job details panel: status, billing and the metrics charts of one training job (SageMaker or
// local), fed from the metrics store as log lines arrive. The page is untrusted: the shared shell's CSP
// (webviewHtml), every message checked by isFromPage.
import * as vscode from 'vscode';
import { emptyMetricsText, isFromPage, toPoints, type ToPage } from '../../webview/jobDetailsProtocol';
import { jobBillingLine } from '../../core/billing/billing';
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
button:hover { background: var(--vscode-button-hoverBackground); } button:focus { outline: 1px solid var(--vscode-focusBorder); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 8px 24px; margin-top: 12px; }
.chart { min-width: 0; overflow: hidden; } .chart[hidden] { display: none; }
.u-title { font-size: 1em !important; font-weight: 600 !important; }
.u-legend { color: var(--vscode-foreground); font-size: 0.9em; } .u-legend .u-marker { border-width: 2px !important; }
#last { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 8px 0 0; font-variant-numeric: tabular-nums; }
#last div { display: flex; gap: 6px; } #last dt { color: var(--vscode-descriptionForeground); } #last dd { margin: 0; font-weight: 600; }`;

// A function, not a constant: emptyMetricsText lives in the heavy bundle, loaded on first use only.
const pageBody =
  () => `<header><h1 id="title"></h1><span id="status" role="status"></span><span id="detail"></span><span id="billing"></span><button id="show-logs">Show Logs</button></header>
<p id="empty">${emptyMetricsText('')}</p>
<dl id="last" aria-label="Last logged values"></dl>
<div class="charts">
<div id="chart-loss" class="chart" hidden></div>
<div id="chart-lr" class="chart" hidden></div>
<div id="chart-acc" class="chart" hidden></div>
</div>`;

export class JobDetailsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

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
    const statusOf = (): { status: string; detail: string; billing?: string } => {
      const n = this.jobs.node(job);
      const d = n?.desc;
      if (local) return { status: `Local job: ${sourceJobNode(job)?.status ?? 'unknown'}`, detail: '' };
      const billing = d ? jobBillingLine(d, this.services.connection.current?.region ?? 'us-east-1') : undefined;
      return {
        status: n?.status ?? 'Unknown',
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
        else void vscode.commands.executeCommand('sagemakerHf.showJobLogs', local ? { jobName: job, local } : job);
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
    // The chart needs the job's [metrics] lines: read the log if no tail has yet (a finished job's tail
    // reads once and ends), without pulling the output channel to the front.
    if (!local && !metricsStore.get(job) && !this.tails.isTailing(job)) this.tails.start(job, { show: false });
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
  }
}
