// Delete Endpoint: reads what the endpoint uses (config, model; shared or foreign ones are kept and
// named), asks in a modal that names the cost now, then deletes in order. Local endpoints delete
// themselves (their node's own action).
import * as vscode from 'vscode';
import { describeKept, describeSteps } from '../../core/endpoints/deletePlan';
import { executeDeletePlan, planEndpointDelete } from '../../workflow/endpoints/deleteEndpoint';
import { isEndpointNode } from '../tree/endpointsSection';
import { toAbortSignal } from '../ui';
import type { EndpointsCtx } from './endpointsModel';
import { pickEndpoint } from './pickers';
import { endPredictions, sageMakerPanelKey } from '../panels/predictionsPanel';

/** Delete Endpoint: the plan (what goes, what is kept and why), asked in a modal, then deleted in order. */
export const deleteEndpointCommand = (ctx: EndpointsCtx) => async (node?: unknown) => {
  let target = isEndpointNode(node) ? node : undefined;
  if (!target) {
    target = await pickEndpoint(ctx.ui, ctx.model, 'Delete Endpoint: pick an endpoint', () => true);
    if (!target) return;
  }
  if (target.deleteEndpoint) return target.deleteEndpoint();
  const conn = await ctx.connection.require();
  const name = target.endpointName;
  const info = await ctx.ui.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Checking what endpoint ${name} uses…`,
      cancellable: true,
    },
    (_p, token) => planEndpointDelete(conn, name, { signal: toAbortSignal(token) }),
  );
  const kept = describeKept(info.plan.kept);
  const { priceText } = await import('../../workflow/prices');
  const cost = info.instanceType
    ? `It costs ${await priceText(conn.region, info.instanceType, info.instanceCount || 1, 'inference', {
        cacheDir: `${ctx.context.globalStorageUri.fsPath}/prices`,
        profile: conn.profile,
        awsEndpoint: conn.endpoint,
      })} now (${info.instanceCount || 1} × ${info.instanceType}, status ${info.plan.status ?? 'unknown'}).`
    : `Status: ${info.plan.status ?? 'unknown'}.`;
  const askable = info.plan.kept.some((k) => k.askable);
  const choice = await ctx.ui.showWarningMessage(
    `Delete endpoint ${name}?`,
    {
      modal: true,
      detail: `Deletes, in this order: ${describeSteps(info.plan.steps)}.\n${cost}${kept.length ? `\n\n${kept.join('\n')}` : ''}`,
    },
    'Delete',
    ...(askable ? ['Delete Including Untagged'] : []),
  );
  if (!choice) return;
  const plan =
    choice === 'Delete Including Untagged'
      ? (await planEndpointDelete(conn, name, { includeUntagged: true })).plan
      : info.plan;
  ctx.log.info(`deleting ${describeSteps(plan.steps)}`);
  ctx.model.setOverride(name, 'Deleting');
  let result;
  try {
    result = await ctx.ui.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Deleting ${name}` },
      (progress) =>
        executeDeletePlan(conn, plan, {
          onProgress: (p) => {
            ctx.log.info(p.message);
            progress.report({ message: p.message });
          },
        }),
    );
    endPredictions(
      sageMakerPanelKey(conn.account, conn.region, name),
      `Endpoint ${name} was deleted: predictions have ended. Deploy again, then "Try Predictions".`,
    );
  } finally {
    ctx.model.setOverride(name, undefined);
    await ctx.model.refresh();
  }
  const keptNow = describeKept(result.kept);
  void ctx.ui.showInformationMessage(
    `Deleted ${describeSteps(result.deleted)}.${keptNow.length ? ` ${keptNow.join('; ')}.` : ''}`,
  );
};
