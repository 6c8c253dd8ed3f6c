// Deploying on SageMaker: a completed training job or a model from the Hugging Face Hub, after the
// capacity and name pickers and a modal naming instance type, count and price; then create and wait,
// the status on the tree node, and Cancel that ends only the waiting (and offers the delete, since a
// created endpoint bills).
import * as vscode from 'vscode';
import { revealRunning } from '../tree/runningSection';
import { UserError, errorLine, isCancelled } from '../../core/errors';
import { describeSteps } from '../../core/endpoints/deletePlan';
import type { Connection } from '../../workflow/connect';
import { executeDeploy, planDeploy, planHubDeploy, type DeployPlan } from '../../workflow/endpoints/deploy';
import { executeDeletePlan, planEndpointDelete } from '../../workflow/endpoints/deleteEndpoint';
import { localJobDeployer, trackDeploy } from '../tree/endpointsSection';
import { ActionableError, toAbortSignal } from '../ui';
import { offerToEnd } from '../leftRunning';
import type { EndpointsCtx } from './endpointsModel';
import { confirmDeploy, pickCapacityAndName, pickCompletedJob, type Capacity } from './pickers';
import { openPredictionsCommand } from './predictions';
import { deleteEndpointCommand } from './deleteEndpoint';
import { deleteTimeOf, pickSchedulerRole, scheduleDeletion } from './deleteLater';
import { askHubDeploy } from './hubDeploySteps';

/** The secret "Set Hugging Face Hub Token" stores (dataset/datasets.ts). */
const HUB_TOKEN_KEY = 'sagemakerHf.hubToken';

/** Deploy Endpoint: a completed job (a node, or picked), capacity, name, the modal, then create and wait. */
export const deployEndpointCommand = (ctx: EndpointsCtx) => async (node?: unknown) => {
  const jobNode = node as { jobName?: string; local?: boolean } | undefined;
  if (jobNode?.local) {
    const deployer = localJobDeployer();
    if (!deployer)
      throw new UserError('deploying a local job needs the local target, which is not available in this window');
    return deployer(node);
  }
  const conn = await ctx.connection.require();
  const cts = new vscode.CancellationTokenSource();
  const signal = toAbortSignal(cts.token);
  const jobName = jobNode?.jobName ?? (await pickCompletedJob(ctx.ui, conn, signal));
  if (!jobName) return;
  const sized = await pickCapacityAndName(
    ctx.ui,
    `Deploy ${jobName}`,
    conn.region,
    "Empty: the SDK's name (base job name + timestamp)",
    dialogPrices(ctx, conn),
  );
  if (!sized) return;
  const { capacity, nameText } = sized;
  const opts = { ...capacity, endpointName: nameText || undefined, signal };
  const plan = await ctx.ui
    .withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Reading training job ${jobName}…`, cancellable: true },
      (_p, token) => {
        token.onCancellationRequested(() => cts.cancel());
        return planDeploy(conn, jobName, opts);
      },
    )
    .then(undefined, (err: unknown) => {
      if (err instanceof UserError && err.field === 'role') {
        throw new ActionableError(
          'no execution role for the model: SageMaker hosts it as an IAM role it may assume. Select one (Select Execution Role), then deploy again',
          'role',
          [{ title: 'Select Execution Role', command: 'sagemakerHf.selectRole', resume: true }],
        );
      }
      throw err;
    });
  await confirmAndDeploy(
    ctx,
    conn,
    plan,
    capacity,
    `Deploy ${jobName} as endpoint ${plan.endpointName}?`,
    `Model: ${plan.modelDataUrl}`,
    signal,
  );
};

/**
 * Deploy from the Hub: one multi-step input (id, task, capacity, count or concurrency, name; "n/5" and
 * Back), the task proposed from the model card's pipeline_tag, the token when one is stored (gated
 * models). Closing a step says nothing was created; an error says what went wrong.
 */
export const deployFromHubCommand = (ctx: EndpointsCtx) => async () => {
  const conn = await ctx.connection.require();
  const token = (await ctx.context.secrets.get(HUB_TOKEN_KEY)) || process.env.HF_TOKEN || undefined;
  const answers = await askHubDeploy(ctx, conn, token);
  if (!answers) {
    void ctx.ui.showInformationMessage('Deploy from the Hub cancelled: nothing was created.');
    return;
  }
  const { modelId, task, capacity, nameText } = answers;
  const plan = planHubDeploy(conn, {
    modelId,
    task,
    ...(token ? { token } : {}),
    ...capacity,
    endpointName: nameText || undefined,
  });
  const cts = new vscode.CancellationTokenSource();
  await confirmAndDeploy(
    ctx,
    conn,
    plan,
    capacity,
    `Deploy ${modelId} from the Hugging Face Hub as endpoint ${plan.endpointName}?`,
    `Model: ${modelId} (task ${task}), downloaded by the container from the Hub${token ? '; your Hub token is passed as HF_TOKEN for gated or private models' : '; no Hub token stored (gated models need one: Set Hugging Face Hub Token)'}`,
    toAbortSignal(cts.token),
  );
};

/** The modal with price and pricing model, then create and wait, showing the status on the tree node. */
/** The price options of the deploy dialogs: the extension's price cache and the connection's endpoint. */
function dialogPrices(ctx: EndpointsCtx, conn: Connection) {
  return {
    cacheDir: `${ctx.context.globalStorageUri.fsPath}/prices`,
    profile: conn.profile,
    awsEndpoint: conn.endpoint,
  };
}

export async function confirmAndDeploy(
  ctx: EndpointsCtx,
  conn: Connection,
  plan: DeployPlan,
  capacity: Capacity,
  question: string,
  source: string,
  signal: AbortSignal,
): Promise<void> {
  const sls = capacity.serverless;
  // Instances: the region's Price List price (or the offline table, labelled so).
  const { priceText, serverlessPriceText } = await import('../../workflow/prices');
  const price = sls
    ? await serverlessPriceText(conn.region, sls.memorySizeInMB, dialogPrices(ctx, conn))
    : await priceText(
        conn.region,
        capacity.instanceType,
        capacity.initialInstanceCount,
        'inference',
        dialogPrices(ctx, conn),
      );
  // Values the SDK defaults files put in, each with its file.
  const { describeApplied } = await import('../../core/sagemaker/sdkDefaults');
  const detail = [source, ...(plan.sdkDefaults ?? []).map((a) => `Defaults file: ${describeApplied(a)}`)].join('\n');
  const confirmed = await confirmDeploy(ctx.ui, plan, capacity, question, detail, price);
  if (!confirmed) return;
  // The deletion time and its role are settled before anything bills; the schedule follows CreateEndpoint.
  let deletion: { at: Date; roleArn: string } | undefined;
  if (confirmed.deleteAfter !== 'never') {
    const at = await deleteTimeOf(ctx.ui, confirmed.deleteAfter);
    const roleArn = at ? await pickSchedulerRole(ctx, conn) : undefined;
    if (!at || !roleArn) return;
    deletion = { at, roleArn };
  }
  ctx.log.info(
    `deploying ${plan.hubModelId ?? plan.jobName} as ${plan.endpointName}: ${sls ? `serverless ${sls.memorySizeInMB} MB` : `${capacity.initialInstanceCount} × ${capacity.instanceType}`}, ${plan.image.uri}`,
  );
  ctx.model.setOverride(plan.endpointName, 'Creating');
  revealRunning(ctx, 'endpoint', plan.endpointName);
  const tracked = trackDeploy(plan.endpointName, `${plan.endpointName} on SageMaker`);
  let endpointCreated = false;
  // The notification's Cancel and the caller's signal both end the waiting.
  const inner = new AbortController();
  if (signal.aborted) inner.abort();
  else signal.addEventListener('abort', () => inner.abort(), { once: true });
  try {
    // Waiting takes minutes: the status shows on the tree node and in a cancellable notification.
    await ctx.ui.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Deploying ${plan.endpointName}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => inner.abort());
        return executeDeploy(conn, plan, {
          signal: inner.signal,
          afterCreate: async () => {
            if (!deletion) return;
            try {
              await scheduleDeletion(ctx, conn, plan.endpointName, deletion.at, deletion.roleArn);
            } catch (err) {
              void ctx.ui.showWarningMessage(
                `Endpoint ${plan.endpointName} does NOT delete itself: ${errorLine(err)}. Delete it by hand when done.`,
              );
            }
          },
          onStatus: (s) => {
            ctx.log.info(s.message);
            if (s.step === 'endpoint' || s.step === 'waiting') endpointCreated = true;
            progress.report({ message: s.endpointStatus ?? s.step });
            if (s.endpointStatus)
              ctx.model.setOverride(plan.endpointName, s.endpointStatus === 'InService' ? undefined : s.endpointStatus);
          },
        });
      },
    );
  } catch (err) {
    // Cancel once the endpoint exists ends only the waiting: it still bills, so say so and offer the delete.
    if (isCancelled(err) && endpointCreated) {
      ctx.model.setOverride(plan.endpointName, undefined);
      await ctx.model.refresh();
      const { endpointStillRunning } = await import('../../workflow/runs/leftRunning');
      await offerToEnd(ctx, await endpointStillRunning(conn, plan.endpointName), async () => {
        const info = await planEndpointDelete(conn, plan.endpointName);
        const done = await executeDeletePlan(conn, info.plan, { onProgress: (p) => ctx.log.info(p.message) });
        return `Deleted ${describeSteps(done.deleted)}.`;
      });
    }
    throw err;
  } finally {
    tracked.dispose();
    ctx.model.setOverride(plan.endpointName, undefined);
    await ctx.model.refresh();
  }
  const choice = await ctx.ui.showInformationMessage(
    `Endpoint ${plan.endpointName} is InService (${sls ? 'serverless, billed per use' : `${price} until deleted`}).`,
    'Try Predictions',
    'Delete',
  );
  if (choice === 'Try Predictions') await openPredictionsCommand(ctx)(ctx.model.node(plan.endpointName));
  if (choice === 'Delete') await deleteEndpointCommand(ctx)(ctx.model.node(plan.endpointName));
}
