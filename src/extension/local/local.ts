// The local target in the editor: train a spec on this machine (the job in the Training Jobs tree with
// its status, output in the job's channel, metrics in the metrics view, Stop on the node), deploy a
// completed local job as a local endpoint (Endpoints tree, predictions webview, delete = stop the
// server), run the whole workflow with a cancellable notification, and create the Python environment.
// Everything here runs Python from the workspace, so it needs a trusted workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError, errorLine, isCancelled } from '../../core/errors';
import { loadSpecFile, type JobSpec } from '../../core/spec/spec';
import { listLocalEndpoints, startLocalEndpoint, stopLocalEndpoint, type LocalEndpointRecord } from '../../workflow/local/localEndpoint';
import { runLocalWorkflow } from '../../workflow/runs/localRun';
import { listLocalJobs, localJobName, runLocalTraining, type LocalJobRecord, type LocalJobStatus } from '../../workflow/local/localTraining';
import { httpPredictor } from '../../workflow/endpoints/predictor';
import { prepareDataset } from '../../workflow/dataset/prepare';
import { checkPython, createVenv, describeSource, NoPythonError, PythonPackagesMissingError, resolvePython, workspaceVenvDirs, type PythonCheck } from '../../workflow/local/pythonEnv';
import { registerEndpointSource, registerLocalJobDeployer, trackDeploy } from '../tree/endpointsSection';
import { openPredictionsPanel } from '../panels/predictionsPanel';
import { workspaceExamples } from '../panels/predictionExamples';
import { examplesFromSpec, type LabelledExample } from '../../workflow/dataset/testExamples';
import { registerJobSource } from '../tree/jobsSection';
import { metricsStore, lastMetricsSummary } from '../metricsStore';
import type { Services } from '../services';
import { readSettings, updateSetting } from '../settings';
import { InfoNode, type Node } from '../tree/tree';
import { command, formatDuration, toAbortSignal } from '../ui';

const STATUS_ICON: Record<LocalJobStatus, [string, string?]> = {
  InProgress: ['sync~spin', 'charts.blue'],
  Completed: ['pass', 'testing.iconPassed'],
  Failed: ['error', 'testing.iconFailed'],
  Stopped: ['debug-stop', 'disabledForeground'],
};

function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new UserError(`${what} runs Python code from this workspace, so it needs a trusted workspace: trust it first (Workspaces: Manage Workspace Trust)`);
  }
}

function workspaceDirOf(uri?: vscode.Uri): string {
  const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new UserError('open a folder first: local jobs and endpoints live in the workspace (.sagemaker-hf/)');
  return folder.uri.fsPath;
}

/**
 * The interpreter chosen in the editor: the Python extension's active environment when it is installed,
 * else python.defaultInterpreterPath when set to something other than its default "python".
 */
export async function editorInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<{ environments?: { getActiveEnvironmentPath(r?: vscode.Uri): { path: string } } }>('ms-python.python');
  if (ext) {
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      const p = api?.environments?.getActiveEnvironmentPath(resource)?.path;
      if (p && p !== 'python') return p;
    } catch {
      /* an older or broken Python extension: fall back to its setting */
    }
  }
  const configured = vscode.workspace.getConfiguration('python', resource).get<string>('defaultInterpreterPath');
  return configured && configured.trim() && configured.trim() !== 'python' ? configured.trim() : undefined;
}

class LocalJobNode implements Node {
  readonly local = true;
  parent?: Node;
  constructor(public job: LocalJobRecord, private readonly feature: LocalFeature) {}
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
    const [icon, color] = STATUS_ICON[j.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = `job.local.${j.status}`;
    const took = formatDuration((j.endedAt ? new Date(j.endedAt).getTime() : Date.now()) - new Date(j.createdAt).getTime());
    // The row stays short (a narrow side bar cuts it); metrics, times and the folder are in the tooltip.
    item.description = ['local', j.status, took].join(' · ');
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
    if (j.lastLines?.length) kids.push(new InfoNode('Last lines', String(j.lastLines.length), { icon: 'output', contextValue: 'info', kids: j.lastLines.map((l) => new InfoNode(l, undefined, { icon: 'blank' })) }));
    const last = metricsStore.get(j.jobName)?.last;
    if (last && Object.keys(last).length) {
      kids.push(new InfoNode('Last logged metrics', lastMetricsSummary(j.jobName) ?? '', { icon: 'pulse', contextValue: 'info', kids: Object.entries(last).map(([k, v]) => new InfoNode(k, String(v), { icon: 'pulse' })) }));
    }
    kids.push(new InfoNode('Command', `python ${j.entryPoint} ${j.args.join(' ')}`, { icon: 'terminal' }));
    const ch = Object.entries(j.channels).map(([c, d]) => new InfoNode(c, d, { icon: 'database' }));
    kids.push(new InfoNode('Channels', String(ch.length), { icon: 'folder', kids: ch, contextValue: 'info' }));
    if (j.modelArtifact) kids.push(new InfoNode('Model artifact', j.modelArtifact, { icon: 'package' }));
    kids.push(new InfoNode('Job folder', j.jobDir, { icon: 'folder-opened', command: { command: 'revealFileInOS', title: 'Reveal', arguments: [vscode.Uri.file(j.jobDir)] } }));
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

class LocalEndpointNode implements Node {
  readonly local = true;
  readonly status = 'InService';
  readonly pricePerHour = 0;
  parent?: Node;
  constructor(readonly record: LocalEndpointRecord, private readonly feature: LocalFeature) {}
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
    item.description = `local · ${this.record.url.replace(/^https?:\/\//, '')}`;
    item.tooltip = `Local endpoint (serve.py, pid ${this.record.pid}) at ${this.record.url}\nModel: ${this.record.model}\nLog: ${this.record.logFile}`;
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

class LocalFeature implements vscode.Disposable {
  private jobs = new Map<string, LocalJobRecord>();
  private endpoints: LocalEndpointRecord[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly jobsChanged = new vscode.EventEmitter<void>();
  private readonly endpointsChanged = new vscode.EventEmitter<void>();
  private loadedFor?: string;

  constructor(private readonly services: Services) {}

  get scriptsDir(): string {
    return path.join(this.services.context.extensionPath, 'training-scripts');
  }

  register(): vscode.Disposable[] {
    return [
      this.jobsChanged,
      this.endpointsChanged,
      registerJobSource({ id: 'local', nodes: () => this.jobNodes(), onDidChange: this.jobsChanged.event }),
      registerEndpointSource({ id: 'local', nodes: () => this.endpointNodes(), onDidChange: this.endpointsChanged.event }),
      metricsStore.onDidChange((job) => this.jobs.has(job) && this.jobsChanged.fire()),
    ];
  }

  /**
   * Reads the workspace's local jobs and endpoints once (on first use of the tree). Deferred to the next
   * turn: the status bar and the tree ask for nodes during activation, and reading the job folders loads
   * the workflow bundle, which activation must not wait for. The sources fire onDidChange when done.
   */
  private ensureLoaded(): void {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder || this.loadedFor === folder) return;
    this.loadedFor = folder;
    setTimeout(() => void this.reload(folder).catch((err) => this.services.log.warn(`reading local jobs in ${folder} failed: ${String(err)}`)), 0);
  }

  async reload(ws: string): Promise<void> {
    for (const j of await listLocalJobs(ws)) if (!this.running.has(j.jobName)) this.jobs.set(j.jobName, j);
    this.jobsChanged.fire();
    await this.reloadEndpoints(ws);
  }

  async reloadEndpoints(ws: string): Promise<void> {
    this.endpoints = await listLocalEndpoints(ws);
    this.endpointsChanged.fire();
  }

  jobNodes(): Node[] {
    this.ensureLoaded();
    return [...this.jobs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((j) => new LocalJobNode(j, this));
  }

  endpointNodes(): Node[] {
    this.ensureLoaded();
    return this.endpoints.map((e) => new LocalEndpointNode(e, this));
  }

  job(name: string): LocalJobRecord | undefined {
    return this.jobs.get(name);
  }

  /**
   * The Python to use, found in order: the setting, the spec, the editor's selected interpreter, a
   * workspace virtual environment, the extension's own environment, PATH (each checked in seconds).
   * When none will do, says so at once with Select Python / Create Environment and throws a
   * CancelledError: the caller's progress ends now, not when the message is answered.
   */
  async python(spec: JobSpec | undefined, signal: AbortSignal, forFile?: string): Promise<PythonCheck> {
    const wsFolder = (forFile ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(forFile)) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
    const from = spec?.file ? path.dirname(spec.file) : forFile ? path.dirname(forFile) : wsFolder?.uri.fsPath;
    const opts = {
      setting: readSettings().pythonPath,
      specPython: spec?.training.pythonPath,
      specDir: spec?.file ? path.dirname(spec.file) : undefined,
      interpreter: await editorInterpreter(wsFolder?.uri),
      workspaceVenvs: from && wsFolder ? workspaceVenvDirs(from, path.dirname(wsFolder.uri.fsPath)) : [],
      venvDirs: [this.venvDir(), ...(wsFolder ? [path.join(wsFolder.uri.fsPath, '.sagemaker-hf', 'venv')] : [])],
      signal,
    };
    try {
      const py = await resolvePython(opts);
      this.services.log.info(`local Python: ${py.python} (${describeSource(py.source)}; Python ${py.version}, torch ${py.packages.torch}, transformers ${py.packages.transformers})`);
      return py;
    } catch (err) {
      if (!(err instanceof UserError) || isCancelled(err) || signal.aborted) throw err;
      if (!(err instanceof PythonPackagesMissingError) && !(err instanceof NoPythonError)) throw err;
      this.services.log.warn(err.message);
      void vscode.window.showErrorMessage(`No Python with torch and transformers: ${err.message}`, 'Select Python', 'Create Environment').then((choice) => {
        if (choice === 'Select Python') void vscode.commands.executeCommand('sagemakerHf.selectPython');
        if (choice === 'Create Environment') void vscode.commands.executeCommand('sagemakerHf.createPythonEnvironment');
      });
      throw new CancelledError();
    }
  }

  /** Select Python: the Python extension's picker when installed, else a file dialog; saved in the setting. */
  async selectPython(): Promise<string | undefined> {
    if (vscode.extensions.getExtension('ms-python.python')) {
      await vscode.commands.executeCommand('python.setInterpreter');
      return undefined;
    }
    const picked = await vscode.window.showOpenDialog({ title: 'Select the Python for local training (with torch and transformers)', openLabel: 'Use This Python', canSelectMany: false, canSelectFolders: false });
    const file = picked?.[0]?.fsPath;
    if (!file) return undefined;
    const check = await checkPython({ python: file, source: 'setting' });
    if (!check) throw new UserError(`${file} does not run as Python: pick the python executable of an environment (for example .venv/bin/python)`, 'pythonPath');
    await updateSetting('pythonPath', file);
    if (check.missing.length) void vscode.window.showWarningMessage(`Saved sagemakerHf.pythonPath = ${file}, but it lacks ${check.missing.join(', ')}: install them (pip install -r training-scripts/requirements.txt).`);
    else void vscode.window.showInformationMessage(`Local runs use ${file} (Python ${check.version}, torch ${check.packages.torch}).`);
    return file;
  }

  venvDir(): string {
    return path.join(this.services.context.globalStorageUri.fsPath, 'venv');
  }

  async createEnvironment(basePython?: string): Promise<PythonCheck> {
    requireTrust('Creating the local Python environment');
    const out = this.services.log;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Creating the local Python environment', cancellable: true },
      async (progress, token) => {
        out.show(true);
        const check = await createVenv({
          venvDir: this.venvDir(),
          requirements: path.join(this.scriptsDir, 'requirements.txt'),
          basePython,
          signal: toAbortSignal(token),
          onLine: (l) => {
            out.info(`[pip] ${l}`);
            if (l.trim()) progress.report({ message: l.slice(0, 120) });
          },
        });
        void vscode.window.showInformationMessage(`Local Python environment ready: Python ${check.version}, torch ${check.packages.torch}, transformers ${check.packages.transformers}.`);
        return check;
      },
    );
  }

  private jobLine(jobName: string, line: string): void {
    this.services.jobChannels.appendLine(jobName, line);
    metricsStore.append(jobName, line);
  }

  /**
   * Prepares the spec's dataset locally (no upload) and trains; resolves with the final record. Cancel
   * (or Stop on the node) ends the process group; a cancelled run is reported as stopped, never as failed.
   */
  async trainSpec(uri: vscode.Uri): Promise<LocalJobRecord | undefined> {
    requireTrust('Local training');
    const ws = workspaceDirOf(uri);
    const spec = await loadSpecFile(uri.fsPath);
    const name = path.basename(uri.fsPath).replace(/\.sagemaker-hf\.json$/, '');
    const jobName = localJobName(spec.training.baseJobName ?? 'huggingface-pytorch-training');
    const ctl = new AbortController();
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Local training ${jobName}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => ctl.abort());
        let started = false;
        try {
          progress.report({ message: 'finding a Python with torch and transformers' });
          const py = await this.python(spec, ctl.signal, uri.fsPath);
          progress.report({ message: 'preparing the dataset' });
          const prepared = await prepareDataset(spec, {
            outDir: path.join(ws, '.sagemaker-hf', 'datasets', name),
            signal: ctl.signal,
            onProgress: (p) => progress.report({ message: `${p.stage}: ${p.message}` }),
          });
          if (ctl.signal.aborted) throw new CancelledError();
          this.running.set(jobName, ctl);
          this.services.jobChannels.show(jobName);
          progress.report({ message: 'training (Stop on the job in the tree, or Cancel here)' });
          started = true;
          const job = await runLocalTraining(spec, {
            python: py.python,
            jobName,
            channels: Object.fromEntries(Object.entries(prepared.channels).map(([c, x]) => [c, x.dir])),
            workspaceDir: ws,
            labelNames: prepared.labelNames,
            signal: ctl.signal,
            onLine: (l) => this.jobLine(jobName, l),
            onStatus: (j) => {
              this.jobs.set(j.jobName, j);
              this.jobsChanged.fire();
            },
          });
          if (ctl.signal.aborted) throw new CancelledError();
          void vscode.window.showInformationMessage(`Local training ${jobName} completed.`, 'Deploy Locally').then((c) => c && this.deployJob(job));
          return job;
        } catch (err) {
          // Whatever a cancelled run throws afterwards (a killed process, a half-read file) is the cancel.
          if (isCancelled(err) || ctl.signal.aborted) {
            if (started) void vscode.window.showInformationMessage(`Local training ${jobName} stopped.`);
            if (ctl.signal.aborted) throw new CancelledError();
          }
          throw err;
        } finally {
          this.running.delete(jobName);
          this.jobsChanged.fire();
        }
      },
    );
  }

  async stopJob(jobName: string): Promise<void> {
    const ctl = this.running.get(jobName);
    if (!ctl) throw new UserError(`local job ${jobName} is not running in this window`);
    ctl.abort();
  }

  /** Starts serve.py for a completed local job; resolves with the endpoint once /ping answers 200. */
  async deployJob(job: LocalJobRecord): Promise<LocalEndpointRecord | undefined> {
    requireTrust('Deploying locally');
    if (job.status !== 'Completed' || !job.modelArtifact) throw new UserError(`local job ${job.jobName} is ${job.status}: only a completed job has a model to deploy`);
    const ws = workspaceDirOf(vscode.Uri.file(job.jobDir));
    const existing = (await listLocalEndpoints(ws)).find((e) => e.jobName === job.jobName);
    if (existing) {
      void this.openPredictions(existing);
      return existing;
    }
    const tracked = trackDeploy(`local:${job.jobName}`, `${job.jobName} locally`);
    return Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Deploying ${job.jobName} locally`, cancellable: true },
      async (progress, token) => {
        const signal = toAbortSignal(token);
        // The Python that trained the job serves it; discovery only when that one is gone.
        const trained = job.python ? await checkPython({ python: job.python, source: 'venv' }, signal) : undefined;
        const py = trained && !trained.missing.length ? trained : await this.python(undefined, signal, job.specFile ?? job.jobDir);
        const ep = await startLocalEndpoint({
          python: py.python,
          model: job.modelArtifact!,
          workspaceDir: ws,
          serveScript: path.join(this.scriptsDir, 'serve.py'),
          jobName: job.jobName,
          labelNames: job.labelNames,
          signal,
          onLine: (l) => {
            this.services.log.info(l);
            progress.report({ message: l.replace(/^\[local\]\s*/, '').slice(0, 120) });
          },
        });
        await this.reloadEndpoints(ws);
        const { stop: _stop, ...record } = ep;
        await this.openPredictions(record);
        return record;
      },
    )).finally(() => tracked.dispose());
  }

  /** Examples (and Evaluate) from the spec that trained the endpoint's job, else from the workspace's specs. */
  private async examplesFor(e: LocalEndpointRecord): Promise<LabelledExample[]> {
    const specFile = e.jobName ? this.jobs.get(e.jobName)?.specFile : undefined;
    if (specFile) {
      try {
        const own = await examplesFromSpec(await loadSpecFile(specFile));
        if (own.length) return own;
      } catch (err) {
        this.services.log.debug(`examples from ${specFile}: ${errorLine(err)}`);
      }
    }
    return (await workspaceExamples(this.services.log)).examples;
  }

  async openPredictions(e: LocalEndpointRecord): Promise<vscode.WebviewPanel> {
    return openPredictionsPanel(this.services, {
      title: `Predictions: ${e.name} (local)`,
      predictor: httpPredictor(e.url, `local endpoint ${e.name}`),
      labelNames: e.labelNames,
      examples: await this.examplesFor(e),
      stateKey: `local:${e.name}`,
      target: { kind: 'local', name: e.name, url: e.url },
    });
  }

  /** Stops the local server after a confirmation (as every delete asks); the model files stay. */
  async deleteEndpoint(e: LocalEndpointRecord): Promise<boolean> {
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!ws) return false;
    const go = await vscode.window.showWarningMessage(
      `Delete local endpoint ${e.name}?`,
      { modal: true, detail: `Stops serve.py (pid ${e.pid}) at ${e.url}. The model stays in ${e.model}: deploy the job again to serve it. No AWS resource is involved.` },
      'Delete',
    );
    if (go !== 'Delete') return false;
    await stopLocalEndpoint(ws, e.name);
    await this.reloadEndpoints(ws);
    void vscode.window.showInformationMessage(`Local endpoint ${e.name} deleted (server stopped).`);
    return true;
  }

  async runWorkflow(uri: vscode.Uri): Promise<unknown> {
    requireTrust('Running the workflow locally');
    const ws = workspaceDirOf(uri);
    const spec = await loadSpecFile(uri.fsPath);
    const out = vscode.window.createOutputChannel('SageMaker HF: Local Run', 'log');
    this.disposables.push(out);
    out.clear();
    out.show(true);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Running ${path.basename(uri.fsPath)} locally`, cancellable: true },
      async (progress, token) => {
        const signal = toAbortSignal(token);
        const py = await this.python(spec, signal, uri.fsPath);
        out.appendLine(`python ${py.python} (Python ${py.version}, torch ${py.packages.torch}, transformers ${py.packages.transformers})`);
        let jobName: string | undefined;
        try {
          const r = await runLocalWorkflow(spec, {
            python: py.python,
            workspaceDir: ws,
            scriptsDir: this.scriptsDir,
            signal,
            onStep: (e) => {
              if (e.phase === 'start') progress.report({ message: `${e.index}/5 ${e.step}`, increment: 0 });
              out.appendLine(e.phase === 'start' ? `[${e.index}/5] ${e.step}` : `[${e.index}/5] ${e.step} done in ${formatDuration(e.result!.ms)}: ${e.result!.summary}`);
              if (e.phase === 'end') progress.report({ increment: 20 });
            },
            onJob: (j) => {
              jobName = j.jobName;
              this.jobs.set(j.jobName, j);
              this.jobsChanged.fire();
            },
            onLine: (l) => {
              out.appendLine(`    ${l}`);
              if (jobName) this.jobLine(jobName, l);
            },
          });
          out.appendLine('Summary');
          for (const s of r.steps) out.appendLine(`  ${s.step.padEnd(8)} ${formatDuration(s.ms).padStart(7)}  ${s.summary}`);
          const top = r.prediction.predictions[0]?.[0];
          void vscode.window.showInformationMessage(`Local workflow done in ${formatDuration(r.totalMs)}: "${top?.label ?? '?'}" for the notebook's sentence.`);
          return r;
        } catch (err) {
          const cancelled = isCancelled(err) || signal.aborted;
          out.appendLine(cancelled ? 'cancelled' : `failed: ${errorLine(err)}`);
          // A cancelled run is never reported as failed, whatever its killed processes threw.
          throw cancelled ? new CancelledError() : err;
        } finally {
          await this.reloadEndpoints(ws);
        }
      },
    );
  }

  readonly disposables: vscode.Disposable[] = [];
  dispose(): void {
    for (const c of this.running.values()) c.abort();
    for (const d of this.disposables) d.dispose();
  }
}

let feature: LocalFeature | undefined;

/** For sagemakerHf.deployEndpoint on a local job node (`local: true`). */
export async function deployLocalJob(_services: Services, node: { jobName: string }): Promise<unknown> {
  const job = feature?.job(node.jobName);
  if (!job) throw new UserError(`local job ${node.jobName} not found`);
  return feature!.deployJob(job);
}

/** For sagemakerHf.stopTrainingJob on a local job node. */
export async function stopLocalJob(node: { jobName: string }): Promise<void> {
  if (!feature) throw new UserError('local target not active');
  return feature.stopJob(node.jobName);
}

export function activate(services: Services): void {
  const { context, log } = services;
  feature = new LocalFeature(services);
  const f = feature;
  context.subscriptions.push(
    f,
    ...f.register(),
    // sagemakerHf.deployEndpoint (the endpoints feature) hands local job nodes to us.
    registerLocalJobDeployer((node) => deployLocalJob(services, node as { jobName: string })),
    vscode.commands.registerCommand('sagemakerHf.trainLocally', command(log, 'Local training', async (arg?: unknown) => {
      requireTrust('Local training');
      const uri = await services.specs.pick(arg);
      return uri && f.trainSpec(uri);
    })),
    vscode.commands.registerCommand('sagemakerHf.runWorkflowLocally', command(log, 'Run workflow locally', async (arg?: unknown) => {
      requireTrust('Running the workflow locally');
      const uri = await services.specs.pick(arg);
      return uri && f.runWorkflow(uri);
    })),
    vscode.commands.registerCommand('sagemakerHf.createPythonEnvironment', command(log, 'Create local Python environment', () => f.createEnvironment())),
    vscode.commands.registerCommand('sagemakerHf.selectPython', command(log, 'Select Python', () => f.selectPython())),
  );
}

/** The status of a local job of this window (the job details page shows it). */
export function localJobStatus(jobName: string): LocalJobStatus | undefined {
  return feature?.job(jobName)?.status;
}
