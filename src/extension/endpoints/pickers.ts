// The endpoint pickers, apart from the commands that use them: capacity (instances or serverless, each
// with its pricing model), the endpoint name, a completed training job, an endpoint, and the deploy
// confirmation. Each reaches the window through the Ui it is given, so unit tests answer with fakes.
import * as vscode from 'vscode';
import { listTrainingJobsPage } from '../../aws/sagemakerQueries';
import { describeAwsError } from '../../aws/errors';
import { UserError } from '../../core/errors';
import { endpointNameProblem, type ServerlessConfig } from '../../core/endpoints/deployRequests';
import { SERVERLESS_MEMORY_SIZES } from '../../core/billing/billing';
import type { Connection } from '../../workflow/connect';
import type { PriceOptions } from '../../workflow/prices';
import type { DeployPlan } from '../../workflow/endpoints/deploy';
import { deploysRunning, isEndpointNode, sourceNodes, type EndpointNodeLike } from '../tree/endpointsSection';
import type { Node } from '../tree/tree';
import type { Ui } from '../window';

const INSTANCE_CHOICES = [
  'ml.g4dn.xlarge',
  'ml.m5.xlarge',
  'ml.c5.xlarge',
  'ml.g4dn.2xlarge',
  'ml.g5.xlarge',
  'ml.m5.large',
  'ml.t2.medium',
];

export interface Capacity {
  instanceType: string;
  initialInstanceCount: number;
  serverless?: ServerlessConfig;
}

export type CapacityItem = vscode.QuickPickItem & { instanceType?: string; memory?: number };

/** The capacity choices: instance types with their hourly price, then serverless sizes billed per use. */
export async function capacityItems(region: string, prices: PriceOptions = {}): Promise<CapacityItem[]> {
  const { priceText, serverlessPriceText } = await import('../../workflow/prices');
  const serverlessSizes = SERVERLESS_MEMORY_SIZES.filter((m) => m !== 1024 && m !== 5120);
  const [instancePrices, serverlessPrices] = await Promise.all([
    Promise.all(INSTANCE_CHOICES.map((t) => priceText(region, t, 1, 'inference', prices))),
    Promise.all(serverlessSizes.map((m) => serverlessPriceText(region, m, prices))),
  ]);
  return [
    ...INSTANCE_CHOICES.map((t, i) => ({
      label: t,
      instanceType: t,
      description: instancePrices[i],
      detail: `${t === 'ml.g4dn.xlarge' ? "GPU, the notebook's choice" : /\.(g|p)\d/.test(t) ? 'GPU' : 'CPU'} · billed per hour until deleted`,
    })),
    { label: 'Serverless', kind: vscode.QuickPickItemKind.Separator },
    ...serverlessSizes.map((m, i) => ({
      label: `Serverless ${m / 1024} GB`,
      memory: m,
      description: 'billed per use',
      detail: `CPU, no instances: ${serverlessPrices[i]}; cold start after idle. The cheap way to try a model.`,
    })),
  ];
}

/** The serverless concurrency box's check: a whole number from 1 to 200. */
export const concurrencyProblem = (v: string) =>
  /^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 200 ? undefined : 'A whole number from 1 to 200';
/** The instance count box's check: a whole number of at least 1. */
export const countProblem = (v: string) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : 'A whole number of at least 1');

/** Capacity: instances (type, count) or serverless (memory), each with its pricing model and price. */
export async function pickCapacity(
  ui: Ui,
  title: string,
  region: string,
  prices: PriceOptions = {},
): Promise<Capacity | undefined> {
  const items = await capacityItems(region, prices);
  const pick = await ui.showQuickPick(items, { title: `${title}: capacity`, matchOnDetail: true });
  if (!pick) return undefined;
  if (pick.memory) {
    const conc = await ui.showInputBox({
      title: `${title}: serverless max concurrency`,
      prompt: 'Concurrent requests before SageMaker throttles (1-200)',
      value: '5',
      validateInput: concurrencyProblem,
    });
    if (!conc) return undefined;
    return {
      instanceType: 'serverless',
      initialInstanceCount: 1,
      serverless: { memorySizeInMB: pick.memory, maxConcurrency: Number(conc.trim()) },
    };
  }
  const countText = await ui.showInputBox({
    title: `${title}: instance count`,
    value: '1',
    validateInput: countProblem,
  });
  if (!countText) return undefined;
  return { instanceType: pick.instanceType!, initialInstanceCount: Number(countText.trim()) };
}

/** The endpoint name box's check: empty (the default name) or a valid SageMaker endpoint name. */
export const nameProblem = (v: string) =>
  v.trim() === '' ? undefined : endpointNameProblem(v.trim()) ? `The name ${endpointNameProblem(v.trim())}` : undefined;

/** The endpoint name; empty (the caller's default name) is allowed, Escape is undefined. */
export async function askEndpointName(ui: Ui, title: string, prompt: string): Promise<string | undefined> {
  const text = await ui.showInputBox({
    title,
    prompt,
    value: '',
    validateInput: nameProblem,
  });
  return text?.trim();
}

/** Capacity, then the endpoint name ('' for the default one); undefined when either is escaped. */
export async function pickCapacityAndName(
  ui: Ui,
  title: string,
  region: string,
  namePrompt: string,
  prices: PriceOptions = {},
): Promise<{ capacity: Capacity; nameText: string } | undefined> {
  const capacity = await pickCapacity(ui, title, region, prices);
  if (!capacity) return undefined;
  const nameText = await askEndpointName(ui, `${title}: endpoint name`, namePrompt);
  return nameText === undefined ? undefined : { capacity, nameText };
}

export async function pickCompletedJob(ui: Ui, conn: Connection, signal: AbortSignal): Promise<string | undefined> {
  const page = await listTrainingJobsPage(conn, { StatusEquals: 'Completed', MaxResults: 50 }, signal).catch((e) => {
    throw describeAwsError(e, conn, 'Listing completed training jobs');
  });
  const jobs = (page.TrainingJobSummaries ?? []).filter((j) => j.TrainingJobStatus === 'Completed');
  if (!jobs.length) throw new UserError(`no completed training job in ${conn.region} to deploy: train one first`);
  const pick = await ui.showQuickPick(
    jobs.map((j) => ({
      label: j.TrainingJobName!,
      description: j.TrainingEndTime ? new Date(j.TrainingEndTime).toLocaleString() : '',
    })),
    { title: 'Deploy Endpoint: pick a completed training job' },
  );
  return pick?.label;
}

/** Local endpoints and those of `model` (listed afresh) that pass `filter`; says why when there are none. */
export async function pickEndpoint(
  ui: Ui,
  model: { refresh(): Promise<void>; children(): Promise<Node[]> },
  title: string,
  filter: (n: EndpointNodeLike) => boolean,
): Promise<EndpointNodeLike | undefined> {
  await model.refresh();
  const all = [...sourceNodes().filter(isEndpointNode), ...(await model.children()).filter(isEndpointNode)].filter(
    filter,
  );
  if (!all.length) {
    const running = deploysRunning();
    if (running.length)
      throw new UserError(
        `a deploy is in progress (${running.join(', ')}): its endpoint can be picked once it is up; cancel the deploy in its notification to stop it`,
      );
    throw new UserError('no endpoint to pick: deploy one first');
  }
  const pick = await ui.showQuickPick(
    all.map((n) => ({ label: n.endpointName, description: `${n.local ? 'local · ' : ''}${n.status}`, node: n })),
    { title },
  );
  return pick?.node;
}

/**
 * The deploy modal: what is created, its capacity and price (billed until deleted, or per use), the image
 * and the model's source. True only when the user chose Deploy.
 */
export async function confirmDeploy(
  ui: Ui,
  plan: DeployPlan,
  capacity: Capacity,
  question: string,
  source: string,
  price: string,
): Promise<false | { deleteAfter: 'never' | '1 h' | '4 h' | 'end of today' | 'custom' }> {
  const sls = capacity.serverless;
  const what = sls
    ? `a serverless endpoint (${sls.memorySizeInMB} MB, up to ${sls.maxConcurrency} concurrent, CPU): ${price}. The first request after idle is a cold start.`
    : `a real-time endpoint on ${capacity.initialInstanceCount} × ${capacity.instanceType}: ${price}, billed until you delete it.`;
  const ok = await ui.showWarningMessage(
    question,
    {
      modal: true,
      detail: `Creates a model, an endpoint config and ${what}\n\nImage: ${plan.image.uri}${plan.image.note ? `\n(${plan.image.note})` : ''}\n${source}${plan.notes.map((n) => `\n${n}`).join('')}\n\nThe "Delete" choices create an EventBridge Scheduler schedule that deletes the endpoint at that time, even with this editor closed.`,
    },
    ...DEPLOY_BUTTONS,
  );
  return ok === 'Deploy' ? { deleteAfter: 'never' } : ((ok ? DEPLOY_DELETE_CHOICE[ok] : undefined) ?? false);
}

/** The deploy modal's buttons: deploy, or deploy with a deletion schedule (EventBridge Scheduler). */
const DEPLOY_DELETE_CHOICE: Record<string, { deleteAfter: '1 h' | '4 h' | 'end of today' | 'custom' }> = {
  'Deploy, Delete After 1 h': { deleteAfter: '1 h' },
  'Deploy, Delete After 4 h': { deleteAfter: '4 h' },
  'Deploy, Delete at End of Today': { deleteAfter: 'end of today' },
  'Deploy, Delete At…': { deleteAfter: 'custom' },
};
const DEPLOY_BUTTONS = ['Deploy', ...Object.keys(DEPLOY_DELETE_CHOICE)];
