// Delete Endpoint: reads what the endpoint uses (config, model; shared or foreign ones are kept and
// named), asks in a modal that names the cost now, then deletes in order. From the palette the picker
// takes several endpoints, each row with its labelled hourly price, and one modal lists them all with
// the total. Every modal lists its keep button first: VS Code's dialog focuses the first button that
// is not the close affordance (its Cancel always goes last), so Enter keeps and only a deliberate
// click or Tab deletes. Local endpoints delete themselves (their node's own action, which asks).
import * as vscode from 'vscode';
import { describeKept, describeSteps } from '../../core/endpoints/deletePlan';
import {
  deleteManyQuestion,
  endpointCostText,
  KEEP_ENDPOINT,
  KEEP_ENDPOINTS,
  type EndpointCost,
} from '../../core/endpoints/deleteMany';
import { UserError } from '../../core/errors';
import { executeDeletePlan, planEndpointDelete } from '../../workflow/endpoints/deleteEndpoint';
import type { Connection } from '../../workflow/connect';
import { deploysRunning, isEndpointNode, sourceNodes, type EndpointNodeLike } from '../tree/endpointsSection';
import { toAbortSignal } from '../ui';
import type { EndpointsCtx } from './endpointsModel';
import { endPredictions, sageMakerPanelKey } from '../panels/predictionsPanel';

/** Delete Endpoint: the plan (what goes, what is kept and why), asked in a modal, then deleted in order. */
export const deleteEndpointCommand = (ctx: EndpointsCtx) => async (node?: unknown) => {
  if (isEndpointNode(node)) return deleteOne(ctx, node);
  const picked = await pickEndpointsToDelete(ctx);
  if (!picked?.length) return;
  if (picked.length === 1) return deleteOne(ctx, picked[0]!);
  return deleteMany(ctx, picked);
};

function costOf(n: EndpointNodeLike): EndpointCost {
  return {
    name: n.endpointName,
    status: n.status,
    local: n.local,
    perHour: n.pricePerHour,
    priceLine: n.priceLine,
    estimated: n.priceEstimated,
    serverless: n.serverless,
  };
}

/** Every endpoint (local ones first, SageMaker ones listed afresh), several at once, each with its cost. */
async function pickEndpointsToDelete(ctx: EndpointsCtx): Promise<EndpointNodeLike[] | undefined> {
  await ctx.model.refresh();
  const all = [...sourceNodes().filter(isEndpointNode), ...(await ctx.model.children()).filter(isEndpointNode)];
  if (!all.length) {
    const running = deploysRunning();
    if (running.length)
      throw new UserError(
        `a deploy is in progress (${running.join(', ')}): its endpoint can be picked once it is up; cancel the deploy in its notification to stop it`,
      );
    throw new UserError('no endpoint to delete: none is listed in this region');
  }
  const picks = await ctx.ui.showQuickPick(
    all.map((n) => ({ label: n.endpointName, description: endpointCostText(costOf(n)), node: n })),
    {
      title: 'Delete Endpoint: pick one or more endpoints (Space to tick, Enter to go on)',
      canPickMany: true,
      matchOnDescription: true,
    },
  );
  return picks?.map((p) => p.node);
}

async function planWithProgress(ctx: EndpointsCtx, conn: Connection, names: string[]) {
  return ctx.ui.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Checking what ${names.length === 1 ? `endpoint ${names[0]}` : `${names.length} endpoints`} use${names.length === 1 ? 's' : ''}…`,
      cancellable: true,
    },
    (_p, token) => Promise.all(names.map((name) => planEndpointDelete(conn, name, { signal: toAbortSignal(token) }))),
  );
}

async function deleteOne(ctx: EndpointsCtx, target: EndpointNodeLike): Promise<unknown> {
  if (target.deleteEndpoint) return target.deleteEndpoint();
  const conn = await ctx.connection.require();
  const name = target.endpointName;
  const [info] = await planWithProgress(ctx, conn, [name]);
  const kept = describeKept(info!.plan.kept);
  const { priceText } = await import('../../workflow/prices');
  const cost = info!.instanceType
    ? `It costs ${await priceText(conn.region, info!.instanceType, info!.instanceCount || 1, 'inference', {
        cacheDir: `${ctx.context.globalStorageUri.fsPath}/prices`,
        profile: conn.profile,
        awsEndpoint: conn.endpoint,
      })} now (${info!.instanceCount || 1} × ${info!.instanceType}, status ${info!.plan.status ?? 'unknown'}).`
    : `Status: ${info!.plan.status ?? 'unknown'}.`;
  const askable = info!.plan.kept.some((k) => k.askable);
  const choice = await ctx.ui.showWarningMessage(
    `Delete endpoint ${name}?`,
    {
      modal: true,
      detail: `Deletes, in this order: ${describeSteps(info!.plan.steps)}.\n${cost}${kept.length ? `\n\n${kept.join('\n')}` : ''}`,
    },
    KEEP_ENDPOINT,
    'Delete',
    ...(askable ? ['Delete Including Untagged'] : []),
  );
  if (choice !== 'Delete' && choice !== 'Delete Including Untagged') return;
  const plan =
    choice === 'Delete Including Untagged'
      ? (await planEndpointDelete(conn, name, { includeUntagged: true })).plan
      : info!.plan;
  const result = await runPlan(ctx, conn, name, plan);
  const keptNow = describeKept(result.kept);
  void ctx.ui.showInformationMessage(
    `Deleted ${describeSteps(result.deleted)}.${keptNow.length ? ` ${keptNow.join('; ')}.` : ''}`,
  );
}

async function runPlan(
  ctx: EndpointsCtx,
  conn: Connection,
  name: string,
  plan: Awaited<ReturnType<typeof planEndpointDelete>>['plan'],
) {
  ctx.log.info(`deleting ${describeSteps(plan.steps)}`);
  ctx.model.setOverride(name, 'Deleting');
  try {
    return await ctx.ui.withProgress(
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
}

/** Several endpoints: one modal listing each with its cost and the total, then each plan in turn. */
async function deleteMany(ctx: EndpointsCtx, targets: EndpointNodeLike[]): Promise<void> {
  const cloud = targets.filter((t) => !t.deleteEndpoint);
  const conn = cloud.length ? await ctx.connection.require() : undefined;
  const infos = conn
    ? await planWithProgress(
        ctx,
        conn,
        cloud.map((t) => t.endpointName),
      )
    : [];
  const steps = new Map(infos.map((i, k) => [cloud[k]!.endpointName, describeSteps(i.plan.steps)]));
  const kept = infos.flatMap((i) => describeKept(i.plan.kept));
  const { message, detail } = deleteManyQuestion(targets.map(costOf), steps, kept);
  const choice = await ctx.ui.showWarningMessage(message, { modal: true, detail }, KEEP_ENDPOINTS, 'Delete');
  if (choice !== 'Delete') return;
  const done: string[] = [];
  const failed: string[] = [];
  for (const [k, info] of infos.entries()) {
    const name = cloud[k]!.endpointName;
    try {
      const result = await runPlan(ctx, conn!, name, info.plan);
      done.push(describeSteps(result.deleted));
    } catch (err) {
      failed.push(`${name}: ${(err as Error).message}`);
    }
  }
  for (const t of targets.filter((x) => x.deleteEndpoint)) await t.deleteEndpoint!();
  if (done.length) void ctx.ui.showInformationMessage(`Deleted ${done.join('; ')}.`);
  if (failed.length) void ctx.ui.showErrorMessage(`Could not delete ${failed.join('; ')}`);
}
