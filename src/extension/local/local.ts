// The local target in the editor: train a spec on this machine (the job in the Training Jobs tree with
// its status, output in the job's channel, metrics in the metrics view, Stop on the node), deploy a
// completed local job as a local endpoint (Endpoints tree, predictions webview, delete = stop the
// server), run the whole workflow with a cancellable notification, and create the Python environment.
// Everything here runs Python from the workspace, so it needs a trusted workspace. This file registers
// the commands; the state and actions are localFeature.ts, the Python choice python.ts.
import * as vscode from 'vscode';
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
export const runWorkflowLocallyCommand = onSpec('Running the workflow locally', (local, uri) => local.runWorkflow(uri));
export const createPythonEnvironmentCommand = (ctx: LocalCtx) => () => ctx.local.createEnvironment();
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
