// Watching training: the jobs section, CloudWatch log tails into one output channel per job (several at
// once, each stoppable), a status bar spinner while tails run, and the job details chart. No progress
// notification is held open: a tail can run for hours, so its state lives on the tree node and in the
// status bar, and a notification appears only when a tailed job ends.
import * as vscode from 'vscode';
import { errorLine, isCancelled } from '../../core/errors';
import { isTerminalStatus, tailTrainingJob, type JobDescription } from '../../workflow/jobLogTail';
import { emptyMetricsText, isFromPage, toPoints, type ToPage } from '../../webview/jobDetailsProtocol';
import { localJobStatus } from '../local/local';
import type { Services } from '../services';
import { command } from '../ui';
import { isJobNode, onDidChangeWarmPools, registerJobsSection, type JobsModel } from '../tree/jobsSection';
import { jobBillingLine } from '../../core/billing/billing';
import { metricsStore } from '../metricsStore';

interface Tail {
  job: string;
  abort: AbortController;
  done: Promise<string | undefined>;
  status?: JobDescription;
}

function jobArg(arg: unknown): { jobName: string; local: boolean } | undefined {
  if (typeof arg === 'string' && arg.trim()) return { jobName: arg.trim(), local: false };
  if (isJobNode(arg)) return { jobName: arg.jobName, local: arg.local };
  return undefined;
}

export class LogTails implements vscode.Disposable {
  private readonly tails = new Map<string, Tail>();
  /** Jobs whose channel already holds the whole log of a finished job: showing them needs no re-read. */
  private readonly complete = new Set<string>();
  private readonly statusItem: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly services: Services, private readonly jobs: JobsModel) {
    this.statusItem = vscode.window.createStatusBarItem('sagemakerHf.tails', vscode.StatusBarAlignment.Left, 9);
    this.statusItem.name = 'SageMaker HF Log Tails';
    this.statusItem.command = 'sagemakerHf.stopTailing';
    // Disposing a job's channel (jobChannels.close) is the one "closed" signal there is: stop its polling.
    this.subs.push(services.jobChannels.onDidClose((job) => {
      this.complete.delete(job);
      this.stop(job);
    }));
  }

  get running(): string[] {
    return [...this.tails.keys()];
  }

  isTailing(job: string): boolean {
    return this.tails.has(job);
  }

  private render(): void {
    const jobs = this.running;
    if (!jobs.length) {
      this.statusItem.hide();
      return;
    }
    this.statusItem.text = `$(loading~spin) Tailing ${jobs.length === 1 ? jobs[0] : `${jobs.length} jobs`}`;
    this.statusItem.tooltip = `Tailing CloudWatch logs of ${jobs.join(', ')}. Click to show or stop a tail.`;
    this.statusItem.show();
  }

  /** Starts a tail of the job into its channel (or returns the running one). */
  start(job: string, opts: { show: boolean }): Tail {
    const running = this.tails.get(job);
    if (running) {
      if (opts.show) this.services.jobChannels.show(job);
      return running;
    }
    const ch = this.services.jobChannels;
    if (this.complete.has(job) && ch.has(job)) {
      if (opts.show) ch.show(job);
      return { job, abort: new AbortController(), done: Promise.resolve(undefined) };
    }
    // A fresh tail reads the log from its start; old text would repeat.
    ch.clear(job);
    metricsStore.clear(job);
    const abort = new AbortController();
    const tail: Tail = { job, abort, done: Promise.resolve(undefined) };
    this.tails.set(job, tail);
    this.jobs.setTailing(job, true);
    this.render();
    ch.appendLine(job, `Tailing CloudWatch logs of training job ${job} (stop: "SageMaker HF: Stop Tailing Logs", or the status bar).`);
    if (opts.show) ch.show(job);
    tail.done = (async () => {
      const conn = await this.services.connection.require();
      return tailTrainingJob(conn, job, {
        follow: true,
        signal: abort.signal,
        onLine: (l) => {
          ch.appendLine(job, l.text);
          if (l.kind === 'log') metricsStore.append(job, l.text);
        },
        onStatus: (d) => {
          tail.status = d;
          this.jobs.update(d);
        },
      });
    })()
      .then((status) => {
        this.finished(job, status, tail.status);
        return status;
      })
      .catch((err) => {
        if (isCancelled(err) || abort.signal.aborted) {
          if (this.services.jobChannels.has(job)) ch.appendLine(job, '(tail stopped; "Show Training Logs" on the job resumes it)');
        } else {
          ch.appendLine(job, `Tailing failed: ${errorLine(err)}`);
          this.services.log.error(`tailing ${job} failed: ${errorLine(err)}`);
          void vscode.window.showErrorMessage(`Tailing the logs of ${job} failed: ${errorLine(err)}`, 'Show Logs').then((c) => c && ch.show(job));
        }
        return undefined;
      })
      .finally(() => {
        if (this.tails.get(job) === tail) this.tails.delete(job);
        this.jobs.setTailing(job, false);
        this.render();
      });
    return tail;
  }

  private finished(job: string, status: string, desc: JobDescription | undefined): void {
    if (!isTerminalStatus(status)) return;
    this.complete.add(job);
    const ch = this.services.jobChannels;
    if (status === 'Failed') {
      void vscode.window.showErrorMessage(`Training job ${job} failed: ${desc?.FailureReason ?? 'no reason given'}`, 'Show Logs').then((c) => c && ch.show(job));
    } else if (status === 'Completed' && desc && Date.now() - new Date(desc.TrainingEndTime ?? 0).getTime() < 3600_000) {
      // Only a job that ended while the user watched is news; re-reading an old job is not.
      void vscode.window.showInformationMessage(`Training job ${job} completed.`, 'Open Details', 'Show Logs').then((c) => {
        if (c === 'Show Logs') ch.show(job);
        if (c === 'Open Details') void vscode.commands.executeCommand('sagemakerHf.openJobDetails', job);
      });
    }
  }

  stop(job: string): boolean {
    const t = this.tails.get(job);
    if (!t) return false;
    t.abort.abort();
    return true;
  }

  dispose(): void {
    for (const t of this.tails.values()) t.abort.abort();
    this.statusItem.dispose();
    for (const s of this.subs) s.dispose();
  }
}

class JobDetailsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, vscode.WebviewPanel>();

  constructor(private readonly services: Services, private readonly tails: LogTails, private readonly jobs: JobsModel) {}

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
    const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    const web = panel.webview;
    const script = web.asWebviewUri(vscode.Uri.joinPath(root, 'jobDetailsPage.js'));
    web.html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${web.cspSource} 'nonce-${nonce}'; img-src ${web.cspSource} data:; font-src ${web.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 16px; }
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
#last div { display: flex; gap: 6px; } #last dt { color: var(--vscode-descriptionForeground); } #last dd { margin: 0; font-weight: 600; }
</style>
<title>Job details</title></head>
<body>
<header><h1 id="title"></h1><span id="status" role="status"></span><span id="detail"></span><span id="billing"></span><button id="show-logs">Show Logs</button></header>
<p id="empty">${emptyMetricsText('')}</p>
<dl id="last" aria-label="Last logged values"></dl>
<div class="charts">
<div id="chart-loss" class="chart" hidden></div>
<div id="chart-lr" class="chart" hidden></div>
<div id="chart-acc" class="chart" hidden></div>
</div>
<script nonce="${nonce}" src="${script}"></script>
</body></html>`;
    let sent = 0;
    const post = (m: ToPage) => void web.postMessage(m);
    const statusOf = (): { status: string; detail: string; billing?: string } => {
      const n = this.jobs.node(job);
      const d = n?.desc;
      if (local) return { status: `Local job: ${localJobStatus(job) ?? 'unknown'}`, detail: '' };
      const billing = d ? jobBillingLine(d, this.services.connection.current?.region ?? 'us-east-1') : undefined;
      return { status: n?.status ?? 'Unknown', detail: [d?.SecondaryStatus !== n?.status ? d?.SecondaryStatus : undefined, d?.FailureReason, this.tails.isTailing(job) ? 'tailing logs' : ''].filter(Boolean).join(' · '), ...(billing ? { billing } : {}) };
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

export function activate(services: Services): void {
  const jobs = registerJobsSection(services);
  const tails = new LogTails(services, jobs);
  const details = new JobDetailsPanels(services, tails, jobs);
  const { log } = services;
  services.context.subscriptions.push(
    tails,
    details,
    vscode.commands.registerCommand('sagemakerHf.showJobLogs', command(log, 'Show training logs', async (arg?: unknown) => {
      let target = jobArg(arg);
      if (!target) {
        const name = await vscode.window.showInputBox({ title: 'Show Training Logs', prompt: 'Training job name', validateInput: (v) => (/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(v.trim()) ? undefined : 'A SageMaker training job name: letters, digits and hyphens, up to 63 characters') });
        if (!name) return;
        target = { jobName: name.trim(), local: false };
      }
      if (target.local) {
        // Local runs write their own channel as they go.
        services.jobChannels.show(target.jobName);
        return;
      }
      // A name passed in by another command (e.g. right after starting a job) marks a job of this workspace.
      if (typeof arg === 'string') await jobs.rememberStarted(target.jobName);
      tails.start(target.jobName, { show: true });
    })),
    vscode.commands.registerCommand('sagemakerHf.stopTailing', command(log, 'Stop tailing logs', async (arg?: unknown) => {
      const target = jobArg(arg);
      if (target) {
        if (!tails.stop(target.jobName)) void vscode.window.showInformationMessage(`The logs of ${target.jobName} are not being tailed.`);
        return;
      }
      const running = tails.running;
      if (!running.length) {
        void vscode.window.showInformationMessage('No training logs are being tailed.');
        return;
      }
      type Item = vscode.QuickPickItem & { job: string; action: 'show' | 'stop' };
      const items: Item[] = running.flatMap((job) => [
        { label: `$(debug-stop) Stop tailing ${job}`, job, action: 'stop' as const },
        { label: `$(output) Show logs of ${job}`, job, action: 'show' as const },
      ]);
      const pick = await vscode.window.showQuickPick(items, { title: 'Log tails', placeHolder: 'Output channels cannot report being closed, so tails are stopped here' });
      if (!pick) return;
      if (pick.action === 'stop') tails.stop(pick.job);
      else services.jobChannels.show(pick.job);
    })),
    vscode.commands.registerCommand('sagemakerHf.openJobDetails', command(log, 'Open job details', async (arg?: unknown) => {
      const target = jobArg(arg);
      if (!target) throw new Error('pick a training job in the SageMaker tree (or pass its name)');
      details.open(target.jobName, target.local);
    })),
  );
}
