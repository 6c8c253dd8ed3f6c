// Endpoints: deploy a completed job (after a modal naming instance type, count and price), the tree of
// endpoints with status, size, uptime and cost, a status bar item so none is forgotten, the predictions
// page, and delete (endpoint, config, model; shared or foreign resources kept and named).
import * as vscode from 'vscode';
import type { DescribeEndpointOutput, EndpointSummary } from '@aws-sdk/client-sagemaker';
import { describeEndpoint, describeEndpointConfig, listEndpoints, listTrainingJobsPage } from '../../aws/sagemakerQueries';
import { describeAwsError } from '../../aws/errors';
import { UserError, errorLine, isCancelled } from '../../core/errors';
import { describeKept, describeSteps } from '../../core/endpoints/deletePlan';
import { endpointNameProblem } from '../../core/endpoints/deployRequests';
import { mapLimit } from '../../core/concurrency';
import { costSoFar, formatPrice, onDemandPrice } from '../../core/billing/pricing';
import { loadSpecFile } from '../../core/spec/spec';
import type { Connection } from '../../workflow/connect';
import { executeDeploy, planDeploy, planHubDeploy, type DeployPlan } from '../../workflow/endpoints/deploy';
import { HUB_TASKS, hubModelIdProblem, type ServerlessConfig } from '../../core/endpoints/deployRequests';
import { formatServerlessPrice, SERVERLESS_MEMORY_SIZES } from '../../core/billing/billing';
import { billingWarmPools, onDidChangeWarmPools } from '../tree/jobsSection';
import { executeDeletePlan, planEndpointDelete } from '../../workflow/endpoints/deleteEndpoint';
import { httpPredictor, sageMakerPredictor } from '../../workflow/endpoints/predictor';
import { parseRestoreState } from '../../webview/predictionsProtocol';
import { examplesFromSpec, type LabelledExample } from '../../workflow/dataset/testExamples';
import {
  PREDICTIONS_VIEW_TYPE, deploysRunning, isEndpointNode, trackDeploy, localJobDeployer, onDidChangeEndpointSources, openPredictionsPanel, showPanelMessage, registerEndpointsSection, sourceNodes, type EndpointNodeLike,
} from '../tree/endpointsSection';
import type { Services } from '../services';
import { InfoNode, type Node } from '../tree/tree';
import { ActionableError, command, formatDuration, toAbortSignal } from '../ui';
import { offerToEnd } from '../leftRunning';

const IN_PROGRESS = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);
/** Statuses in which instances run and are billed. */
const BILLED = new Set(['InService', 'Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'OutOfService']);
const STATUS_ICON: Record<string, [string, string?]> = {
  InService: ['pass-filled', 'testing.iconPassed'],
  Creating: ['loading~spin', 'charts.blue'],
  Updating: ['loading~spin', 'charts.blue'],
  SystemUpdating: ['loading~spin', 'charts.blue'],
  RollingBack: ['loading~spin', 'charts.yellow'],
  Deleting: ['loading~spin', 'charts.yellow'],
  Failed: ['error', 'testing.iconFailed'],
  OutOfService: ['warning', 'charts.yellow'],
};

/** The secret "Set Hugging Face Hub Token" stores (features/datasets.ts). */
const HUB_TOKEN_KEY = 'sagemakerHf.hubToken';

const INSTANCE_CHOICES = ['ml.g4dn.xlarge', 'ml.m5.xlarge', 'ml.c5.xlarge', 'ml.g4dn.2xlarge', 'ml.g5.xlarge', 'ml.m5.large', 'ml.t2.medium'];

interface EndpointFacts {
  desc?: DescribeEndpointOutput;
  instanceType?: string;
  count?: number;
  modelName?: string;
  /** Serverless endpoints: running and counted, but billed per use, not per hour. */
  serverless?: ServerlessConfig;
  error?: string;
}

class SageMakerEndpointNode implements Node, EndpointNodeLike {
  readonly local = false;
  parent?: Node;
  facts: EndpointFacts = {};
  /** Set while this window deploys or deletes it: shown before ListEndpoints knows it. */
  override?: string;

  constructor(readonly endpointName: string, public summary: EndpointSummary | undefined, private readonly region: () => string) {}

  get status(): string {
    return this.override ?? this.facts.desc?.EndpointStatus ?? this.summary?.EndpointStatus ?? 'Unknown';
  }

  get createdAt(): Date | undefined {
    const c = this.facts.desc?.CreationTime ?? this.summary?.CreationTime;
    return c ? new Date(c) : undefined;
  }

  get serverless(): boolean {
    return !!this.facts.serverless;
  }

  get pricePerHour(): number | undefined {
    if (this.facts.serverless) return 0;
    const { instanceType, count } = this.facts;
    if (!instanceType || !BILLED.has(this.status)) return BILLED.has(this.status) ? undefined : 0;
    const p = onDemandPrice(instanceType, 'inference', this.region());
    return p ? p.perHour * (count || 1) : undefined;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.endpointName, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `endpoint.sm.${this.endpointName}`;
    const [icon, color] = STATUS_ICON[this.status] ?? ['circle-outline'];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = `endpoint.${this.status}`;
    const { instanceType, count, serverless } = this.facts;
    const parts = [this.status];
    if (serverless) parts.push(`serverless ${serverless.memorySizeInMB / 1024} GB · billed per use`);
    if (instanceType) parts.push(`${instanceType} × ${count || 1}`);
    const created = this.createdAt;
    if (created && BILLED.has(this.status)) parts.push(formatDuration(Date.now() - created.getTime()));
    if (instanceType && BILLED.has(this.status)) {
      parts.push(formatPrice(instanceType, count || 1, 'inference', this.region()).replace(/ \(us-east-1 price\)$/, ''));
      const so = created ? costSoFar(instanceType, count || 1, 'inference', this.region(), created) : undefined;
      if (so !== undefined) parts.push(`$${so.toFixed(2)} so far`);
    }
    item.description = parts.join(' · ');
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${this.endpointName}**\n\n`);
    md.appendText(`Status: ${this.status}\n`);
    if (this.facts.desc?.FailureReason) md.appendText(`\nFailure: ${this.facts.desc.FailureReason}\n`);
    if (instanceType) md.appendText(`\n${count || 1} × ${instanceType}: ${formatPrice(instanceType, count || 1, 'inference', this.region())} while running\n`);
    if (serverless) md.appendText(`\nServerless, ${serverless.memorySizeInMB} MB, up to ${serverless.maxConcurrency} concurrent: ${formatServerlessPrice(serverless.memorySizeInMB, this.region())}. The first request after idle is a cold start.\n`);
    if (created) md.appendText(`\nCreated: ${created.toLocaleString()}\n`);
    if (this.facts.error) md.appendText(`\nCould not read details: ${this.facts.error}\n`);
    item.tooltip = md;
    return item;
  }

  children(): Node[] {
    const d = this.facts.desc;
    const kids: Node[] = [];
    const at = (n: Node) => { n.parent = this; kids.push(n); };
    if (d?.FailureReason) at(new InfoNode('Failure reason', d.FailureReason, { icon: 'error' }));
    if (d?.EndpointConfigName) at(new InfoNode('Endpoint config', d.EndpointConfigName, { icon: 'settings' }));
    if (this.facts.modelName) at(new InfoNode('Model', this.facts.modelName, { icon: 'package' }));
    if (d?.EndpointArn) at(new InfoNode('ARN', d.EndpointArn, { icon: 'tag' }));
    at(new InfoNode('Logs', `/aws/sagemaker/Endpoints/${this.endpointName}`, { icon: 'output' }));
    return kids;
  }
}

class EndpointsModel implements vscode.Disposable {
  private readonly nodes = new Map<string, SageMakerEndpointNode>();
  private order: string[] = [];
  private listedAt = 0;
  private listError: string | undefined;
  private listing: Promise<void> | undefined;
  private readonly configCache = new Map<string, { instanceType?: string; count?: number; modelName?: string; serverless?: ServerlessConfig }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pollMs = 10_000;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    this.statusItem = vscode.window.createStatusBarItem('sagemakerHf.endpoints', vscode.StatusBarAlignment.Left, 9);
    this.statusItem.name = 'SageMaker HF Endpoints';
    this.statusItem.command = 'sagemakerHf.explorer.focus';
    this.disposables.push(
      this.statusItem,
      services.tree.view.onDidChangeVisibility(() => this.schedule()),
      onDidChangeEndpointSources(() => { services.tree.refresh('endpoints'); this.renderStatus(); }),
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
    if (this.listError && this.order.length === 0) return [new InfoNode('Could not list endpoints', this.listError, { icon: 'warning' })];
    const names = [...new Set([...[...this.nodes.values()].filter((n) => n.override).map((n) => n.endpointName), ...this.order])];
    return names.map((n) => this.node(n));
  }

  /** ListEndpoints (newest first, one page of 100) and a describe of each. */
  refresh(): Promise<void> {
    this.listing ??= this.doRefresh().finally(() => { this.listing = undefined; });
    return this.listing;
  }

  private async doRefresh(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    try {
      const summaries = await listEndpoints(conn, 100);
      this.order = summaries.map((s) => s.EndpointName!).filter(Boolean);
      for (const s of summaries) this.node(s.EndpointName!).summary = s;
      for (const [name, n] of this.nodes) if (!this.order.includes(name) && !n.override) this.nodes.delete(name);
      this.listError = undefined;
      await mapLimit(this.order, 4, (name) => this.describe(name));
    } catch (err) {
      this.listError = errorLine(describeAwsError(err, conn, 'Listing endpoints'));
    }
    this.listedAt = Date.now();
    this.services.tree.refresh('endpoints');
    this.renderStatus();
    this.schedule();
  }

  async describe(name: string): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    const n = this.node(name);
    const before = n.status;
    try {
      const desc = await describeEndpoint(conn, name);
      n.facts.desc = desc;
      n.facts.count = desc.ProductionVariants?.reduce((k, v) => k + (v.CurrentInstanceCount ?? v.DesiredInstanceCount ?? 0), 0) || undefined;
      const cfgName = desc.EndpointConfigName;
      if (cfgName && !this.configCache.has(cfgName)) {
        const cfg = await describeEndpointConfig(conn, cfgName);
        const v = cfg.ProductionVariants?.[0];
        const sls = v?.ServerlessConfig;
        this.configCache.set(cfgName, {
          instanceType: v?.InstanceType, count: v?.InitialInstanceCount, modelName: v?.ModelName,
          ...(sls?.MemorySizeInMB ? { serverless: { memorySizeInMB: sls.MemorySizeInMB, maxConcurrency: sls.MaxConcurrency ?? 1 } } : {}),
        });
      }
      const cfg = cfgName ? this.configCache.get(cfgName) : undefined;
      n.facts.instanceType = cfg?.instanceType;
      n.facts.count ??= cfg?.count;
      n.facts.modelName = cfg?.modelName;
      n.facts.serverless = cfg?.serverless;
      // A serverless variant reports no instances.
      if (cfg?.serverless) n.facts.count = undefined;
      n.facts.error = undefined;
    } catch (err) {
      if (/could not find/i.test(String((err as Error).message))) {
        this.nodes.delete(name);
        this.order = this.order.filter((x) => x !== name);
        this.services.tree.refresh('endpoints');
        return;
      }
      n.facts.error = errorLine(err);
    }
    if (before !== n.status) this.pollMs = 10_000;
    this.services.tree.refresh(n);
  }

  setOverride(name: string, status: string | undefined): void {
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
    const remote = this.conn ? [...this.nodes.values()].filter((n) => BILLED.has(n.status)) : [];
    const local = sourceNodes().filter(isEndpointNode).filter((n) => n.status !== 'Deleting' && n.status !== 'Stopped');
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
    const what = [
      ...(count ? [`${count} endpoint${count === 1 ? '' : 's'}`] : []),
      ...(pools.length ? [`${pools.length} warm pool${pools.length === 1 ? '' : 's'}`] : []),
    ].join(' · ');
    this.statusItem.text = `$(server) ${what} · $${total.toFixed(2)}/h${unknown ? '+' : ''}${perUse ? ' + per use' : ''}`;
    const lines = [
      ...remote.map((n) => `${n.endpointName}: ${n.status}${n.facts.serverless ? `, serverless ${n.facts.serverless.memorySizeInMB} MB, billed per use` : `${n.facts.instanceType ? `, ${n.facts.count || 1} × ${n.facts.instanceType}` : ''}${n.pricePerHour !== undefined ? `, $${n.pricePerHour.toFixed(3)}/h` : ', price unknown'}`}`),
      ...local.map((n) => `${n.endpointName}: local, ${n.status}, $0/h`),
      ...pools.map((p) => `${p.jobName}: warm pool, ${p.pool.perHour !== undefined ? `$${p.pool.perHour.toFixed(3)}/h` : 'price unknown'}${p.pool.expiresAt ? ` until ${p.pool.expiresAt.toLocaleTimeString()}` : ''}`),
    ];
    this.statusItem.tooltip = `Running now (billed until deleted, released or expired):\n${lines.join('\n')}\nClick to show them.`;
    this.statusItem.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

async function pickCompletedJob(conn: Connection, signal: AbortSignal): Promise<string | undefined> {
  const page = await listTrainingJobsPage(conn, { StatusEquals: 'Completed', MaxResults: 50 }, signal)
    .catch((e) => { throw describeAwsError(e, conn, 'Listing completed training jobs'); });
  const jobs = (page.TrainingJobSummaries ?? []).filter((j) => j.TrainingJobStatus === 'Completed');
  if (!jobs.length) throw new UserError(`no completed training job in ${conn.region} to deploy: train one first`);
  const pick = await vscode.window.showQuickPick(jobs.map((j) => ({ label: j.TrainingJobName!, description: j.TrainingEndTime ? new Date(j.TrainingEndTime).toLocaleString() : '' })), { title: 'Deploy Endpoint: pick a completed training job' });
  return pick?.label;
}

async function pickEndpoint(model: EndpointsModel, title: string, filter: (n: EndpointNodeLike) => boolean): Promise<EndpointNodeLike | undefined> {
  await model.refresh();
  const all = [...sourceNodes().filter(isEndpointNode), ...((await model.children()).filter(isEndpointNode))].filter(filter);
  if (!all.length) {
    const running = deploysRunning();
    if (running.length) throw new UserError(`a deploy is in progress (${running.join(', ')}): its endpoint can be picked once it is up; cancel the deploy in its notification to stop it`);
    throw new UserError('no endpoint to pick: deploy one first');
  }
  const pick = await vscode.window.showQuickPick(all.map((n) => ({ label: n.endpointName, description: `${n.local ? 'local · ' : ''}${n.status}`, node: n })), { title });
  return pick?.node;
}

/** Examples and label names from the first workspace spec whose dataset is local files. */
export async function workspaceExamples(log: vscode.LogOutputChannel): Promise<{ examples: LabelledExample[]; labelNames?: string[] }> {
  const files = await vscode.workspace.findFiles('**/*.sagemaker-hf.json', '**/node_modules/**', 20);
  let labelNames: string[] | undefined;
  for (const f of files) {
    try {
      const spec = await loadSpecFile(f.fsPath);
      labelNames ??= spec.dataset.labelNames;
      const examples = await examplesFromSpec(spec);
      if (examples.length) return { examples, labelNames: spec.dataset.labelNames };
    } catch (err) {
      log.debug(`examples from ${f.fsPath}: ${errorLine(err)}`);
    }
  }
  return { examples: [], labelNames };
}

export function activate(services: Services): void {
  const { log, context } = services;
  const model = new EndpointsModel(services);
  context.subscriptions.push(model);
  registerEndpointsSection(services, () => model.children(), () => model.listErrorText ? 'error' : undefined);

  const deploy = async (node?: unknown) => {
    const jobNode = node as { jobName?: string; local?: boolean } | undefined;
    if (jobNode?.local) {
      const deployer = localJobDeployer();
      if (!deployer) throw new UserError('deploying a local job needs the local target, which is not available in this window');
      return deployer(node);
    }
    const conn = await services.connection.require();
    const cts = new vscode.CancellationTokenSource();
    const signal = toAbortSignal(cts.token);
    const jobName = jobNode?.jobName ?? (await pickCompletedJob(conn, signal));
    if (!jobName) return;
    const capacity = await pickCapacity(`Deploy ${jobName}`, conn.region);
    if (!capacity) return;
    const nameText = await askEndpointName(`Deploy ${jobName}: endpoint name`, 'Empty: the SDK\'s name (base job name + timestamp)');
    if (nameText === undefined) return;
    const opts = { ...capacity, endpointName: nameText || undefined, signal };
    const plan = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Reading training job ${jobName}…`, cancellable: true }, (_p, token) => {
      token.onCancellationRequested(() => cts.cancel());
      return planDeploy(conn, jobName, opts);
    }).then(undefined, (err: unknown) => {
      if (err instanceof UserError && err.field === 'role') {
        throw new ActionableError('no execution role for the model: SageMaker hosts it as an IAM role it may assume. Select one (Select Execution Role), then deploy again', 'role', [{ title: 'Select Execution Role', command: 'sagemakerHf.selectRole' }]);
      }
      throw err;
    });
    await confirmAndDeploy(conn, plan, capacity, `Deploy ${jobName} as endpoint ${plan.endpointName}?`, `Model: ${plan.modelDataUrl}`, signal);
  };

  /** Capacity: instances (type, count) or serverless (memory), each with its pricing model. */
  const pickCapacity = async (title: string, region: string): Promise<{ instanceType: string; initialInstanceCount: number; serverless?: ServerlessConfig } | undefined> => {
    type Item = vscode.QuickPickItem & { instanceType?: string; memory?: number };
    const items: Item[] = [
      ...INSTANCE_CHOICES.map((t) => ({ label: t, instanceType: t, description: formatPrice(t, 1, 'inference', region), detail: `${t === 'ml.g4dn.xlarge' ? 'GPU, the notebook\'s choice' : /\.(g|p)\d/.test(t) ? 'GPU' : 'CPU'} · billed per hour until deleted` })),
      { label: 'Serverless', kind: vscode.QuickPickItemKind.Separator },
      ...SERVERLESS_MEMORY_SIZES.filter((m) => m !== 1024 && m !== 5120).map((m) => ({
        label: `Serverless ${m / 1024} GB`, memory: m, description: 'billed per use',
        detail: `CPU, no instances: ${formatServerlessPrice(m, region)}; cold start after idle. The cheap way to try a model.`,
      })),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: `${title}: capacity`, matchOnDetail: true });
    if (!pick) return undefined;
    if (pick.memory) {
      const conc = await vscode.window.showInputBox({ title: `${title}: serverless max concurrency`, prompt: 'Concurrent requests before SageMaker throttles (1-200)', value: '5', validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 200 ? undefined : 'A whole number from 1 to 200') });
      if (!conc) return undefined;
      return { instanceType: 'serverless', initialInstanceCount: 1, serverless: { memorySizeInMB: pick.memory, maxConcurrency: Number(conc.trim()) } };
    }
    const countText = await vscode.window.showInputBox({ title: `${title}: instance count`, value: '1', validateInput: (v) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : 'A whole number of at least 1') });
    if (!countText) return undefined;
    return { instanceType: pick.instanceType!, initialInstanceCount: Number(countText.trim()) };
  };

  const askEndpointName = async (title: string, prompt: string): Promise<string | undefined> => {
    const text = await vscode.window.showInputBox({ title, prompt, value: '', validateInput: (v) => (v.trim() === '' ? undefined : endpointNameProblem(v.trim()) ? `The name ${endpointNameProblem(v.trim())}` : undefined) });
    return text?.trim();
  };

  /** The modal with price and pricing model, then create and wait, showing the status on the tree node. */
  const confirmAndDeploy = async (conn: Connection, plan: DeployPlan, capacity: { instanceType: string; initialInstanceCount: number; serverless?: ServerlessConfig }, question: string, source: string, signal: AbortSignal) => {
    const sls = capacity.serverless;
    // Instances: the region's Price List price (or the offline table, labelled so).
    const { priceText } = await import('../../workflow/prices');
    const price = sls
      ? formatServerlessPrice(sls.memorySizeInMB, conn.region)
      : await priceText(conn.region, capacity.instanceType, capacity.initialInstanceCount, 'inference', { cacheDir: `${context.globalStorageUri.fsPath}/prices`, profile: conn.profile, awsEndpoint: conn.endpoint });
    const what = sls
      ? `a serverless endpoint (${sls.memorySizeInMB} MB, up to ${sls.maxConcurrency} concurrent, CPU): ${price}. The first request after idle is a cold start.`
      : `a real-time endpoint on ${capacity.initialInstanceCount} × ${capacity.instanceType}: ${price}, billed until you delete it.`;
    const ok = await vscode.window.showWarningMessage(
      question,
      { modal: true, detail: `Creates a model, an endpoint config and ${what}\n\nImage: ${plan.image.uri}${plan.image.note ? `\n(${plan.image.note})` : ''}\n${source}` },
      'Deploy',
    );
    if (ok !== 'Deploy') return;
    log.info(`deploying ${plan.hubModelId ?? plan.jobName} as ${plan.endpointName}: ${sls ? `serverless ${sls.memorySizeInMB} MB` : `${capacity.initialInstanceCount} × ${capacity.instanceType}`}, ${plan.image.uri}`);
    model.setOverride(plan.endpointName, 'Creating');
    const tracked = trackDeploy(plan.endpointName, `${plan.endpointName} on SageMaker`);
    let endpointCreated = false;
    // The notification's Cancel and the caller's signal both end the waiting.
    const inner = new AbortController();
    if (signal.aborted) inner.abort();
    else signal.addEventListener('abort', () => inner.abort(), { once: true });
    try {
      // Waiting takes minutes: the status shows on the tree node and in a cancellable notification.
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Deploying ${plan.endpointName}`, cancellable: true }, (progress, token) => {
        token.onCancellationRequested(() => inner.abort());
        return executeDeploy(conn, plan, {
          signal: inner.signal,
          onStatus: (s) => {
            log.info(s.message);
            if (s.step === 'endpoint' || s.step === 'waiting') endpointCreated = true;
            progress.report({ message: s.endpointStatus ?? s.step });
            if (s.endpointStatus) model.setOverride(plan.endpointName, s.endpointStatus === 'InService' ? undefined : s.endpointStatus);
          },
        });
      });
    } catch (err) {
      // Cancel once the endpoint exists ends only the waiting: it still bills, so say so and offer the delete.
      if (isCancelled(err) && endpointCreated) {
        model.setOverride(plan.endpointName, undefined);
        await model.refresh();
        const { endpointStillRunning } = await import('../../workflow/runs/leftRunning');
        await offerToEnd(services, await endpointStillRunning(conn, plan.endpointName), async () => {
          const info = await planEndpointDelete(conn, plan.endpointName);
          const done = await executeDeletePlan(conn, info.plan, { onProgress: (p) => log.info(p.message) });
          return `Deleted ${describeSteps(done.deleted)}.`;
        });
      }
      throw err;
    } finally {
      tracked.dispose();
      model.setOverride(plan.endpointName, undefined);
      await model.refresh();
    }
    const choice = await vscode.window.showInformationMessage(`Endpoint ${plan.endpointName} is InService (${sls ? 'serverless, billed per use' : `${price} until deleted`}).`, 'Try Predictions', 'Delete');
    if (choice === 'Try Predictions') await openPredictions(model.node(plan.endpointName));
    if (choice === 'Delete') await deleteEndpoint(model.node(plan.endpointName));
  };

  /** A model straight from the Hub: id, task, capacity, the token when one is stored (gated models). */
  const deployFromHub = async () => {
    const conn = await services.connection.require();
    const modelId = (await vscode.window.showInputBox({
      title: 'Deploy Model from Hugging Face Hub: model id', prompt: 'e.g. distilbert/distilbert-base-uncased-finetuned-sst-2-english', ignoreFocusOut: true,
      validateInput: (v) => { const p = hubModelIdProblem(v.trim()); return p ? `The id ${p}` : undefined; },
    }))?.trim();
    if (!modelId) return;
    const task = (await vscode.window.showQuickPick(HUB_TASKS.map((t) => ({ label: t })), { title: `Deploy ${modelId}: pipeline task (HF_TASK)` }))?.label;
    if (!task) return;
    const capacity = await pickCapacity(`Deploy ${modelId}`, conn.region);
    if (!capacity) return;
    const nameText = await askEndpointName(`Deploy ${modelId}: endpoint name`, 'Empty: the model name + timestamp');
    if (nameText === undefined) return;
    const token = (await context.secrets.get(HUB_TOKEN_KEY)) || process.env.HF_TOKEN || undefined;
    const plan = planHubDeploy(conn, { modelId, task, ...(token ? { token } : {}), ...capacity, endpointName: nameText || undefined });
    const cts = new vscode.CancellationTokenSource();
    await confirmAndDeploy(conn, plan, capacity, `Deploy ${modelId} from the Hugging Face Hub as endpoint ${plan.endpointName}?`,
      `Model: ${modelId} (task ${task}), downloaded by the container from the Hub${token ? '; your Hub token is passed as HF_TOKEN for gated or private models' : '; no Hub token stored (gated models need one: Set Hugging Face Hub Token)'}`,
      toAbortSignal(cts.token));
  };

  const openPredictions = async (node?: unknown) => {
    let target = isEndpointNode(node) ? node : undefined;
    if (!target) {
      if (!services.connection.current && !sourceNodes().length) await services.connection.require();
      target = await pickEndpoint(model, 'Try Predictions: pick an endpoint', (n) => n.status === 'InService');
      if (!target) return;
    }
    if (target.openPredictions) return target.openPredictions();
    const conn = await services.connection.require();
    const { examples, labelNames } = await workspaceExamples(log);
    openPredictionsPanel(services, {
      title: `Predictions: ${target.endpointName}`,
      predictor: sageMakerPredictor(conn, target.endpointName),
      labelNames,
      examples,
      stateKey: `sagemaker:${conn.account}:${conn.region}:${target.endpointName}`,
      target: { kind: 'sagemaker', endpointName: target.endpointName, account: conn.account, region: conn.region },
      coldStarts: target.serverless === true,
    });
  };

  /** Reopens a predictions panel after a window reload, or says in it why its endpoint is not usable. */
  const restorePredictions = async (panel: vscode.WebviewPanel, state: unknown): Promise<void> => {
    const parsed = parseRestoreState(state);
    if (!parsed.ok) {
      log.warn(`predictions panel not restored: ${parsed.error}`);
      showPanelMessage(panel, 'Predictions', 'This predictions panel could not be restored (it was saved without its endpoint). Close it and run "SageMaker HF: Try Predictions".');
      return;
    }
    const r = parsed.message;
    const t = r.target;
    if (t.kind === 'local') {
      // Any HTTP answer means the local server still listens; a refused connection means it stopped.
      const alive = await fetch(t.url, { signal: AbortSignal.timeout(3000) }).then(() => true, () => false);
      if (!alive) {
        showPanelMessage(panel, r.title, `Local endpoint ${t.name} is no longer running (nothing answers at ${t.url}). Deploy it again from its local job ("Deploy Endpoint"), then "Try Predictions".`);
        return;
      }
      openPredictionsPanel(services, { title: r.title, predictor: httpPredictor(t.url, `local endpoint ${t.name}`), labelNames: r.labelNames, examples: (await workspaceExamples(log)).examples, stateKey: r.stateKey, target: t, panel });
      return;
    }
    let conn;
    try {
      conn = await services.connection.require();
    } catch (err) {
      showPanelMessage(panel, r.title, `Endpoint ${t.endpointName} cannot be reached: connecting to AWS failed: ${errorLine(err)}. Run "SageMaker HF: Connect to AWS", then "Try Predictions".`);
      return;
    }
    if (conn.account !== t.account || conn.region !== t.region) {
      showPanelMessage(panel, r.title, `Endpoint ${t.endpointName} is in account ${t.account}, ${t.region}; the connection is to ${conn.account}, ${conn.region}. Connect there, then "Try Predictions".`);
      return;
    }
    let status: string | undefined;
    try {
      status = (await describeEndpoint(conn, t.endpointName)).EndpointStatus;
    } catch (err) {
      const gone = /could not find|not found|ValidationException/i.test(String((err as { name?: string }).name) + ' ' + String((err as Error).message));
      showPanelMessage(panel, r.title, gone ? `Endpoint ${t.endpointName} no longer exists in ${t.region} (deleted?). Deploy it again, then "Try Predictions".` : `Endpoint ${t.endpointName} could not be checked: ${errorLine(err)}`);
      return;
    }
    if (status !== 'InService') {
      showPanelMessage(panel, r.title, `Endpoint ${t.endpointName} is ${status ?? 'in an unknown state'}, not InService: predictions need an InService endpoint. Reopen with "Try Predictions" once it is.`);
      return;
    }
    const { examples } = await workspaceExamples(log);
    openPredictionsPanel(services, { title: r.title, predictor: sageMakerPredictor(conn, t.endpointName), labelNames: r.labelNames, examples, stateKey: r.stateKey, target: t, panel });
  };

  const deleteEndpoint = async (node?: unknown) => {
    let target = isEndpointNode(node) ? node : undefined;
    if (!target) {
      target = await pickEndpoint(model, 'Delete Endpoint: pick an endpoint', () => true);
      if (!target) return;
    }
    if (target.deleteEndpoint) return target.deleteEndpoint();
    const conn = await services.connection.require();
    const name = target.endpointName;
    const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Checking what endpoint ${name} uses…`, cancellable: true }, (_p, token) =>
      planEndpointDelete(conn, name, { signal: toAbortSignal(token) }));
    const kept = describeKept(info.plan.kept);
    const cost = info.instanceType ? `It costs ${formatPrice(info.instanceType, info.instanceCount || 1, 'inference', conn.region)} now (${info.instanceCount || 1} × ${info.instanceType}, status ${info.plan.status ?? 'unknown'}).` : `Status: ${info.plan.status ?? 'unknown'}.`;
    const askable = info.plan.kept.some((k) => k.askable);
    const choice = await vscode.window.showWarningMessage(
      `Delete endpoint ${name}?`,
      { modal: true, detail: `Deletes, in this order: ${describeSteps(info.plan.steps)}.\n${cost}${kept.length ? `\n\n${kept.join('\n')}` : ''}` },
      'Delete',
      ...(askable ? ['Delete Including Untagged'] : []),
    );
    if (!choice) return;
    const plan = choice === 'Delete Including Untagged' ? (await planEndpointDelete(conn, name, { includeUntagged: true })).plan : info.plan;
    log.info(`deleting ${describeSteps(plan.steps)}`);
    model.setOverride(name, 'Deleting');
    let result;
    try {
      result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Deleting ${name}` }, (progress) =>
        executeDeletePlan(conn, plan, { onProgress: (p) => { log.info(p.message); progress.report({ message: p.message }); } }));
    } finally {
      model.setOverride(name, undefined);
      await model.refresh();
    }
    const keptNow = describeKept(result.kept);
    void vscode.window.showInformationMessage(`Deleted ${describeSteps(result.deleted)}.${keptNow.length ? ` ${keptNow.join('; ')}.` : ''}`);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand('sagemakerHf.deployEndpoint', command(log, 'Deploy endpoint', deploy)),
    vscode.commands.registerCommand('sagemakerHf.deployFromHub', command(log, 'Deploy model from the Hub', deployFromHub)),
    vscode.commands.registerCommand('sagemakerHf.openPredictions', command(log, 'Open predictions', openPredictions)),
    vscode.window.registerWebviewPanelSerializer(PREDICTIONS_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => restorePredictions(panel, state).catch((err) => {
        log.error(`restoring a predictions panel failed: ${errorLine(err)}`);
        showPanelMessage(panel, 'Predictions', `Restoring this panel failed: ${errorLine(err)}`);
      }),
    }),
    vscode.commands.registerCommand('sagemakerHf.deleteEndpoint', command(log, 'Delete endpoint', deleteEndpoint)),
  );
}
