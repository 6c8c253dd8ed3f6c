// The local target's state and actions: the workspace's local jobs and endpoints (listed in the trees
// through registered sources), training a spec on this machine, deploying a completed local job as a
// serve.py endpoint, its predictions panel and delete, and the whole workflow run locally.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, UserError, errorLine, isCancelled } from '../../core/errors';
import { type JobSpec } from '../../core/spec/spec';
import { loadSpecFile } from '../../workflow/specFile';
import {
  listLocalEndpoints,
  startLocalEndpoint,
  stopLocalEndpoint,
  type LocalEndpointRecord,
} from '../../workflow/local/localEndpoint';
import { deployedTransformers, runLocalWorkflow } from '../../workflow/runs/localRun';
import { listLocalJobs, localJobName, runLocalTraining, type LocalJobRecord } from '../../workflow/local/localTraining';
import { httpPredictor } from '../../workflow/endpoints/predictor';
import { prepareDataset } from '../../workflow/dataset/prepare';
import { rehearsalLine } from '../../workflow/local/spotRehearsal';
import { plannedSteps, progressText, StepMeter } from '../../core/training/stepProgress';
import { parseMetricsLine, type MetricRecord } from '../../core/training/metrics';
import { accuracyBesideBaseline, majorityBaseline } from '../../core/training/baseline';
import { checkPython, type PythonCheck } from '../../workflow/local/pythonEnv';
import { examplesFromSpec, type LabelledExample } from '../../workflow/dataset/testExamples';
import { registerEndpointSource, trackDeploy } from '../tree/endpointsSection';
import { registerJobSource } from '../tree/jobsSection';
import { endPredictions, openPredictionsPanel } from '../panels/predictionsPanel';
import { workspaceExamples } from '../panels/predictionExamples';
import { metricsStore } from '../metricsStore';
import type { Services } from '../services';
import type { Node } from '../tree/tree';
import { formatDuration, toAbortSignal } from '../ui';
import { redactingChannel } from '../redacting';
import { LocalEndpointNode, LocalJobNode, type LocalActions } from './localNodes';
import { createEnvironment, findPython } from './python';
import { requirementsEnvironment, specVersionsEnvironment, type EnvironmentPlaces } from './environmentOffers';
import { requireTrust, workspaceDirOf } from './trust';

export class LocalFeature implements vscode.Disposable, LocalActions {
  private jobs = new Map<string, LocalJobRecord>();
  private endpoints: LocalEndpointRecord[] = [];
  private readonly running = new Map<string, AbortController>();
  /** Environment notices already shown in this window. */
  private readonly said = new Set<string>();
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
      registerEndpointSource({
        id: 'local',
        nodes: () => this.endpointNodes(),
        onDidChange: this.endpointsChanged.event,
      }),
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
    setTimeout(
      () =>
        void this.reload(folder).catch((err) =>
          this.services.log.warn(`reading local jobs in ${folder} failed: ${String(err)}`),
        ),
      0,
    );
  }

  /** Corrupt state files and stale records, said once per message (the tree reloads often). */
  private readonly warned = new Set<string>();
  private readonly warnOnce = (line: string): void => {
    if (this.warned.has(line)) return;
    this.warned.add(line);
    void this.services.ui.showWarningMessage(line);
  };

  async reload(ws: string): Promise<void> {
    for (const j of await listLocalJobs(ws, this.warnOnce))
      if (!this.running.has(j.jobName)) this.jobs.set(j.jobName, j);
    this.jobsChanged.fire();
    await this.reloadEndpoints(ws);
  }

  async reloadEndpoints(ws: string): Promise<void> {
    const before = this.endpoints;
    this.endpoints = await listLocalEndpoints(ws, this.warnOnce);
    // A server that stopped (deleted, or its process gone) ends its open predictions page at once.
    for (const e of before)
      if (!this.endpoints.some((n) => n.name === e.name))
        endPredictions(
          `local:${e.name}`,
          `Local endpoint ${e.name} has stopped: predictions have ended. Deploy its job again, then "Try Predictions".`,
        );
    this.endpointsChanged.fire();
  }

  jobNodes(): Node[] {
    this.ensureLoaded();
    return [...this.jobs.values()]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((j) => new LocalJobNode(j, this));
  }

  endpointNodes(): Node[] {
    this.ensureLoaded();
    return this.endpoints.map((e) => new LocalEndpointNode(e, this));
  }

  job(name: string): LocalJobRecord | undefined {
    return this.jobs.get(name);
  }

  /** Seconds before the rehearsal's SIGTERM; undefined when the user cancels. */
  async askSeconds(): Promise<number | undefined> {
    const text = await this.services.ui.showInputBox({
      title: 'Rehearse spot interruption',
      prompt:
        'Seconds after the start when the script gets SIGTERM (as SageMaker sends it when it reclaims a spot instance); it is then restarted with its checkpoints kept',
      value: '30',
      validateInput: (v) => (Number(v) > 0 ? undefined : 'a number of seconds above 0'),
    });
    return text === undefined ? undefined : Number(text);
  }

  /** The Python to use (python.ts); when none will do, an error whose buttons fix that and resume. */
  python(spec: JobSpec | undefined, signal: AbortSignal, forFile?: string): Promise<PythonCheck> {
    return findPython(this.services, this.venvDir(), spec, signal, forFile);
  }

  venvDir(): string {
    return path.join(this.services.context.globalStorageUri.fsPath, 'venv');
  }

  /** Where the environment offers install (environmentOffers.ts). */
  environmentPlaces(report?: (message: string) => void): EnvironmentPlaces {
    return {
      ownVenv: this.venvDir(),
      venvsDir: path.join(this.services.context.globalStorageUri.fsPath, 'venvs'),
      scriptsDir: this.scriptsDir,
      said: this.said,
      report,
    };
  }

  createEnvironment(basePython?: string): Promise<PythonCheck> {
    return createEnvironment(this.services, this.venvDir(), this.scriptsDir, basePython);
  }

  private jobLine(jobName: string, line: string): void {
    this.services.jobChannels.appendLine(jobName, line);
    metricsStore.append(jobName, line);
  }

  /**
   * Prepares the spec's dataset locally (no upload) and trains; resolves with the final record. Cancel
   * (or Stop on the node) ends the process group; a cancelled run is reported as stopped, never as failed.
   */
  async trainSpec(uri: vscode.Uri, rehearse?: { interruptAfterSeconds: number }): Promise<LocalJobRecord | undefined> {
    requireTrust('Local training');
    const ws = workspaceDirOf(uri);
    const spec = await loadSpecFile(uri.fsPath);
    const name = path.basename(uri.fsPath).replace(/\.sagemaker-hf\.json$/, '');
    const jobName = localJobName(spec.training.baseJobName ?? 'huggingface-pytorch-training');
    const ctl = new AbortController();
    return this.services.ui.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Local training ${jobName}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => ctl.abort());
        let started = false;
        try {
          progress.report({ message: 'finding a Python with torch and transformers' });
          const found = await this.python(spec, ctl.signal, uri.fsPath);
          progress.report({ message: "checking the Python against the spec's versions and requirements.txt" });
          const places = this.environmentPlaces((m) => progress.report({ message: m }));
          const py = await requirementsEnvironment(
            this.services,
            places,
            spec,
            await specVersionsEnvironment(this.services, places, spec, found, ctl.signal),
            ctl.signal,
          );
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
          const hps = spec.training.hyperparameters as Record<string, unknown>;
          const meter = new StepMeter(
            Number(hps['train_batch_size'] ?? 32),
            plannedSteps(prepared.channels['train']?.rows ?? 0, hps),
          );
          const metrics: MetricRecord = {};
          const job = await runLocalTraining(spec, {
            python: py.python,
            jobName,
            channels: Object.fromEntries(Object.entries(prepared.channels).map(([c, x]) => [c, x.dir])),
            workspaceDir: ws,
            labelNames: prepared.labelNames,
            pythonPackages: py.packages,
            ownEnvironment: py.source === 'venv',
            // The push rehearsal against HF_ENDPOINT takes the token a cloud run would send.
            hubToken:
              spec.training.pushToHub && process.env.HF_ENDPOINT
                ? (await this.services.context.secrets.get('sagemakerHf.hubToken')) || process.env.HF_TOKEN || undefined
                : undefined,
            interruptAfterSeconds: rehearse?.interruptAfterSeconds,
            signal: ctl.signal,
            onLine: (l) => {
              this.jobLine(jobName, l);
              const m = parseMetricsLine(l);
              if (m) Object.assign(metrics, m);
              if (m?.step !== undefined && m.loss !== undefined)
                progress.report({ message: `training: ${progressText(meter.step(m.step, performance.now()))}` });
            },
            onStatus: (j) => {
              this.jobs.set(j.jobName, j);
              this.jobsChanged.fire();
            },
          });
          if (ctl.signal.aborted) throw new CancelledError();
          if (job.spotRehearsal) {
            const line = rehearsalLine(job.spotRehearsal);
            if (job.spotRehearsal.resumed === false) void this.services.ui.showWarningMessage(line);
            else void this.services.ui.showInformationMessage(line);
          }
          // The accuracy beside always answering the majority label: a run that learned nothing says so.
          const summary = accuracyBesideBaseline(metrics.eval_accuracy, majorityBaseline(prepared.report));
          const done = `Local training ${jobName} completed${summary ? `: ${summary}` : ''}.`;
          // Its own short line, so a narrow Output panel shows it whole.
          if (summary) this.services.jobChannels.appendLine(jobName, `Completed: ${summary}`);
          void this.services.ui
            .showInformationMessage(done, 'Deploy Locally')
            // Through the command, so a failure is reported (and resumes after Select Python), not lost.
            .then((c) => c && vscode.commands.executeCommand('sagemakerHf.deployEndpoint', { jobName, local: true }));
          return job;
        } catch (err) {
          // Whatever a cancelled run throws afterwards (a killed process, a half-read file) is the cancel.
          if (isCancelled(err) || ctl.signal.aborted) {
            if (started) void this.services.ui.showInformationMessage(`Local training ${jobName} stopped.`);
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
    if (job.status !== 'Completed' || !job.modelArtifact)
      throw new UserError(`local job ${job.jobName} is ${job.status}: only a completed job has a model to deploy`);
    const ws = workspaceDirOf(vscode.Uri.file(job.jobDir));
    const existing = (await listLocalEndpoints(ws)).find((e) => e.jobName === job.jobName);
    if (existing) {
      void this.openPredictions(existing);
      return existing;
    }
    const tracked = trackDeploy(`local:${job.jobName}`, `${job.jobName} locally`);
    return Promise.resolve(
      this.services.ui.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `Deploying ${job.jobName} locally`,
          cancellable: true,
        },
        async (progress, token) => {
          const signal = toAbortSignal(token);
          // The Python that trained the job serves it; discovery only when that one is gone.
          const trained = job.python ? await checkPython({ python: job.python, source: 'venv' }, signal) : undefined;
          const py =
            trained && !trained.missing.length
              ? trained
              : await this.python(undefined, signal, job.specFile ?? job.jobDir);
          // serve.py answers as the image that deploying this job's spec would use, where it can.
          const imageTransformers = job.specFile
            ? await loadSpecFile(job.specFile).then(deployedTransformers, () => undefined)
            : undefined;
          const ep = await startLocalEndpoint({
            python: py.python,
            imageTransformers,
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
      ),
    ).finally(() => tracked.dispose());
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
      predictor: httpPredictor(e.url, `local endpoint ${e.name}`, { token: e.token }),
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
    const go = await this.services.ui.showWarningMessage(
      `Delete local endpoint ${e.name}?`,
      {
        modal: true,
        detail: `Stops serve.py (pid ${e.pid}) at ${e.url}. The model stays in ${e.model}: deploy the job again to serve it. No AWS resource is involved.`,
      },
      // First, so the dialog focuses it and Enter keeps the server.
      'Keep Endpoint',
      'Delete',
    );
    if (go !== 'Delete') return false;
    const res = await stopLocalEndpoint(ws, e.name, (line) => void this.services.ui.showWarningMessage(line));
    await this.reloadEndpoints(ws);
    void this.services.ui.showInformationMessage(
      res.stale
        ? `Local endpoint ${e.name}: the record was stale (${res.stale}); dropped it and signalled nothing.`
        : `Local endpoint ${e.name} deleted (server stopped).`,
    );
    return true;
  }

  async runWorkflow(uri: vscode.Uri): Promise<unknown> {
    requireTrust('Running the workflow locally');
    const ws = workspaceDirOf(uri);
    const spec = await loadSpecFile(uri.fsPath);
    const out = redactingChannel(vscode.window.createOutputChannel('SageMaker HF: Local Run', 'log'));
    this.disposables.push(out);
    out.clear();
    out.show(true);
    return this.services.ui.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Running ${path.basename(uri.fsPath)} locally`,
        cancellable: true,
      },
      async (progress, token) => {
        const signal = toAbortSignal(token);
        const found = await this.python(spec, signal, uri.fsPath);
        // The same offers as Train Locally: the spec's versions, then sourceDir/requirements.txt.
        progress.report({ message: "checking the Python against the spec's versions and requirements.txt" });
        const places = this.environmentPlaces((m) => progress.report({ message: m }));
        const py = await requirementsEnvironment(
          this.services,
          places,
          spec,
          await specVersionsEnvironment(this.services, places, spec, found, signal),
          signal,
        );
        out.appendLine(
          `python ${py.python} (Python ${py.version}, torch ${py.packages.torch}, transformers ${py.packages.transformers})`,
        );
        let jobName: string | undefined;
        try {
          const r = await runLocalWorkflow(spec, {
            python: py.python,
            pythonPackages: py.packages,
            ownEnvironment: py.source === 'venv',
            workspaceDir: ws,
            scriptsDir: this.scriptsDir,
            signal,
            onStep: (e) => {
              if (e.phase === 'start') progress.report({ message: `${e.index}/5 ${e.step}`, increment: 0 });
              out.appendLine(
                e.phase === 'start'
                  ? `[${e.index}/5] ${e.step}`
                  : `[${e.index}/5] ${e.step} done in ${formatDuration(e.result!.ms)}: ${e.result!.summary}`,
              );
              if (e.phase === 'end') progress.report({ increment: 20 });
            },
            onProgress: (p) => progress.report({ message: `2/5 train: ${progressText(p)}` }),
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
          for (const s of r.steps)
            out.appendLine(`  ${s.step.padEnd(8)} ${formatDuration(s.ms).padStart(7)}  ${s.summary}`);
          const top = r.prediction.predictions[0]?.[0];
          void this.services.ui.showInformationMessage(
            `Local workflow done in ${formatDuration(r.totalMs)}: "${top?.label ?? '?'}" for the notebook's sentence.`,
          );
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
