// The SageMaker endpoints of the connection: ListEndpoints and a describe of each (configs cached),
// polling only those in progress while the tree is visible, and the status bar item that counts what
// runs and bills now (endpoints, local endpoints and warm pools) so none is forgotten.
import * as vscode from 'vscode';
import { describeEndpoint, describeEndpointConfig, listEndpoints } from '../../aws/sagemakerQueries';
import { describeAwsError } from '../../aws/errors';
import { errorLine } from '../../core/errors';
import { mapLimit } from '../../core/concurrency';
import type { ServerlessConfig } from '../../core/endpoints/deployRequests';
import type { ScheduledDeletion } from '../../core/endpoints/deleteAfter';
import type { Connection } from '../../workflow/connect';
import { billingWarmPools, onDidChangeWarmPools } from '../tree/jobsSection';
import { isEndpointNode, onDidChangeEndpointSources, sourceNodes } from '../tree/endpointsSection';
import type { Services } from '../services';
import { InfoNode, type Node } from '../tree/tree';
import { readSettings } from '../settings';
import { BILLED, IN_PROGRESS, SageMakerEndpointNode } from './endpointNode';
import { runningSummary } from '../../core/billing/runningNow';
import { endPredictions, sageMakerPanelKey } from '../panels/predictionsPanel';

/** CloudWatch's Invocations come in 5-minute sums: reading them more often shows nothing new. */
const IDLE_POLL_MS = 5 * 60_000;

/** The endpoint commands' context: the services and the endpoints model. */
export interface EndpointsCtx extends Services {
  model: EndpointsModel;
}

export class EndpointsModel implements vscode.Disposable {
  private readonly nodes = new Map<string, SageMakerEndpointNode>();
  private order: string[] = [];
  /** Endpoints our own Delete is deleting now (their override is "Deleting"). */
  private readonly ownDeletes = new Set<string>();
  private listedAt = 0;
  private listError: string | undefined;
  private listing: Promise<void> | undefined;
  private readonly configCache = new Map<
    string,
    { instanceType?: string; count?: number; modelName?: string; serverless?: ServerlessConfig }
  >();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pollMs = 10_000;
  private minuteTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private idleReadAt = 0;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    this.statusItem = vscode.window.createStatusBarItem('sagemakerHf.endpoints', vscode.StatusBarAlignment.Left, 9);
    this.statusItem.name = 'SageMaker HF Endpoints';
    this.statusItem.command = 'sagemakerHf.explorer.focus';
    this.disposables.push(
      this.statusItem,
      services.tree.view.onDidChangeVisibility(() => {
        this.schedule();
        this.scheduleIdle();
      }),
      onDidChangeEndpointSources(() => {
        services.tree.refresh('endpoints');
        this.renderStatus();
      }),
      onDidChangeWarmPools(() => this.renderStatus()),
      services.connection.onDidChange(() => {
        this.nodes.clear();
        this.order = [];
        this.listedAt = 0;
        this.configCache.clear();
        this.renderStatus();
        // The status bar must know about running endpoints even while the tree is closed.
        if (services.connection.current) void this.refresh().catch(() => undefined);
      }),
    );
  }

  private get conn(): Connection | undefined {
    return this.services.connection.current;
  }

  private region = () => this.conn?.region ?? 'us-east-1';

  node(name: string): SageMakerEndpointNode {
    let n = this.nodes.get(name);
    if (!n) {
      n = new SageMakerEndpointNode(name, undefined, this.region);
      this.nodes.set(name, n);
    }
    return n;
  }

  get listErrorText(): string | undefined {
    return this.listError;
  }

  async children(): Promise<Node[]> {
    if (!this.listedAt || Date.now() - this.listedAt > 60_000) await this.refresh().catch(() => undefined);
    if (this.listError && this.order.length === 0)
      return [new InfoNode('Could not list endpoints', this.listError, { icon: 'warning' })];
    const names = [
      ...new Set([...[...this.nodes.values()].filter((n) => n.override).map((n) => n.endpointName), ...this.order]),
    ];
    return names.map((n) => this.node(n));
  }

  /** ListEndpoints (newest first, one page of 100) and a describe of each. */
  refresh(): Promise<void> {
    this.listing ??= this.doRefresh().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  private async doRefresh(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    try {
      const summaries = await listEndpoints(conn, 100);
      this.order = summaries.map((s) => s.EndpointName!).filter(Boolean);
      for (const s of summaries) this.node(s.EndpointName!).summary = s;
      for (const [name, n] of this.nodes)
        if (!this.order.includes(name) && !n.override) {
          this.nodes.delete(name);
          this.endedPredictions(conn, name, 'no longer exists');
        }
      this.listError = undefined;
      await mapLimit(this.order, 4, (name) => this.describe(name));
      await this.readDeletions(conn, summaries.length < 100);
      await this.readIdle(conn);
    } catch (err) {
      this.listError = errorLine(describeAwsError(err, conn, 'Listing endpoints'));
    }
    this.listedAt = Date.now();
    this.services.tree.refresh('endpoints');
    this.renderStatus();
    this.schedule();
    this.scheduleIdle();
  }

  async describe(name: string): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    const n = this.node(name);
    const before = n.status;
    try {
      const desc = await describeEndpoint(conn, name);
      n.facts.desc = desc;
      if (desc.EndpointStatus === 'Deleting') this.endedPredictions(conn, name, 'is being deleted');
      n.facts.count =
        desc.ProductionVariants?.reduce((k, v) => k + (v.CurrentInstanceCount ?? v.DesiredInstanceCount ?? 0), 0) ||
        undefined;
      const cfgName = desc.EndpointConfigName;
      if (cfgName && !this.configCache.has(cfgName)) {
        const cfg = await describeEndpointConfig(conn, cfgName);
        const v = cfg.ProductionVariants?.[0];
        const sls = v?.ServerlessConfig;
        this.configCache.set(cfgName, {
          instanceType: v?.InstanceType,
          count: v?.InitialInstanceCount,
          modelName: v?.ModelName,
          ...(sls?.MemorySizeInMB
            ? { serverless: { memorySizeInMB: sls.MemorySizeInMB, maxConcurrency: sls.MaxConcurrency ?? 1 } }
            : {}),
        });
      }
      const cfg = cfgName ? this.configCache.get(cfgName) : undefined;
      n.facts.instanceType = cfg?.instanceType;
      n.facts.count ??= cfg?.count;
      n.facts.modelName = cfg?.modelName;
      n.facts.serverless = cfg?.serverless;
      // A serverless variant reports no instances.
      if (cfg?.serverless) n.facts.count = undefined;
      await this.price(n, conn);
      n.facts.error = undefined;
    } catch (err) {
      if (/could not find/i.test(String((err as Error).message))) {
        this.nodes.delete(name);
        this.endedPredictions(conn, name, 'no longer exists');
        this.order = this.order.filter((x) => x !== name);
        this.services.tree.refresh('endpoints');
        return;
      }
      n.facts.error = errorLine(err);
    }
    if (before !== n.status) this.pollMs = 10_000;
    this.services.tree.refresh(n);
  }

  /** An endpoint found gone (or going) ends its open predictions page at once, instead of failing on Predict. */
  private endedPredictions(conn: Connection, name: string, what: string): void {
    // Our own Delete in flight ends the page itself, saying it was deleted (not merely found gone).
    if (this.ownDeletes.has(name)) return;
    endPredictions(
      sageMakerPanelKey(conn.account, conn.region, name),
      `Endpoint ${name} ${what} in ${conn.region}: predictions have ended. Deploy again, then "Try Predictions".`,
    );
  }

  /** The node's price from the Price List (else the offline table), each figure labelled with its source. */
  private async price(n: SageMakerEndpointNode, conn: Connection): Promise<void> {
    const prices = await import('../../workflow/prices');
    const opts = {
      cacheDir: `${this.services.context.globalStorageUri.fsPath}/prices`,
      profile: conn.profile,
      awsEndpoint: conn.endpoint,
    };
    const { instanceType, count, serverless } = n.facts;
    if (serverless) {
      n.facts.price = undefined;
      n.facts.priceLine = await prices.serverlessPriceText(conn.region, serverless.memorySizeInMB, opts);
      return;
    }
    if (!instanceType) return;
    const p = await prices.resolvePrice(conn.region, instanceType, 'inference', opts);
    n.facts.price = p;
    n.facts.priceLine = prices.formatResolvedPrice(p, count || 1, instanceType);
    // The row names the source once, on the rate beside it: the sum says only "about" where the rate does.
    n.facts.labelAmount = p ? (usd) => `${p.source === 'offline-table' ? 'about ' : ''}$${usd.toFixed(2)}` : undefined;
  }

  /**
   * The deletion schedules of the region, onto their endpoints' rows; a schedule whose endpoint is gone is
   * removed (only when the listing was complete). Optional: without Scheduler permissions the rows just
   * show no schedule.
   */
  private async readDeletions(conn: Connection, complete: boolean): Promise<void> {
    try {
      const { listEndpointDeletions, removeOrphanSchedules } = await import('../../workflow/endpoints/deleteSchedule');
      const deletions = await listEndpointDeletions(conn);
      for (const n of this.nodes.values()) n.facts.deletion = undefined;
      for (const d of deletions) if (this.nodes.has(d.endpointName)) this.node(d.endpointName).facts.deletion = d;
      if (complete) {
        const removed = await removeOrphanSchedules(conn, deletions, new Set(this.order));
        for (const r of removed) this.services.log.info(`removed the deletion schedule of ${r}: the endpoint is gone`);
      }
    } catch (err) {
      this.services.log.warn(`could not read endpoint deletion schedules: ${errorLine(err)}`);
    }
  }

  /**
   * Which InService endpoints answered nothing for longer than sagemakerHf.idleEndpointHours: one
   * CloudWatch GetMetricData call for the region, at most every 5 minutes and only while the tree is
   * visible. Optional: without CloudWatch permissions the rows just show no idle mark.
   */
  private async readIdle(conn: Connection, force = false): Promise<void> {
    if (!this.services.tree.visible || (!force && Date.now() - this.idleReadAt < IDLE_POLL_MS)) return;
    this.idleReadAt = Date.now();
    try {
      const { findIdleEndpoints, idleCandidateOf, idleLine } = await import('../../workflow/endpoints/idle');
      const candidates = this.order.flatMap((name) => {
        const d = this.node(name).facts.desc;
        return d && !this.node(name).facts.serverless ? [idleCandidateOf(d)] : [];
      });
      const idle = await findIdleEndpoints(conn, candidates, { thresholdHours: readSettings().idleEndpointHours });
      for (const n of this.nodes.values()) {
        const i = idle.get(n.endpointName);
        n.facts.idle = i ? idleLine(i, n.facts.price, n.facts.count || 1) : undefined;
      }
    } catch (err) {
      this.services.log.warn(`could not read endpoint invocations from CloudWatch: ${errorLine(err)}`);
    }
  }

  /** Re-reads idleness every 5 minutes while the tree is visible. */
  private scheduleIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.services.tree.visible || !this.conn) return;
    this.idleTimer = setTimeout(
      async () => {
        this.idleTimer = undefined;
        const conn = this.conn;
        if (conn) await this.readIdle(conn);
        this.services.tree.refresh('endpoints');
        this.renderStatus();
        this.scheduleIdle();
      },
      Math.max(1_000, IDLE_POLL_MS - (Date.now() - this.idleReadAt)),
    );
  }

  /** After a schedule changed: the row shows the new state at once. */
  setDeletion(name: string, deletion: ScheduledDeletion | undefined): void {
    const n = this.node(name);
    n.facts.deletion = deletion;
    this.services.tree.refresh(n);
    this.renderStatus();
  }

  setOverride(name: string, status: string | undefined): void {
    if (status === 'Deleting') this.ownDeletes.add(name);
    else this.ownDeletes.delete(name);
    const isNew = !this.nodes.has(name) || !this.order.includes(name);
    const n = this.node(name);
    n.override = status;
    if (isNew) this.services.tree.refresh('endpoints');
    else this.services.tree.refresh(n);
    this.renderStatus();
  }

  /** Polls only endpoints in progress, only while the tree is visible, backing off to a minute. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const busy = this.order.filter((n) => IN_PROGRESS.has(this.node(n).facts.desc?.EndpointStatus ?? ''));
    if (!busy.length || !this.services.tree.visible || !this.conn) return;
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      await mapLimit(busy, 4, (n) => this.describe(n)).catch(() => undefined);
      this.pollMs = Math.min(60_000, Math.round(this.pollMs * 1.5));
      this.renderStatus();
      this.schedule();
    }, this.pollMs);
  }

  renderStatus(): void {
    // "in 3 h 12 min" counts down: re-render each minute while some endpoint deletes itself.
    if (this.minuteTimer) clearTimeout(this.minuteTimer);
    this.minuteTimer = undefined;
    if ([...this.nodes.values()].some((n) => n.facts.deletion))
      this.minuteTimer = setTimeout(() => {
        this.services.tree.refresh('endpoints');
        this.renderStatus();
      }, 60_000);
    const remote = this.conn ? [...this.nodes.values()].filter((n) => BILLED.has(n.status)) : [];
    const local = sourceNodes()
      .filter(isEndpointNode)
      .filter((n) => n.status !== 'Deleting' && n.status !== 'Stopped');
    // Warm pools keep training instances after a job: running and billed, so counted here too.
    const pools = this.conn ? billingWarmPools() : [];
    const count = remote.length + local.length;
    if (count === 0 && pools.length === 0) {
      this.statusItem.hide();
      return;
    }
    let total = 0;
    let unknown = false;
    for (const n of remote) {
      const p = n.pricePerHour;
      if (p === undefined) unknown = true;
      else total += p;
    }
    for (const { pool } of pools) {
      if (pool.perHour === undefined) unknown = true;
      else total += pool.perHour;
    }
    const perUse = remote.some((n) => n.facts.serverless);
    // One endpoint that deletes itself says so on the bar; several say it in the tooltip.
    const deletes = remote.length === 1 && count === 1 ? remote[0]!.deletionText() : undefined;
    // Idle ones are named on the bar: one says its idle line, several are counted.
    const idle = remote.filter((n) => n.facts.idle);
    const idleBar =
      idle.length === 1 && count === 1 ? idle[0]!.facts.idle : idle.length ? `${idle.length} idle` : undefined;
    // A total with any table figure in it is an estimate; the tooltip names each row's source.
    const estimated =
      remote.some((n) => n.facts.price?.source === 'offline-table') || pools.some((p) => p.pool.perHour !== undefined);
    // Only billed things are priced; local endpoints are free and counted apart ("+ 1 local").
    const summary = runningSummary({
      endpoints: remote.length,
      warmPools: pools.length,
      local: local.length,
      perHour: total,
      unknown,
      perUse,
      estimated,
    });
    this.statusItem.text = `$(server) ${summary}${deletes ? ` · ${deletes}` : ''}${idleBar ? ` · ${idleBar}` : ''}`;
    const lines = [
      ...remote.map(
        (n) =>
          `${n.endpointName}: ${n.status}${n.facts.serverless ? `, serverless ${n.facts.serverless.memorySizeInMB} MB, billed per use` : `${n.facts.instanceType ? `, ${n.facts.count || 1} × ${n.facts.instanceType}` : ''}${n.facts.priceLine ? `, ${n.facts.priceLine}` : n.pricePerHour !== undefined ? `, $${n.pricePerHour.toFixed(3)}/h` : ', price unknown'}`}${n.deletionText() ? `, ${n.deletionText()}` : ''}${n.facts.idle ? `, ${n.facts.idle}` : ''}`,
      ),
      ...local.map((n) => `${n.endpointName}: local (this machine), ${n.status}, no AWS cost`),
      ...pools.map(
        (p) =>
          `${p.jobName}: warm pool, ${p.pool.perHour !== undefined ? `about $${p.pool.perHour.toFixed(3)}/h, offline table (us-east-1 prices)` : 'price unknown'}${p.pool.expiresAt ? ` until ${p.pool.expiresAt.toLocaleTimeString()}` : ''}`,
      ),
    ];
    this.statusItem.tooltip = `Running now (billed until deleted, released or expired):\n${lines.join('\n')}\nClick to show them.`;
    this.statusItem.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.minuteTimer) clearTimeout(this.minuteTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const d of this.disposables) d.dispose();
  }
}
