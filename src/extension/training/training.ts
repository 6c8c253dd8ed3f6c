// Training on SageMaker: "Start training" from the spec file (editor title button, a CodeLens over the
// "training" key, the Job Specs tree, the jobs section) with a modal confirmation showing instance type,
// count and on-demand price before anything billable is created; "Stop training job" from the tree.
// After a start the jobs section refreshes and the job's log tail opens (sagemakerHf.showJobLogs).
import * as vscode from 'vscode';
import { revealRunning } from '../tree/runningSection';
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { parseSpecJson, type JobSpec } from '../../core/spec/spec';
import { loadSpecFile } from '../../workflow/specFile';
import { instanceSummary } from '../../core/training/trainingRequest';
import { COMPILER_NOTICE } from '../../core/training/trainingValidation';
import { dollars, formatSpotEstimate, spotPriceEstimate } from '../../core/billing/billing';
import { readSettings } from '../settings';
import type { Services } from '../services';
import { ActionableError, toAbortSignal } from '../ui';
import { register } from '../commands';
import { sourceJobNode } from '../tree/jobsSection';
import { offerToEnd } from '../leftRunning';

const NOTICE_KEY = 'sagemakerHf.trainingCompilerNotice.dismissed';
/** The secret the "Set Hugging Face Hub Token" command stores (dataset/datasets.ts). */
const HUB_TOKEN_KEY = 'sagemakerHf.hubToken';
const SPEC_SELECTOR: vscode.DocumentSelector = { pattern: '**/*.sagemaker-hf.json' };

function priceRegion(services: Services): string {
  return services.connection.current?.region ?? readSettings().region ?? 'us-east-1';
}

/** Title of the lens: "ml.p3.2xlarge x1, $4.23/h (Price List, 2026-12-02)", the same line as the confirmation. */
async function trainingSummary(services: Services, instanceType: string, count: number): Promise<string> {
  const { priceText } = await import('../../workflow/prices');
  const conn = services.connection.current;
  const price = await priceText(priceRegion(services), instanceType, count, 'training', {
    cacheDir: path.join(services.context.globalStorageUri.fsPath, 'prices'),
    profile: conn?.profile,
    awsEndpoint: conn?.endpoint,
  });
  return `${instanceType} x${count}, ${price}`;
}

/** "ml.p3.2xlarge x1, managed spot: about $1.15/h (on-demand about $3.83/h, offline table (us-east-1 prices))". */
export function spotSummary(instanceType: string, count: number, region: string): string {
  const e = spotPriceEstimate(instanceType, count, region);
  return `${instanceType} x${count}, managed spot${e ? `: about ${dollars(e.spotPerHour)}/h (on-demand about ${dollars(e.onDemandPerHour)}/h, offline table (us-east-1 prices))` : ''}`;
}

/** A CodeLens over the "training" key of spec files. */
class TrainingLens implements vscode.CodeLensProvider {
  constructor(private readonly services: Services) {}
  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const text = doc.getText();
    const at = /"training"\s*:/.exec(text);
    if (!at) return [];
    const range = doc.lineAt(doc.positionAt(at.index).line).range;
    let title = 'Start training';
    try {
      const t = (parseSpecJson(text).value as { training?: { instanceType?: unknown; instanceCount?: unknown } })
        .training;
      if (t?.instanceType === 'local') title = 'Start training (local: this machine, no AWS cost)';
      else if (typeof t?.instanceType === 'string') {
        title = `Start training (${await trainingSummary(this.services, t.instanceType, typeof t.instanceCount === 'number' ? t.instanceCount : 1)})`;
      }
    } catch {
      /* half-typed JSON: the plain title */
    }
    return [new vscode.CodeLens(range, { title, command: 'sagemakerHf.startTraining', arguments: [doc.uri] })];
  }
}

let noticeShown = false;

/**
 * The Training Compiler notice: once per window (never again after "Don't Show Again"), and only once the
 * spec has passed the checks, so it never rides along with an error. Not awaited: it must not block.
 */
function showCompilerNotice(services: Services): void {
  const state = services.context.globalState;
  if (noticeShown || state.get<boolean>(NOTICE_KEY)) return;
  noticeShown = true;
  void services.ui.showInformationMessage(COMPILER_NOTICE, 'OK', "Don't Show Again").then(async (choice) => {
    if (choice === "Don't Show Again") await state.update(NOTICE_KEY, true);
  });
}

/** No execution role, said in the editor's terms with the way out as a button. */
export function noRoleError(specFile?: string): ActionableError {
  return new ActionableError(
    `no execution role: SageMaker runs the job as an IAM role it may assume. Select one (Select Execution Role, also under the connection in the SageMaker view), or set "training.role" in ${specFile ? path.basename(specFile) : 'the spec'}`,
    'training.role',
    [{ title: 'Select Execution Role', command: 'sagemakerHf.selectRole', resume: true }],
  );
}

async function specFromArg(services: Services, arg: unknown): Promise<JobSpec | undefined> {
  const uri = await services.specs.pick(arg instanceof vscode.Uri ? arg : undefined);
  if (!uri) return undefined;
  // Train what the editor shows: save unsaved edits of the spec first.
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open?.isDirty) await open.save();
  return loadSpecFile(uri.fsPath);
}

/** Start Training: the spec's checks, the modal naming instance and price, then CreateTrainingJob. */
export const startTrainingCommand =
  (services: Services) =>
  async (arg?: unknown): Promise<unknown> => {
    const spec = await specFromArg(services, arg);
    if (!spec) return;
    // One action for every spec: instanceType "local" trains on this machine.
    if (spec.training.instanceType === 'local')
      return vscode.commands.executeCommand('sagemakerHf.trainLocally', vscode.Uri.file(spec.file!));
    const conn = await services.connection.require();
    const { dryRun } = await import('../../workflow/training/train');
    const { describeListing, listSourceFiles } = await import('../../workflow/training/sourcePackage');
    const { describeApplied } = await import('../../core/sagemaker/sdkDefaults');
    // The Hub token (pushToHub) comes from secret storage and goes only into the job's Environment.
    const hubToken = spec.training.pushToHub
      ? (await services.context.secrets.get(HUB_TOKEN_KEY)) || process.env.HF_TOKEN || undefined
      : undefined;
    const priceOpts = {
      cacheDir: path.join(services.context.globalStorageUri.fsPath, 'prices'),
      profile: conn.profile,
      awsEndpoint: conn.endpoint,
    };
    // training.maxCostUsd is turned into a runtime at the price this confirmation shows.
    const { capPricePerHour } = await import('../../workflow/training/capPrice');
    const trainingPricePerHour = await capPricePerHour(spec.training, conn.region, priceOpts);
    const cap = trainingPricePerHour !== undefined ? { trainingPricePerHour } : {};
    // Everything the SDK would refuse is refused here, before the confirmation. One clock reading for
    // the plan and the job, so the job named in the confirmation is the job created.
    const now = new Date();
    let planned: ReturnType<typeof dryRun>;
    try {
      planned = dryRun(
        spec,
        {
          account: conn.account,
          region: conn.region,
          bucket: conn.bucket,
          role: conn.role,
          now,
          ...(hubToken ? { hubToken } : {}),
          ...cap,
        },
        conn.sdkDefaults,
      );
    } catch (err) {
      if (err instanceof UserError && err.field === 'training.role') throw noRoleError(spec.file);
      throw err;
    }
    if (spec.training.compiler === 'training-compiler') showCompilerNotice(services);
    const count = spec.training.instanceCount ?? 1;
    const t = spec.training;
    // The confirmation names the region's Price List price (or the offline table, labelled so).
    const { priceText } = await import('../../workflow/prices');
    const price = await priceText(conn.region, t.instanceType, count, 'training', priceOpts);
    const summary = t.spot ? spotSummary(t.instanceType, count, conn.region) : `${t.instanceType} x${count}, ${price}`;
    const detail = [
      t.spot
        ? `Instance: ${instanceSummary(spec)}, managed spot — ${formatSpotEstimate(t.instanceType, count, conn.region)}. Runs at most ${Math.round((t.maxRuntimeInSeconds ?? 86400) / 3600)} h, waits for spot capacity up to ${Math.round(t.spot.maxWaitSeconds / 3600)} h in all; checkpoints in ${planned.request.CheckpointConfig?.S3Uri}.`
        : `Instance: ${instanceSummary(spec)} — ${price} while it runs (at most ${Math.round((t.maxRuntimeInSeconds ?? 86400) / 3600)} h).`,
      ...(planned.costCap ? [`Spending cap: ${planned.costCap.line}.`] : []),
      ...(t.keepAliveSeconds
        ? [
            `Warm pool: the instances stay up to ${t.keepAliveSeconds} s after the job, billed at ${price}; release it from the Training Jobs tree.`,
          ]
        : []),
      ...(t.pushToHub
        ? [
            `Pushes the model to the Hugging Face Hub: ${t.pushToHub.repo} (${t.pushToHub.private === false ? 'public' : 'private'}), with your Hub token in the job's environment.`,
          ]
        : []),
      `Job: ${planned.jobName}`,
      `Image: ${planned.request.AlgorithmSpecification?.TrainingImage}`,
      ...(spec.bucket && planned.request.OutputDataConfig?.S3OutputPath?.startsWith(`s3://${spec.bucket}/`)
        ? [`Bucket: s3://${spec.bucket} (the spec's bucket; created when missing, as the SDK does).`]
        : []),
      `Data: ${planned.request.InputDataConfig?.map((c) => c.DataSource?.S3DataSource?.S3Uri).join(', ')}`,
      `Output: ${planned.request.OutputDataConfig?.S3OutputPath}`,
      ...planned.validated.warnings.map((w) => `Warning: ${w}`),
      ...planned.validated.notes.map((n) => `Note: ${n}`),
      ...planned.sdkDefaults.map((a) => `Defaults file: ${describeApplied(a)}`),
      ...describeListing(listSourceFiles(spec.training.sourceDir, spec.training.entryPoint), 10).map((l, i) =>
        i === 0 ? `Code: ${l}` : l,
      ),
    ].join('\n');
    const go = await services.ui.showWarningMessage(
      `Start a SageMaker training job on ${summary}?`,
      { modal: true, detail },
      'Start Training',
    );
    if (go !== 'Start Training') return;
    const train = await import('../../workflow/training/train');
    let started;
    try {
      started = await services.ui.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Starting training', cancellable: true },
        (progress, token) =>
          train.startTraining(spec, conn, {
            signal: toAbortSignal(token),
            onProgress: (m) => {
              services.log.info(m);
              progress.report({ message: m });
            },
            ...(hubToken ? { hubToken } : {}),
            ...cap,
            now,
          }),
      );
    } catch (err) {
      // Cancel after CreateTrainingJob reached SageMaker: the job exists and bills; say so and offer the stop.
      if (err instanceof train.TrainingJobStartedError) {
        const { trainingJobStillRunning } = await import('../../workflow/runs/leftRunning');
        services.tree.refresh('jobs');
        await offerToEnd(services, await trainingJobStillRunning(conn, err.jobName), async () => {
          await train.stopTrainingJob(conn, err.jobName);
          return `Stop requested: ${err.jobName} is Stopping; billing ends when it is Stopped.`;
        });
      }
      throw err;
    }
    services.log.info(`training job ${started.jobName} created (${summary})`);
    for (const w of started.warnings) services.log.warn(w);
    services.tree.refresh('jobs');
    revealRunning(services, 'training job', started.jobName);
    await vscode.commands.executeCommand('sagemakerHf.showJobLogs', started.jobName);
    void services.ui.showInformationMessage(`Training job ${started.jobName} started on ${summary}.`);
  };

interface StoppableNode {
  jobName: string;
  local?: boolean;
  stop?: () => Promise<void>;
}

/** Stop Training Job (SageMaker or local), after a modal. */
export const stopTrainingCommand =
  (services: Services) =>
  async (arg?: unknown): Promise<void> => {
    const node =
      arg && typeof arg === 'object' && typeof (arg as StoppableNode).jobName === 'string'
        ? (arg as StoppableNode)
        : undefined;
    let name = typeof arg === 'string' ? arg.trim() : node?.jobName;
    name ||= (await services.ui.showInputBox({ title: 'Stop training job', prompt: 'Training job name' }))?.trim();
    if (!name) return;
    const local = node?.local === true;
    const go = await services.ui.showWarningMessage(
      `Stop ${local ? 'local training' : 'training job'} ${name}?`,
      {
        modal: true,
        detail: local
          ? 'The training process is ended; its partial output stays on disk.'
          : 'SageMaker ends the job (Stopping, then Stopped); billing ends when it is Stopped. What the script has not saved is lost.',
      },
      'Stop Job',
    );
    if (go !== 'Stop Job') return;
    if (local) {
      if (node?.stop) return void (await node.stop());
      // The local room's job node does the stopping; a job not listed is not running in this window.
      const listed = sourceJobNode(name);
      if (!listed?.stop) throw new UserError(`local job ${name} is not running in this window`);
      return void (await listed.stop());
    }
    const conn = await services.connection.require();
    const { stopTrainingJob } = await import('../../workflow/training/train');
    await stopTrainingJob(conn, name);
    services.log.info(`stop requested for training job ${name}`);
    services.tree.refresh('jobs');
    void services.ui.showInformationMessage(`Stopping training job ${name}.`);
  };

export function activate(services: Services): void {
  register(services, 'sagemakerHf.startTraining', startTrainingCommand);
  register(services, 'sagemakerHf.stopTrainingJob', stopTrainingCommand);
  services.context.subscriptions.push(
    vscode.languages.registerCodeLensProvider(SPEC_SELECTOR, new TrainingLens(services)),
  );
}
