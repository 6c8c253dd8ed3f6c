// The local target in the editor: train a spec on this machine (the job in the Training Jobs tree with
// its status, output in the job's channel, metrics in the metrics view, Stop on the node), deploy a
// completed local job as a local endpoint (Endpoints tree, predictions webview, delete = stop the
// server), run the whole workflow with a cancellable notification, and create the Python environment.
// Everything here runs Python from the workspace, so it needs a trusted workspace. This file registers
// the commands; the state and actions are localFeature.ts, the Python choice python.ts.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { deriveLocalVariant, isLocalSpecJson } from '../../core/training/localVariant';
import { UserError } from '../../core/errors';
import { registerLocalJobDeployer } from '../tree/endpointsSection';
import type { Services } from '../services';
import { register } from '../commands';
import { LocalFeature } from './localFeature';
import { selectPython } from './python';
import { requireTrust } from './trust';

/** The local commands' context: the services and the local feature. */
interface LocalCtx extends Services {
  local: LocalFeature;
}

/** A command on a spec (the argument, the active editor or a pick) that runs the workspace's Python. */
function onSpec(what: string, run: (local: LocalFeature, uri: vscode.Uri) => Promise<unknown>) {
  return (ctx: LocalCtx) => async (arg?: unknown) => {
    requireTrust(what);
    const uri = await ctx.specs.pick(arg);
    return uri && run(ctx.local, uri);
  };
}

export const trainLocallyCommand = onSpec('Local training', (local, uri) => local.trainSpec(uri));
/** Asks how long to let the script run before the interruption, then trains with the rehearsal. */
export const rehearseSpotCommand = onSpec('Rehearsing a spot interruption', async (local, uri) => {
  const answer = await local.askSeconds();
  return answer === undefined ? undefined : local.trainSpec(uri, { interruptAfterSeconds: answer });
});
/**
 * "Run Whole Workflow Locally": from the palette it asks which spec (local specs first) instead of taking
 * the active editor's; a cloud spec is offered as a derived local variant, with what differs, because
 * training it as is on a CPU (bert-base, 16,000 rows x 512 tokens, 4 epochs) would take hours.
 */
export const runWorkflowLocallyCommand = (ctx: LocalCtx) => async (arg?: unknown) => {
  requireTrust('Running the workflow locally');
  const uri = arg instanceof vscode.Uri ? arg : await pickLocalFirst(ctx);
  if (!uri) return undefined;
  const raw = await readSpecJson(uri);
  if (raw === undefined || isLocalSpecJson(raw)) return ctx.local.runWorkflow(uri);
  const variant = deriveLocalVariant(raw);
  const file = uri.fsPath.replace(/\.sagemaker-hf\.json$/, '.local-variant.sagemaker-hf.json');
  const choice = await ctx.ui.showInformationMessage(
    `${path.basename(uri.fsPath)} trains on SageMaker. Run a local variant instead (written to ${path.basename(file)})? It differs in: ${variant.differences.join('; ')}.`,
    { modal: true },
    'Run Local Variant',
    'Run As Is',
  );
  if (choice === 'Run As Is') return ctx.local.runWorkflow(uri);
  if (choice !== 'Run Local Variant') return undefined;
  await writeFile(file, JSON.stringify(variant.spec, null, 2) + '\n');
  return ctx.local.runWorkflow(vscode.Uri.file(file));
};

async function readSpecJson(uri: vscode.Uri): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(uri.fsPath, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined; // the run reports the spec's own error
  }
}

/** The workspace's specs, local ones first, each saying where it trains. */
async function pickLocalFirst(ctx: LocalCtx): Promise<vscode.Uri | undefined> {
  const all = await ctx.specs.getChildren();
  if (all.length <= 1) return ctx.specs.pick();
  const items = await Promise.all(
    all.map(async (u) => {
      const raw = await readSpecJson(u);
      const type = (raw?.training as { instanceType?: unknown } | undefined)?.instanceType;
      const local = isLocalSpecJson(raw);
      return {
        label: vscode.workspace.asRelativePath(u),
        description: local ? 'local' : `${typeof type === 'string' ? type : '?'}: offers a local variant`,
        uri: u,
        local,
      };
    }),
  );
  items.sort((a, b) => Number(b.local) - Number(a.local) || a.label.localeCompare(b.label));
  const pick = await ctx.ui.showQuickPick(items, { title: 'Run which spec locally? (local specs first)' });
  return pick?.uri;
}
/** True once the environment is ready: the command whose error offered it resumes. */
export const createPythonEnvironmentCommand = (ctx: LocalCtx) => async () => {
  await ctx.local.createEnvironment();
  return true;
};
export const selectPythonCommand = (ctx: LocalCtx) => () => selectPython(ctx);

/**
 * "Rehearse Spot Interruption (local)" over the spec's "spot" key: a user sees their script resume after
 * SIGTERM on this machine before a real interruption costs them the run.
 */
class SpotRehearsalLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const at = /"spot"\s*:/.exec(doc.getText());
    if (!at) return [];
    const range = doc.lineAt(doc.positionAt(at.index).line).range;
    return [
      new vscode.CodeLens(range, {
        title: 'Rehearse Spot Interruption (local: SIGTERM, restart, did it resume?)',
        command: 'sagemakerHf.rehearseSpotInterruption',
        arguments: [doc.uri],
      }),
    ];
  }
}

/** sagemakerHf.deployEndpoint on a local job node (`local: true`), handed over by the endpoints room. */
async function deployLocalJob(local: LocalFeature, node: { jobName: string }): Promise<unknown> {
  const job = local.job(node.jobName);
  if (!job) throw new UserError(`local job ${node.jobName} not found`);
  return local.deployJob(job);
}

export function activate(services: Services): void {
  const local = new LocalFeature(services);
  services.context.subscriptions.push(
    local,
    ...local.register(),
    registerLocalJobDeployer((node) => deployLocalJob(local, node as { jobName: string })),
  );
  const ctx: LocalCtx = { ...services, local };
  register(ctx, 'sagemakerHf.trainLocally', trainLocallyCommand);
  register(ctx, 'sagemakerHf.runWorkflowLocally', runWorkflowLocallyCommand);
  register(ctx, 'sagemakerHf.rehearseSpotInterruption', rehearseSpotCommand);
  services.context.subscriptions.push(
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.sagemaker-hf.json' }, new SpotRehearsalLens()),
  );
  register(ctx, 'sagemakerHf.createPythonEnvironment', createPythonEnvironmentCommand);
  register(ctx, 'sagemakerHf.selectPython', selectPythonCommand);
}
