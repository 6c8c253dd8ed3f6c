// The questions of Deploy from the Hub as one multi-step input (1/5 … 5/5, Back keeps what was typed):
// the model id, its task (proposed from the model card's pipeline_tag, read from the Hub API), capacity
// with prices, instance count or serverless concurrency, and the endpoint name. A missing model stops it
// with an error; a Hub that cannot be read here only loses the proposal (the container reads the Hub,
// not this machine), and the task step says why.
import * as vscode from 'vscode';
import { UserError, errorLine } from '../../core/errors';
import { HUB_TASKS, hubModelIdProblem } from '../../core/endpoints/deployRequests';
import type { Connection } from '../../workflow/connect';
import { readSettings } from '../settings';
import type { EndpointsCtx } from './endpointsModel';
import { askInput, askPick, runSteps } from './multiStep';
import {
  capacityItems,
  concurrencyProblem,
  countProblem,
  nameProblem,
  type Capacity,
  type CapacityItem,
} from './pickers';

type TaskItem = vscode.QuickPickItem & { task: string };

/** The task items, the card's task first and marked; its item, when the toolkit serves it. */
export function taskItems(pipelineTag: string | undefined): { items: TaskItem[]; proposed?: TaskItem } {
  const served = !!pipelineTag && (HUB_TASKS as readonly string[]).includes(pipelineTag);
  const order = served ? [pipelineTag, ...HUB_TASKS.filter((t) => t !== pipelineTag)] : [...HUB_TASKS];
  const items = order.map((t) => ({
    label: t,
    task: t,
    ...(served && t === pipelineTag ? { description: "the model card's pipeline_tag" } : {}),
  }));
  return { items, ...(served ? { proposed: items[0] } : {}) };
}

interface HubAnswers {
  modelId: string;
  task: string;
  capacity: Capacity;
  nameText: string;
}

interface State {
  modelId?: string;
  task?: string;
  cap?: CapacityItem;
  amount?: string;
  nameText?: string;
}

/** The five steps; undefined when the user closed one (the caller says nothing was created). */
export async function askHubDeploy(
  ctx: EndpointsCtx,
  conn: Connection,
  token: string | undefined,
): Promise<HubAnswers | undefined> {
  const { readHubModelCard } = await import('../../workflow/endpoints/hubModelCard');
  const cards = new Map<string, { tag?: string; note?: string }>();
  let capItems: CapacityItem[] | undefined;
  const title = (s: State) => `Deploy ${s.modelId ?? 'Model from Hugging Face Hub'}`;
  const done = await runSteps<State>({}, [
    async (s, step, total) => {
      const v = await askInput(ctx.ui, {
        title: 'Deploy Model from Hugging Face Hub: model id',
        step,
        total,
        value: s.modelId,
        prompt: 'e.g. distilbert/distilbert-base-uncased-finetuned-sst-2-english',
        validate: (x) => {
          const p = hubModelIdProblem(x.trim());
          return p ? `The id ${p}` : undefined;
        },
      });
      return typeof v === 'string' ? { modelId: v.trim() } : v;
    },
    async (s, step, total) => {
      const id = s.modelId!;
      if (!cards.has(id)) {
        try {
          const card = await ctx.ui.withProgress(
            { location: vscode.ProgressLocation.Window, title: `Reading the model card of ${id}…` },
            () => readHubModelCard(id, { endpoint: readSettings().hubEndpoint, token }),
          );
          cards.set(id, {
            tag: card.pipelineTag,
            note: card.pipelineTag
              ? card.servable
                ? undefined
                : `The card says ${card.pipelineTag}, which the inference toolkit does not serve: pick a task`
              : 'The model card names no task: pick one',
          });
        } catch (err) {
          // No such model: deploying it would bill an endpoint that never starts.
          if (err instanceof UserError && err.field === 'modelId' && /no such model/.test(err.message)) throw err;
          cards.set(id, { note: `Could not read the model card (${errorLine(err)}): pick the task` });
        }
      }
      const card = cards.get(id)!;
      const { items, proposed } = taskItems(card.tag);
      const chosen = s.task ? items.find((i) => i.task === s.task) : proposed;
      const v = await askPick(ctx.ui, {
        title: `${title(s)}: pipeline task (HF_TASK)`,
        step,
        total,
        items,
        active: chosen,
        placeholder: card.note ?? `Proposed from the model card: ${card.tag}`,
      });
      return v && typeof v === 'object' ? { task: v.task } : (v as undefined);
    },
    async (s, step, total) => {
      capItems ??= await capacityItems(conn.region, {
        cacheDir: `${ctx.context.globalStorageUri.fsPath}/prices`,
        profile: conn.profile,
        awsEndpoint: conn.endpoint,
      });
      const v = await askPick(ctx.ui, {
        title: `${title(s)}: capacity`,
        step,
        total,
        items: capItems,
        active: s.cap,
        matchOnDetail: true,
      });
      return v && typeof v === 'object' ? { cap: v, amount: v.memory === s.cap?.memory ? s.amount : undefined } : v;
    },
    async (s, step, total) => {
      const sls = !!s.cap!.memory;
      const v = await askInput(ctx.ui, {
        title: `${title(s)}: ${sls ? 'serverless max concurrency' : 'instance count'}`,
        step,
        total,
        value: s.amount ?? (sls ? '5' : '1'),
        prompt: sls ? 'Concurrent requests before SageMaker throttles (1-200)' : undefined,
        validate: sls ? concurrencyProblem : countProblem,
      });
      return typeof v === 'string' ? { amount: v.trim() } : v;
    },
    async (s, step, total) => {
      const v = await askInput(ctx.ui, {
        title: `${title(s)}: endpoint name`,
        step,
        total,
        value: s.nameText,
        prompt: 'Empty: the model name + timestamp',
        validate: nameProblem,
      });
      return typeof v === 'string' ? { nameText: v.trim() } : v;
    },
  ]);
  if (!done) return undefined;
  const { cap, amount } = done;
  const capacity: Capacity = cap!.memory
    ? {
        instanceType: 'serverless',
        initialInstanceCount: 1,
        serverless: { memorySizeInMB: cap!.memory, maxConcurrency: Number(amount) },
      }
    : { instanceType: cap!.instanceType!, initialInstanceCount: Number(amount) };
  return { modelId: done.modelId!, task: done.task!, capacity, nameText: done.nameText ?? '' };
}
