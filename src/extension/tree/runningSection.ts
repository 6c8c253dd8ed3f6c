// The "Running now" section at the top of the tree: every thing that bills while it runs (SageMaker
// endpoints, warm pools, running training and processing jobs), cost first, the dearest first, with the
// section's total per hour. Rows carry the same fields and context values as the rows they mirror, so
// the same inline actions (Delete Endpoint, Release Warm Pool, Stop) act on them. Other rooms add their
// billable things through registerRunningSource; a new job or endpoint is revealed and selected here.
import * as vscode from 'vscode';
import { byCost, runningRow, runningTotal, type Billable } from '../../core/billing/runningNow';
import { onDemandPrice } from '../../core/billing/pricing';
import { formatWarmPool } from '../../core/billing/billing';
import type { Services } from '../services';
import { InfoNode, type Node } from './tree';
import type { JobsModel } from './jobsSection';

export interface RunningItem {
  billable: Billable;
  /** The row's context value: that of the row it mirrors, so its inline actions apply. */
  contextValue: string;
  icon: [string, string?];
  /** Fields the commands read (endpointName, jobName, local, status...), copied onto the row. */
  handle: Record<string, unknown>;
  command?: vscode.Command;
}

export interface RunningSource {
  items(): Promise<RunningItem[]>;
}

const sources: RunningSource[] = [];

export function registerRunningSource(source: RunningSource): vscode.Disposable {
  sources.push(source);
  return new vscode.Disposable(() => {
    const i = sources.indexOf(source);
    if (i >= 0) sources.splice(i, 1);
  });
}

export const runningId = (kind: string, name: string) => `running.${kind.replace(/ /g, '-')}.${name}`;

class RunningNode implements Node {
  [field: string]: unknown;
  constructor(
    readonly item: RunningItem,
    readonly parent: Node | undefined,
  ) {
    Object.assign(this, item.handle);
  }
  treeItem(): vscode.TreeItem {
    const b = this.item.billable;
    const row = runningRow(b);
    const t = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    t.id = runningId(b.kind, b.name);
    t.description = row.description;
    t.tooltip = row.tooltip;
    const [icon, color] = this.item.icon;
    t.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    t.contextValue = this.item.contextValue;
    t.command = this.item.command;
    return t;
  }
}

/** Running training jobs and billing warm pools, from the jobs model. */
function jobItems(jobs: JobsModel, region: string): RunningItem[] {
  const out: RunningItem[] = [];
  for (const { jobName, pool } of jobs.billingWarmPools())
    out.push({
      billable: {
        kind: 'warm pool',
        name: jobName,
        ...(pool.perHour !== undefined ? { perHour: pool.perHour } : {}),
        // Warm-pool rates come from the offline table only (formatWarmPool labels them so).
        priceSource: 'offline table (us-east-1 prices)',
        detail: formatWarmPool(pool)
          .replace(/^warm pool /, '')
          .replace(/ · (about )?\$[\d.]+\/h(, offline table \(us-east-1 prices\))?/, ''),
      },
      contextValue: 'warmPool.billing',
      icon: ['flame', 'charts.orange'],
      handle: { jobName, pool },
    });
  for (const n of jobs.runningJobs()) {
    const rc = n.desc?.ResourceConfig;
    const p = rc?.InstanceType ? onDemandPrice(rc.InstanceType, 'training', region) : undefined;
    const start = n.desc?.TrainingStartTime ?? n.desc?.CreationTime;
    out.push({
      billable: {
        kind: 'training job',
        name: n.jobName,
        // The offline table's on-demand rate (a spot job bills less), labelled as such.
        ...(p
          ? { perHour: p.perHour * (rc?.InstanceCount ?? 1), priceSource: 'offline table (us-east-1 prices)' }
          : {}),
        detail: [
          n.desc?.SecondaryStatus ?? n.status,
          rc?.InstanceType ? `${rc.InstanceType} × ${rc.InstanceCount ?? 1}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
        ...(start ? { since: new Date(start) } : {}),
      },
      contextValue: `job.${n.status}`,
      icon: ['sync~spin', 'charts.blue'],
      handle: { jobName: n.jobName, local: false, status: n.status },
      command: { command: 'sagemakerHf.openJobDetails', title: 'Open Job Details', arguments: [n.jobName] },
    });
  }
  return out;
}

let pendingReveal: string | undefined;

/** Reveals and selects a new job or endpoint in Running now once the section lists it. */
export function revealRunning(services: Services, kind: Billable['kind'], name: string): void {
  pendingReveal = runningId(kind, name);
  services.tree.refresh('running');
}

export function registerRunningSection(services: Services, jobs: JobsModel): void {
  // Undefined until the first listing: the section's row says nothing rather than "nothing bills" then.
  let last: Billable[] | undefined;
  const totalText = (b: Billable[] | undefined) => (b === undefined ? undefined : (runningTotal(b) ?? 'nothing bills'));
  services.tree.registerSection({
    id: 'running',
    label: 'Running now',
    icon: 'flame',
    order: 0,
    description: () => totalText(last),
    async children() {
      if (!services.connection.current) return [];
      const region = services.connection.current.region;
      await jobs.list().catch(() => []);
      const items = [
        ...jobItems(jobs, region),
        ...(await Promise.all(sources.map((s) => s.items().catch(() => [])))).flat(),
      ];
      const before = totalText(last);
      const order = byCost(items.map((i) => i.billable));
      last = order;
      const parent = services.tree.sectionNode('running');
      const nodes = order.map(
        (b) =>
          new RunningNode(
            items.find((i) => i.billable === b)!,
            parent,
          ),
      );
      // The section's own row shows the total: redraw it when the total changed.
      if (before !== totalText(last)) setTimeout(() => services.tree.refresh('running'), 0);
      const target = pendingReveal
        ? nodes.find((n) => runningId(n.item.billable.kind, n.item.billable.name) === pendingReveal)
        : undefined;
      if (target) {
        pendingReveal = undefined;
        setTimeout(
          () => void services.tree.view.reveal(target, { select: true, focus: false }).then(undefined, () => undefined),
          0,
        );
      }
      if (!nodes.length)
        return [
          new InfoNode('Nothing is billing now', 'no endpoint, warm pool or job running', {
            icon: 'check',
            contextValue: 'info',
          }),
        ];
      return nodes;
    },
  });
}
