// Try Predictions on an endpoint, and the predictions panels VS Code restores after a window reload:
// each reopens on its endpoint when that still answers, or says in the panel why not and what to do.
import * as vscode from 'vscode';
import { describeEndpoint } from '../../aws/sagemakerQueries';
import { errorLine } from '../../core/errors';
import { httpPredictor, sageMakerPredictor } from '../../workflow/endpoints/predictor';
import { localEndpointToken } from '../../workflow/local/localEndpoint';
import { parseRestoreState } from '../../webview/predictionsProtocol';
import { isEndpointNode, sourceNodes } from '../tree/endpointsSection';
import { openPredictionsPanel, sageMakerPanelKey, showPanelMessage } from '../panels/predictionsPanel';
import { workspaceExamples } from '../panels/predictionExamples';
import type { EndpointsCtx } from './endpointsModel';
import { pickEndpoint } from './pickers';

/** Try Predictions: an endpoint node (local ones open their own), or an InService endpoint picked. */
export const openPredictionsCommand = (ctx: EndpointsCtx) => async (node?: unknown) => {
  let target = isEndpointNode(node) ? node : undefined;
  if (!target) {
    if (!ctx.connection.current && !sourceNodes().length) await ctx.connection.require();
    target = await pickEndpoint(
      ctx.ui,
      ctx.model,
      'Try Predictions: pick an endpoint',
      (n) => n.status === 'InService',
    );
    if (!target) return;
  }
  if (target.openPredictions) return target.openPredictions();
  const conn = await ctx.connection.require();
  const { examples, labelNames } = await workspaceExamples(ctx.log);
  openPredictionsPanel(ctx, {
    title: `Predictions: ${target.endpointName}`,
    predictor: sageMakerPredictor(conn, target.endpointName),
    labelNames,
    examples,
    stateKey: sageMakerPanelKey(conn.account, conn.region, target.endpointName),
    target: { kind: 'sagemaker', endpointName: target.endpointName, account: conn.account, region: conn.region },
    coldStarts: target.serverless === true,
  });
};

/** Reopens a predictions panel after a window reload, or says in it why its endpoint is not usable. */
export async function restorePredictions(ctx: EndpointsCtx, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  const parsed = parseRestoreState(state);
  if (!parsed.ok) {
    ctx.log.warn(`predictions panel not restored: ${parsed.error}`);
    showPanelMessage(
      panel,
      'Predictions',
      'This predictions panel could not be restored (it was saved without its endpoint). Close it and run "SageMaker HF: Try Predictions".',
    );
    return;
  }
  const r = parsed.message;
  const t = r.target;
  if (t.kind === 'local') {
    // Any HTTP answer means the local server still listens; a refused connection means it stopped.
    const alive = await fetch(t.url, { signal: AbortSignal.timeout(3000) }).then(
      () => true,
      () => false,
    );
    if (!alive) {
      showPanelMessage(
        panel,
        r.title,
        `Local endpoint ${t.name} is no longer running (nothing answers at ${t.url}). Deploy it again from its local job ("Deploy Endpoint"), then "Try Predictions".`,
      );
      return;
    }
    // The token stays in the workspace's registry, never in the panel's saved state.
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const token = ws ? await localEndpointToken(ws, t.url) : undefined;
    openPredictionsPanel(ctx, {
      title: r.title,
      predictor: httpPredictor(t.url, `local endpoint ${t.name}`, { token }),
      labelNames: r.labelNames,
      examples: (await workspaceExamples(ctx.log)).examples,
      stateKey: r.stateKey,
      target: t,
      panel,
    });
    return;
  }
  let conn;
  try {
    conn = await ctx.connection.require();
  } catch (err) {
    showPanelMessage(
      panel,
      r.title,
      `Endpoint ${t.endpointName} cannot be reached: connecting to AWS failed: ${errorLine(err)}. Run "SageMaker HF: Connect to AWS", then "Try Predictions".`,
    );
    return;
  }
  if (conn.account !== t.account || conn.region !== t.region) {
    showPanelMessage(
      panel,
      r.title,
      `Endpoint ${t.endpointName} is in account ${t.account}, ${t.region}; the connection is to ${conn.account}, ${conn.region}. Connect there, then "Try Predictions".`,
    );
    return;
  }
  let status: string | undefined;
  try {
    status = (await describeEndpoint(conn, t.endpointName)).EndpointStatus;
  } catch (err) {
    const gone = /could not find|not found|ValidationException/i.test(
      String((err as { name?: string }).name) + ' ' + String((err as Error).message),
    );
    showPanelMessage(
      panel,
      r.title,
      gone
        ? `Endpoint ${t.endpointName} no longer exists in ${t.region} (deleted?). Deploy it again, then "Try Predictions".`
        : `Endpoint ${t.endpointName} could not be checked: ${errorLine(err)}`,
    );
    return;
  }
  if (status !== 'InService') {
    showPanelMessage(
      panel,
      r.title,
      `Endpoint ${t.endpointName} is ${status ?? 'in an unknown state'}, not InService: predictions need an InService endpoint. Reopen with "Try Predictions" once it is.`,
    );
    return;
  }
  const { examples } = await workspaceExamples(ctx.log);
  openPredictionsPanel(ctx, {
    title: r.title,
    predictor: sageMakerPredictor(conn, t.endpointName),
    labelNames: r.labelNames,
    examples,
    stateKey: r.stateKey,
    target: t,
    panel,
  });
}
