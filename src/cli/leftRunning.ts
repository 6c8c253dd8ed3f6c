// What Ctrl-C leaves running: the training job `train --wait` was watching, the endpoint `deploy` was
// waiting for. Say it with its price and the command that ends it; on a terminal offer to end it now,
// with "yes" as the default (run --target sagemaker does this without asking, it owns the whole run).
// The terminal face of workflow/runs/leftRunning (the facts); extension/leftRunning is the editor's.
import { errorLine, isCancelled } from '../core/errors';
import { describeSteps } from '../core/endpoints/deletePlan';
import type { AwsTarget } from '../aws/clients';
import type { Connection } from '../workflow/connect';
import { executeDeletePlan, planEndpointDelete } from '../workflow/endpoints/deleteEndpoint';
import { endpointStillRunning, trainingJobStillRunning, type StillRunning } from '../workflow/runs/leftRunning';
import { stopTrainingJob } from '../workflow/training/train';
import { askYesNo, canAsk } from './askYesNo';
import type { CliContext } from './context';

async function offerToEnd(
  ctx: CliContext,
  check: () => Promise<StillRunning | undefined>,
  what: string,
  fallback: string,
  question: string,
  act: () => Promise<string>,
): Promise<void> {
  let running: StillRunning | undefined;
  try {
    running = await check();
  } catch (err) {
    ctx.stderr(`Could not check ${what} (${errorLine(err)}); if it still runs, end it with: ${fallback}`);
    return;
  }
  if (!running) {
    ctx.stderr(`${what[0]!.toUpperCase()}${what.slice(1)} is not running; nothing of it is left billing.`);
    return;
  }
  ctx.stderr(running.line);
  if (!canAsk()) return;
  let yes: boolean;
  try {
    yes = await askYesNo(question, undefined, { defaultYes: true });
  } catch (err) {
    if (!isCancelled(err)) throw err;
    yes = false;
  }
  if (!yes) {
    ctx.stderr(`Left running (${running.cost}). End it later with: ${running.command}`);
    return;
  }
  try {
    ctx.stderr(await act());
  } catch (err) {
    ctx.stderr(`${errorLine(err)}; end it with: ${running.command}`);
  }
}

export function offerToEndTraining(ctx: CliContext, conn: Connection, jobName: string): Promise<void> {
  return offerToEnd(
    ctx,
    () => trainingJobStillRunning(conn, jobName),
    `training job ${jobName}`,
    `sagemaker-hf stop ${jobName}`,
    `Stop training job ${jobName} now?`,
    async () => {
      await stopTrainingJob(conn, jobName);
      return `Stop requested: ${jobName} is Stopping; billing ends when it is Stopped.`;
    },
  );
}

export function offerToEndEndpoint(ctx: CliContext, conn: AwsTarget, endpointName: string): Promise<void> {
  return offerToEnd(
    ctx,
    () => endpointStillRunning(conn, endpointName),
    `endpoint ${endpointName}`,
    `sagemaker-hf delete ${endpointName}`,
    `Delete endpoint ${endpointName} (and its config and model) now?`,
    async () => {
      const info = await planEndpointDelete(conn, endpointName);
      const done = await executeDeletePlan(conn, info.plan, { onProgress: (p) => ctx.stderr(p.message) });
      return `Deleted ${describeSteps(done.deleted)}.`;
    },
  );
}
