// Delete an endpoint and what it leaves behind: gather the facts (the endpoint, its config, the models,
// every other endpoint that might share them), plan (src/core/endpoints/deletePlan.ts), then delete in order:
// endpoint (waiting until it is gone), config, model.
import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SageMakerClient,
  type DescribeEndpointOutput,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { client, type AwsTarget } from '../../aws/clients';
import { awsErrorName, describeAwsError } from '../../aws/errors';
import { CancelledError, UserError, errorLine, isCancelled, throwIfAborted, sleep } from '../../core/errors';
import {
  KIND_LABEL,
  planDelete,
  type DeleteFacts,
  type DeletePlan,
  type PlanStep,
} from '../../core/endpoints/deletePlan';
import { mapLimit } from '../../core/concurrency';
import { cancelEndpointDeletion } from './deleteSchedule';

export interface EndpointDeleteInfo {
  plan: DeletePlan;
  instanceType?: string;
  instanceCount?: number;
  createdAt?: Date;
}

const notFound = (err: unknown) =>
  awsErrorName(err) === 'ValidationException' &&
  /could not find|does not exist|not found/i.test(String((err as Error).message));

async function tagsOf(sm: SageMakerClient, arn: string | undefined, signal?: AbortSignal): Promise<Tag[] | undefined> {
  if (!arn) return undefined;
  try {
    return (
      (await sm.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 50 }), { abortSignal: signal })).Tags ?? []
    );
  } catch (err) {
    if (isCancelled(err)) throw err;
    return undefined; // unknown tags count as "not ours"
  }
}

export async function planEndpointDelete(
  conn: AwsTarget,
  endpointName: string,
  opts: { includeUntagged?: boolean; onlyTagged?: boolean; signal?: AbortSignal } = {},
): Promise<EndpointDeleteInfo> {
  const sm = client(SageMakerClient, conn);
  const { signal } = opts;
  let ep: DescribeEndpointOutput;
  try {
    ep = await sm.send(new DescribeEndpointCommand({ EndpointName: endpointName }), { abortSignal: signal });
  } catch (err) {
    if (!notFound(err)) throw describeAwsError(err, conn, `Reading endpoint ${endpointName}`);
    // A delete that stopped half way (DeleteModel denied, Ctrl-C) left the config or the model: a retry
    // finishes what the first plan had. Deploys name all three after the endpoint.
    const left = await leftoversOf(sm, conn, endpointName, opts);
    if (left) return left;
    throw new UserError(`endpoint: '${endpointName}' was not found in ${conn.region}`, 'endpoint', { cause: err });
  }
  const facts: DeleteFacts = {
    endpoint: { name: endpointName, status: ep.EndpointStatus, configName: ep.EndpointConfigName },
    models: {},
    otherEndpoints: [],
    includeUntagged: opts.includeUntagged,
    onlyTagged: opts.onlyTagged,
  };
  let instanceType: string | undefined;
  if (ep.EndpointConfigName) {
    try {
      const cfg = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }), {
        abortSignal: signal,
      });
      const modelNames = [
        ...new Set((cfg.ProductionVariants ?? []).map((v) => v.ModelName).filter((m): m is string => !!m)),
      ];
      instanceType = cfg.ProductionVariants?.[0]?.InstanceType;
      facts.config = { name: ep.EndpointConfigName, modelNames, tags: await tagsOf(sm, cfg.EndpointConfigArn, signal) };
      for (const m of modelNames) {
        try {
          const d = await sm.send(new DescribeModelCommand({ ModelName: m }), { abortSignal: signal });
          facts.models[m] = { exists: true, tags: await tagsOf(sm, d.ModelArn, signal) };
        } catch (err) {
          if (isCancelled(err)) throw err;
          facts.models[m] = notFound(err) ? { exists: false } : { exists: true };
        }
      }
    } catch (err) {
      if (isCancelled(err)) throw err;
      facts.config = notFound(err)
        ? { name: ep.EndpointConfigName, state: 'missing' }
        : {
            name: ep.EndpointConfigName,
            state: 'unreadable',
            error: errorLine(describeAwsError(err, conn, 'Reading endpoint config')),
          };
    }
  }
  facts.otherEndpoints = await otherEndpoints(sm, conn, endpointName, signal);
  const count = ep.ProductionVariants?.reduce((n, v) => n + (v.CurrentInstanceCount ?? 0), 0);
  return { plan: planDelete(facts), instanceType, instanceCount: count, createdAt: ep.CreationTime };
}

/** The endpoint config and models named after a deleted endpoint, planned like the first delete; undefined when none. */
async function leftoversOf(
  sm: SageMakerClient,
  conn: AwsTarget,
  name: string,
  opts: { includeUntagged?: boolean; onlyTagged?: boolean; signal?: AbortSignal },
): Promise<EndpointDeleteInfo | undefined> {
  const { signal } = opts;
  const facts: DeleteFacts = {
    endpoint: { name, status: 'already deleted', gone: true },
    models: {},
    otherEndpoints: [],
    includeUntagged: opts.includeUntagged,
    onlyTagged: opts.onlyTagged,
  };
  let modelNames = [name];
  try {
    const cfg = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }), { abortSignal: signal });
    modelNames = [...new Set((cfg.ProductionVariants ?? []).map((v) => v.ModelName).filter((m): m is string => !!m))];
    facts.config = { name, modelNames, tags: await tagsOf(sm, cfg.EndpointConfigArn, signal) };
  } catch (err) {
    if (isCancelled(err)) throw err;
    if (!notFound(err)) throw describeAwsError(err, conn, `Reading endpoint config ${name}`);
  }
  for (const m of modelNames) {
    try {
      const d = await sm.send(new DescribeModelCommand({ ModelName: m }), { abortSignal: signal });
      facts.models[m] = { exists: true, tags: await tagsOf(sm, d.ModelArn, signal) };
    } catch (err) {
      if (isCancelled(err)) throw err;
      if (!notFound(err)) throw describeAwsError(err, conn, `Reading model ${m}`);
      facts.models[m] = { exists: false };
    }
  }
  if (!facts.config && !Object.values(facts.models).some((m) => m.exists)) return undefined;
  facts.otherEndpoints = await otherEndpoints(sm, conn, name, signal);
  return { plan: planDelete(facts) };
}

/** Every other endpoint with its config and that config's models, to keep what they still use. */
async function otherEndpoints(
  sm: SageMakerClient,
  conn: AwsTarget,
  exclude: string,
  signal?: AbortSignal,
): Promise<DeleteFacts['otherEndpoints']> {
  const names: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await sm.send(new ListEndpointsCommand({ MaxResults: 100, NextToken: token }), {
        abortSignal: signal,
      });
      for (const e of page.Endpoints ?? [])
        if (e.EndpointName && e.EndpointName !== exclude) names.push(e.EndpointName);
      token = page.NextToken;
    } while (token);
  } catch (err) {
    // Without the full list we cannot know what is shared: refuse rather than delete something in use.
    throw describeAwsError(err, conn, 'Listing endpoints (to find shared configs and models)');
  }
  const configModels = new Map<string, Promise<string[] | undefined>>();
  return mapLimit(names, 4, async (name) => {
    try {
      const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: signal });
      const cfgName = d.EndpointConfigName;
      if (!cfgName) return { name };
      if (!configModels.has(cfgName)) {
        configModels.set(
          cfgName,
          sm
            .send(new DescribeEndpointConfigCommand({ EndpointConfigName: cfgName }), { abortSignal: signal })
            .then((c) => (c.ProductionVariants ?? []).map((v) => v.ModelName).filter((m): m is string => !!m))
            .catch(() => undefined),
        );
      }
      return { name, configName: cfgName, modelNames: await configModels.get(cfgName) };
    } catch (err) {
      if (isCancelled(err)) throw err;
      if (notFound(err)) return { name }; // deleted meanwhile
      throw describeAwsError(err, conn, `Reading endpoint ${name}`);
    }
  });
}

export interface DeleteProgress {
  step: PlanStep;
  message: string;
  endpointStatus?: string;
}

export interface DeleteResult {
  deleted: PlanStep[];
  kept: DeletePlan['kept'];
}

const IN_PROGRESS = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack']);

export async function executeDeletePlan(
  conn: AwsTarget,
  plan: DeletePlan,
  opts: { signal?: AbortSignal; onProgress?: (p: DeleteProgress) => void; pollMs?: number } = {},
): Promise<DeleteResult> {
  const sm = client(SageMakerClient, conn);
  const { signal } = opts;
  const poll = opts.pollMs ?? 10_000;
  const deleted: PlanStep[] = [];
  const describe = async (name: string) => {
    try {
      return (
        (await sm.send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: signal })).EndpointStatus ??
        'Unknown'
      );
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  };
  for (const step of plan.steps) {
    throwIfAborted(signal);
    const say = (message: string, endpointStatus?: string) =>
      opts.onProgress?.({ step, message, ...(endpointStatus ? { endpointStatus } : {}) });
    try {
      if (step.kind === 'endpoint') {
        let status = await describe(step.name);
        // AWS refuses to delete an endpoint while it is being created or updated; wait that out.
        while (status && IN_PROGRESS.has(status)) {
          try {
            await sm.send(new DeleteEndpointCommand({ EndpointName: step.name }), { abortSignal: signal });
            status = 'Deleting';
            break;
          } catch (err) {
            if (awsErrorName(err) !== 'ValidationException' || notFound(err)) throw err;
            say(`endpoint ${step.name} is ${status}; it can be deleted once that finishes`, status);
            await sleep(poll, signal);
            status = await describe(step.name);
          }
        }
        if (status && status !== 'Deleting') {
          say(`deleting endpoint ${step.name}`, status);
          await sm.send(new DeleteEndpointCommand({ EndpointName: step.name }), { abortSignal: signal });
        }
        // The config and model may only go once the endpoint no longer uses them.
        for (let s = await describe(step.name); s; s = await describe(step.name)) {
          say(`endpoint ${step.name} is ${s}`, s);
          await sleep(poll, signal);
        }
        // A deletion schedule for an endpoint that is gone would only fail later: remove it too.
        if (await cancelEndpointDeletion(conn, step.name, signal).catch(() => false))
          say(`removed the schedule that would have deleted ${step.name}`);
      } else if (step.kind === 'endpointConfig') {
        say(`deleting endpoint config ${step.name}`);
        await sm
          .send(new DeleteEndpointConfigCommand({ EndpointConfigName: step.name }), { abortSignal: signal })
          .catch((e) => {
            if (!notFound(e)) throw e;
          });
      } else {
        say(`deleting model ${step.name}`);
        await sm.send(new DeleteModelCommand({ ModelName: step.name }), { abortSignal: signal }).catch((e) => {
          if (!notFound(e)) throw e;
        });
      }
      deleted.push(step);
    } catch (err) {
      if (isCancelled(err) || signal?.aborted) throw new CancelledError();
      const left = plan.steps
        .slice(plan.steps.indexOf(step))
        .map((s) => `${KIND_LABEL[s.kind]} ${s.name}`)
        .join(', ');
      throw new UserError(
        `${describeAwsError(err, conn, `Deleting ${KIND_LABEL[step.kind]} ${step.name}`).message}. ${deleted.length ? `Deleted: ${deleted.map((s) => `${KIND_LABEL[s.kind]} ${s.name}`).join(', ')}. ` : ''}Not deleted: ${left}.`,
        undefined,
        { cause: err },
      );
    }
  }
  return { deleted, kept: plan.kept };
}
