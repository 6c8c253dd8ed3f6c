// Watching training: the jobs section, CloudWatch log tails into one output channel per job (several at
// once, each stoppable), a status bar spinner while tails run, and the commands that open the job details
// chart (its panel is panels/jobDetailsPanel.ts). No progress notification is held open: a tail can run
// for hours, so its state lives on the tree node and in the status bar, and a notification appears only
// when a tailed job ends.
import * as vscode from 'vscode';
import { errorLine, isCancelled } from '../../core/errors';
import { isTerminalStatus, tailTrainingJob, type JobDescription } from '../../workflow/jobLogTail';
import type { Services } from '../services';
import { register } from '../commands';
import { isJobNode, registerJobsSection, type JobsModel } from '../tree/jobsSection';
import { JobDetailsPanels } from '../panels/jobDetailsPanel';
import { registerRunningSection } from '../tree/runningSection';
import { metricsStore } from '../metricsStore';
import { announceJobEnd } from './jobEnded';

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

  constructor(
    private readonly services: Services,
    private readonly jobs: JobsModel,
  ) {
    this.statusItem = vscode.window.createStatusBarItem('sagemakerHf.tails', vscode.StatusBarAlignment.Left, 9);
    this.statusItem.name = 'SageMaker HF Log Tails';
    this.statusItem.command = 'sagemakerHf.stopTailing';
    // Disposing a job's channel (jobChannels.close) is the one "closed" signal there is: stop its polling.
    this.subs.push(
      services.jobChannels.onDidClose((job) => {
        this.complete.delete(job);
        this.stop(job);
      }),
    );
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
    ch.appendLine(
      job,
      `Tailing CloudWatch logs of training job ${job} (stop: "SageMaker HF: Stop Tailing Logs", or the status bar).`,
    );
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
          if (this.services.jobChannels.has(job))
            ch.appendLine(job, '(tail stopped; "Show Training Logs" on the job resumes it)');
        } else {
          ch.appendLine(job, `Tailing failed: ${errorLine(err)}`);
          this.services.log.error(`tailing ${job} failed: ${errorLine(err)}`);
          void this.services.ui
            .showErrorMessage(`Tailing the logs of ${job} failed: ${errorLine(err)}`, 'Show Logs')
            .then((c) => c && ch.show(job));
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
    void announceJobEnd(this.services.ui, job, status, desc, () => this.services.jobChannels.show(job)).catch((err) =>
      this.services.log.warn(`announcing the end of ${job}: ${errorLine(err)}`),
    );
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

/** The watching commands' context: the services, the log tails, the jobs model and the details panels. */
interface LogsCtx extends Services {
  tails: LogTails;
  jobs: JobsModel;
  details: JobDetailsPanels;
}

/** Show Training Logs: the job's channel; a SageMaker job's log tail starts (or is shown). */
export const showJobLogsCommand = (ctx: LogsCtx) => async (arg?: unknown) => {
  let target = jobArg(arg);
  if (!target) {
    const name = await ctx.ui.showInputBox({
      title: 'Show Training Logs',
      prompt: 'Training job name',
      validateInput: (v) =>
        /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(v.trim())
          ? undefined
          : 'A SageMaker training job name: letters, digits and hyphens, up to 63 characters',
    });
    if (!name) return;
    target = { jobName: name.trim(), local: false };
  }
  if (target.local) {
    // Local runs write their own channel as they go.
    ctx.jobChannels.show(target.jobName);
    return;
  }
  // A name passed in by another command (e.g. right after starting a job) marks a job of this workspace.
  if (typeof arg === 'string') await ctx.jobs.rememberStarted(target.jobName);
  ctx.tails.start(target.jobName, { show: true });
};

/** Stop Tailing Logs: the job given, or a pick among the running tails (stop or show). */
export const stopTailingCommand = (ctx: LogsCtx) => async (arg?: unknown) => {
  const target = jobArg(arg);
  if (target) {
    if (!ctx.tails.stop(target.jobName))
      void ctx.ui.showInformationMessage(`The logs of ${target.jobName} are not being tailed.`);
    return;
  }
  const running = ctx.tails.running;
  if (!running.length) {
    void ctx.ui.showInformationMessage('No training logs are being tailed.');
    return;
  }
  type Item = vscode.QuickPickItem & { job: string; action: 'show' | 'stop' };
  const items: Item[] = running.flatMap((job) => [
    { label: `$(debug-stop) Stop tailing ${job}`, job, action: 'stop' as const },
    { label: `$(output) Show logs of ${job}`, job, action: 'show' as const },
  ]);
  const pick = await ctx.ui.showQuickPick(items, {
    title: 'Log tails',
    placeHolder: 'Output channels cannot report being closed, so tails are stopped here',
  });
  if (!pick) return;
  if (pick.action === 'stop') ctx.tails.stop(pick.job);
  else ctx.jobChannels.show(pick.job);
};

/** Open Job Details: the chart panel of a job node or a job name. */
export const openJobDetailsCommand = (ctx: LogsCtx) => async (arg?: unknown) => {
  const target = jobArg(arg);
  if (!target) throw new Error('pick a training job in the SageMaker tree (or pass its name)');
  ctx.details.open(target.jobName, target.local);
};

export function activate(services: Services): void {
  const jobs = registerJobsSection(services);
  registerRunningSection(services, jobs);
  const tails = new LogTails(services, jobs);
  const details = new JobDetailsPanels(services, tails, jobs);
  services.context.subscriptions.push(tails, details);
  const ctx: LogsCtx = { ...services, tails, jobs, details };
  register(ctx, 'sagemakerHf.showJobLogs', showJobLogsCommand);
  register(ctx, 'sagemakerHf.stopTailing', stopTailingCommand);
  register(ctx, 'sagemakerHf.openJobDetails', openJobDetailsCommand);
}
