// The "Training Jobs" section: local jobs (from registered sources) first, then the SageMaker jobs this
// extension started, then the account's recent jobs. Only jobs in progress are polled, only while the
// view is visible, with backoff; a job in a terminal state is described once and never again.
import * as vscode from 'vscode';
import type { TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { describeTrainingJobRaw, listTrainingJobsPage, searchTrainingJobsByTag } from '../../aws/sagemakerQueries';
import { describeAwsError } from '../../aws/errors';
import { errorLine } from '../../core/errors';
import { CREATED_BY_TAG } from '../../core/sagemaker/tags';
import type { Services } from '../services';
import { InfoNode, NodeSources, type Node, type NodeSource } from './tree';
import { metricsStore } from '../metricsStore';
import type { JobDescription } from '../../workflow/jobLogTail';
import { isTerminalStatus } from '../../core/sagemaker/jobStatus';
import { warmPoolOf, type WarmPool } from '../../core/billing/billing';
import { SageMakerJobNode, type JobNodeLike } from './jobNodes';

const STARTED_KEY = 'sagemakerHf.startedJobs';
export type JobSource = NodeSource;

const jobSources = new NodeSources();

// Warm pools keep instances (and billing) after a job ends: the endpoints' status bar counts them too.
const warmPoolsChanged = new vscode.EventEmitter<void>();
export const onDidChangeWarmPools = warmPoolsChanged.event;
let activeModel: JobsModel | undefined;

/** Jobs whose warm pool is billing now (Available and not expired), with its price. */
export function billingWarmPools(): { jobName: string; pool: WarmPool }[] {
  return activeModel?.billingWarmPools() ?? [];
}

/** Reads a job again (after an action on it) and redraws it. */
export async function redescribeJob(name: string): Promise<JobDescription | undefined> {
  const d = await activeModel?.describe(name);
  activeModel?.redraw(name);
  return d;
}

export function registerJobSource(source: JobSource): vscode.Disposable {
  return jobSources.register(source);
}

/** A job from a registered source (a local run of this window) by name: its status and its Stop. */
export function sourceJobNode(
  jobName: string,
): (JobNodeLike & { status?: string; stop?(): Promise<void> }) | undefined {
  return jobSources.nodes().find((n): n is Node & JobNodeLike => isJobNode(n) && n.jobName === jobName);
}

/** What a job node exposes to commands (showJobLogs, openJobDetails, stop, deploy). */
/** Local and SageMaker jobs in one list, newest first; rows that are not jobs (errors, hints) last. */
export function newestFirst(nodes: Node[]): Node[] {
  const t = (n: Node) => (isJobNode(n) ? (n.createdMs ?? 0) : -1);
  return nodes
    .map((n, i) => ({ n, i }))
    .sort((a, b) => t(b.n) - t(a.n) || a.i - b.i)
    .map((x) => x.n);
}

export function isJobNode(x: unknown): x is JobNodeLike {
  return !!x && typeof (x as JobNodeLike).jobName === 'string' && typeof (x as JobNodeLike).local === 'boolean';
}

export class JobsModel implements vscode.Disposable {
  private readonly nodes = new Map<string, SageMakerJobNode>();
  private order: string[] = [];
  private listedAt = 0;
  private listError: string | undefined;
  private listing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pollMs = 10_000;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    // One jobs model per window; the warm pool queries of the endpoints and training rooms read it.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    activeModel = this;
    this.disposables.push(
      services.tree.view.onDidChangeVisibility(() => this.schedule()),
      services.connection.onDidChange(() => {
        this.nodes.clear();
        this.order = [];
        this.listedAt = 0;
      }),
      metricsStore.onDidChange((job) => {
        const n = this.nodes.get(job);
        if (n) this.refreshNode(n);
      }),
    );
  }

  private refreshNode(n: SageMakerJobNode): void {
    // Coalesce: metric lines can arrive many per second.
    if ((n as { _pending?: boolean })._pending) return;
    (n as { _pending?: boolean })._pending = true;
    setTimeout(() => {
      (n as { _pending?: boolean })._pending = false;
      this.services.tree.refresh(n);
    }, 250);
  }

  get region(): string {
    return this.services.connection.current?.region ?? 'us-east-1';
  }

  redraw(name: string): void {
    const n = this.nodes.get(name);
    this.services.tree.refresh(n ?? 'jobs');
    this.schedule();
  }

  /** SageMaker jobs running (and billing) now. */
  runningJobs(): SageMakerJobNode[] {
    return [...this.nodes.values()].filter((n) => n.status === 'InProgress' || n.status === 'Stopping');
  }

  billingWarmPools(): { jobName: string; pool: WarmPool }[] {
    const out: { jobName: string; pool: WarmPool }[] = [];
    for (const n of this.nodes.values()) {
      const pool = n.desc ? warmPoolOf(n.desc, this.region) : undefined;
      if (pool?.billing) out.push({ jobName: n.jobName, pool });
    }
    return out;
  }

  /** A job whose warm pool still bills is watched like a running one, until the pool ends. */
  private watched(n: SageMakerJobNode): boolean {
    if (!n.tailing && ['InProgress', 'Stopping'].includes(n.status)) return true;
    return !!n.desc && !!warmPoolOf(n.desc, this.region)?.billing;
  }

  get startedNames(): string[] {
    return this.services.context.workspaceState.get<string[]>(STARTED_KEY, []);
  }

  async rememberStarted(name: string): Promise<void> {
    const list = [name, ...this.startedNames.filter((n) => n !== name)].slice(0, 50);
    await this.services.context.workspaceState.update(STARTED_KEY, list);
  }

  node(name: string): SageMakerJobNode | undefined {
    return this.nodes.get(name);
  }

  private ensureNode(name: string, summary?: TrainingJobSummary): SageMakerJobNode {
    let n = this.nodes.get(name);
    if (!n) {
      n = new SageMakerJobNode(name, summary, this);
      this.nodes.set(name, n);
    } else if (summary && !isTerminalStatus(n.desc?.TrainingJobStatus ?? '')) n.summary = summary;
    return n;
  }

  /** A description from anywhere (the tail's status, a poll) updates the node. */
  update(desc: JobDescription): void {
    if (!desc.TrainingJobName) return;
    const n = this.ensureNode(desc.TrainingJobName);
    const before = `${n.desc?.TrainingJobStatus}|${n.desc?.SecondaryStatus}`;
    n.desc = desc;
    if (!this.order.includes(desc.TrainingJobName)) {
      this.order.unshift(desc.TrainingJobName);
      this.services.tree.refresh('jobs');
    } else this.services.tree.refresh(n);
    if (before !== `${desc.TrainingJobStatus}|${desc.SecondaryStatus}`) this.pollMs = 10_000;
    warmPoolsChanged.fire();
    this.schedule();
  }

  setTailing(name: string, tailing: boolean): void {
    const n = this.ensureNode(name);
    n.tailing = tailing;
    if (!this.order.includes(name)) this.order.unshift(name);
    this.services.tree.refresh('jobs');
  }

  async describe(name: string): Promise<JobDescription> {
    const conn = this.services.connection.current;
    if (!conn) throw new Error('not connected to AWS');
    const d = await describeTrainingJobRaw(conn, name);
    const n = this.ensureNode(name);
    n.desc = d;
    warmPoolsChanged.fire();
    return d;
  }

  /** The nodes in display order; lists again when the cache is older than 30 s. */
  async list(): Promise<Node[]> {
    const conn = this.services.connection.current;
    if (!conn) return [];
    if (Date.now() - this.listedAt > 30_000) {
      this.listing ??= this.fetch().finally(() => (this.listing = undefined));
      await this.listing;
    }
    const out: Node[] = this.order.map((n) => this.nodes.get(n)!).filter(Boolean);
    if (this.listError)
      out.push(
        new InfoNode('Could not list training jobs', this.listError, { icon: 'warning', tooltip: this.listError }),
      );
    this.schedule();
    return out;
  }

  private async fetch(): Promise<void> {
    const conn = this.services.connection.current;
    if (!conn) return;
    const max = vscode.workspace.getConfiguration('sagemakerHf').get<number>('jobs.maxListed', 50);
    const ours: string[] = [];
    const recent: string[] = [];
    this.listError = undefined;
    try {
      // Jobs this extension started carry a tag; Search finds them (with their full description) in one call.
      const found = await searchTrainingJobsByTag(conn, CREATED_BY_TAG, 20).catch(() => []); // Search may be denied by IAM; the list below still works.
      for (const tj of found) {
        if (!tj.TrainingJobName) continue;
        const tagged = (tj.Tags ?? []).some((t) => t.Key === CREATED_BY_TAG);
        if (!tagged) continue; // an emulator may ignore the filter
        const n = this.ensureNode(tj.TrainingJobName);
        n.desc = tj as JobDescription;
        ours.push(tj.TrainingJobName);
        warmPoolsChanged.fire();
      }
      let token: string | undefined;
      do {
        const page = await listTrainingJobsPage(conn, {
          MaxResults: Math.min(100, max - recent.length),
          NextToken: token,
        });
        for (const s of page.TrainingJobSummaries ?? []) {
          if (!s.TrainingJobName || recent.length >= max) continue;
          this.ensureNode(s.TrainingJobName, s);
          recent.push(s.TrainingJobName);
        }
        token = page.NextToken;
      } while (token && recent.length < max);
      // Jobs started from this workspace that the list did not reach.
      for (const name of this.startedNames.slice(0, 20)) {
        if (!ours.includes(name)) ours.push(name);
        const n = this.nodes.get(name);
        if (!n?.summary && !n?.desc) await this.describe(name).catch(() => this.nodes.delete(name));
      }
      // Jobs shown in detail right away: ours and the running ones (cheap: terminal ones are cached).
      const wanted = [...ours, ...recent].filter((name) => {
        const n = this.nodes.get(name);
        return (
          n &&
          (!n.desc || !isTerminalStatus(n.desc.TrainingJobStatus ?? '')) &&
          (ours.includes(name) || !isTerminalStatus(n.status))
        );
      });
      await Promise.all(wanted.slice(0, 20).map((name) => this.describe(name).catch(() => undefined)));
      this.listedAt = Date.now();
    } catch (err) {
      this.listError = errorLine(describeAwsError(err, conn, 'Listing training jobs'));
      this.listedAt = Date.now();
    }
    const seen = new Set<string>();
    this.order = [...ours, ...recent, ...this.order].filter((n) => this.nodes.has(n) && !seen.has(n) && seen.add(n));
  }

  /** Poll in-progress jobs while the view is visible; back off while nothing changes. */
  private schedule(): void {
    if (this.timer) return;
    const active = [...this.nodes.values()].filter((n) => this.watched(n));
    if (!active.length || !this.services.tree.visible || !this.services.connection.current) return;
    this.timer = setTimeout(() => void this.poll(), this.pollMs);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (!this.services.tree.visible) return;
    const active = [...this.nodes.values()].filter((n) => this.watched(n));
    let changed = false;
    for (const n of active) {
      const before = `${n.status}|${n.desc?.SecondaryStatus}`;
      try {
        await this.describe(n.jobName);
      } catch (err) {
        this.services.log.debug(`polling ${n.jobName}: ${errorLine(err)}`);
      }
      if (before !== `${n.status}|${n.desc?.SecondaryStatus}`) changed = true;
      this.services.tree.refresh(n);
    }
    this.pollMs = changed ? 10_000 : Math.min(120_000, Math.round(this.pollMs * 1.5));
    this.schedule();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    if (activeModel === this) activeModel = undefined;
  }
}

/** Registers the section; returns the model so the logs feature can update nodes. */
export function registerJobsSection(services: Services): JobsModel {
  const model = new JobsModel(services);
  services.context.subscriptions.push(
    model,
    jobSources.onDidChange(() => services.tree.refresh('jobs')),
  );
  services.tree.registerSection({
    id: 'jobs',
    label: 'Training Jobs',
    icon: 'pulse',
    order: 2,
    availableOffline: true,
    children: async () => {
      return newestFirst([...jobSources.nodes(), ...(await model.list())]);
    },
  });
  return model;
}
