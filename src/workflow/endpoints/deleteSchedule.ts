// Endpoints that delete themselves, on the AWS side: the EventBridge Scheduler one-time schedule that calls
// DeleteEndpoint (requests from src/core/endpoints/deleteAfter.ts), the scheduler role it runs as, reading
// the schedules back for the tree, cancelling and moving them, removing the ones whose endpoint is gone,
// and finding what a scheduled deletion leaves behind (the endpoint config and model, which cost nothing
// but clutter). Schedules live in one group, "sagemaker-hf", tagged as the tool's.
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AddTagsCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SageMakerClient,
  type ListEndpointConfigsCommandOutput,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { client, type AwsTarget } from '../../aws/clients';
import { awsErrorName, describeAwsError } from '../../aws/errors';
import { isCancelled, sleep } from '../../core/errors';
import {
  DELETE_AT_TAG,
  SCHEDULE_GROUP,
  SCHEDULER_ROLE_NAME,
  SCHEDULER_ROLE_POLICY_NAME,
  deleteScheduleRequest,
  scheduleGroupTags,
  scheduleNameFor,
  scheduledDeletionOf,
  schedulerPermissionPolicy,
  schedulerTrustPolicy,
  type ScheduledDeletion,
} from '../../core/endpoints/deleteAfter';
import { CREATED_BY_TAG, CREATED_BY_VALUE } from '../../core/sagemaker/tags';
import { listRolesTrusting, type RoleChoice } from '../connect';

interface Account {
  account: string;
  /** The caller ARN (its partition names the role's). */
  arn?: string;
}
type Target = AwsTarget & Account;

const partitionOf = (t: Target) => t.arn?.split(':')[1] || 'aws';
const notFound = (err: unknown) =>
  err instanceof ResourceNotFoundException || awsErrorName(err) === 'ResourceNotFoundException';
const smNotFound = (err: unknown) =>
  awsErrorName(err) === 'ValidationException' &&
  /could not find|does not exist|not found/i.test(String((err as Error).message));

/** Roles EventBridge Scheduler may assume, the tool's own first. */
export async function listSchedulerRoles(target: AwsTarget, signal?: AbortSignal): Promise<RoleChoice[]> {
  const roles = await listRolesTrusting(target, 'scheduler.amazonaws.com', signal);
  return roles.sort((a, b) => Number(b.name === SCHEDULER_ROLE_NAME) - Number(a.name === SCHEDULER_ROLE_NAME));
}

/** What creating the scheduler role would do, for the confirmation (trust and policy, verbatim). */
export function schedulerRolePlan(target: Target): { name: string; arn: string; trust: string; policy: string } {
  return {
    name: SCHEDULER_ROLE_NAME,
    arn: `arn:${partitionOf(target)}:iam::${target.account}:role/${SCHEDULER_ROLE_NAME}`,
    trust: JSON.stringify(schedulerTrustPolicy(target.account), null, 2),
    policy: JSON.stringify(schedulerPermissionPolicy(target.account, partitionOf(target)), null, 2),
  };
}

/** Creates the scheduler role (after the caller's confirmation) and returns its ARN. */
export async function createSchedulerRole(target: Target, signal?: AbortSignal): Promise<string> {
  const iam = client(IAMClient, target);
  const plan = schedulerRolePlan(target);
  try {
    const out = await iam.send(
      new CreateRoleCommand({
        RoleName: plan.name,
        AssumeRolePolicyDocument: plan.trust,
        Description:
          'EventBridge Scheduler deletes SageMaker endpoints tagged sagemaker-hf:created-by at their chosen time',
        Tags: [{ Key: CREATED_BY_TAG, Value: CREATED_BY_VALUE }],
      }),
      { abortSignal: signal },
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: plan.name,
        PolicyName: SCHEDULER_ROLE_POLICY_NAME,
        PolicyDocument: plan.policy,
      }),
      { abortSignal: signal },
    );
    return out.Role?.Arn ?? `arn:${partitionOf(target)}:iam::${target.account}:role/${plan.name}`;
  } catch (err) {
    throw describeAwsError(err, target, `Creating IAM role ${plan.name}`);
  }
}

async function ensureGroup(sch: SchedulerClient, target: AwsTarget, signal?: AbortSignal): Promise<void> {
  // Looked up first: creating over an existing group is refused by AWS (and replaces it in moto).
  try {
    await sch.send(new GetScheduleGroupCommand({ Name: SCHEDULE_GROUP }), { abortSignal: signal });
    return;
  } catch (err) {
    if (!notFound(err)) throw describeAwsError(err, target, `Reading schedule group ${SCHEDULE_GROUP}`);
  }
  try {
    await sch.send(new CreateScheduleGroupCommand({ Name: SCHEDULE_GROUP, Tags: scheduleGroupTags() }), {
      abortSignal: signal,
    });
  } catch (err) {
    // Created in between by another deploy.
    if (err instanceof ConflictException || awsErrorName(err) === 'ConflictException') return;
    throw describeAwsError(err, target, `Creating schedule group ${SCHEDULE_GROUP}`);
  }
}

/**
 * Creates (or moves) the schedule that deletes `endpointName` at `at`, and tags the endpoint's config and
 * model with the time, so what the deletion leaves is found later.
 */
export async function scheduleEndpointDeletion(
  target: Target,
  o: { endpointName: string; at: Date; timeZone: string; roleArn: string; signal?: AbortSignal },
): Promise<ScheduledDeletion> {
  const sch = client(SchedulerClient, target);
  await ensureGroup(sch, target, o.signal);
  const request = deleteScheduleRequest(o);
  try {
    // A role created seconds ago may not be assumable yet (IAM is eventually consistent): retry that a while.
    for (let attempt = 0; ; attempt++) {
      try {
        await sch.send(new CreateScheduleCommand(request), { abortSignal: o.signal });
        break;
      } catch (err) {
        if (
          attempt >= 6 ||
          awsErrorName(err) !== 'ValidationException' ||
          !/role/i.test(String((err as Error).message))
        )
          throw err;
        await sleep(5_000, o.signal);
      }
    }
  } catch (err) {
    if (!(err instanceof ConflictException || awsErrorName(err) === 'ConflictException'))
      throw describeAwsError(err, target, `Scheduling the deletion of ${o.endpointName}`);
    try {
      await sch.send(new UpdateScheduleCommand(request), { abortSignal: o.signal });
    } catch (e) {
      throw describeAwsError(e, target, `Moving the deletion of ${o.endpointName}`);
    }
  }
  await tagLeftovers(target, o.endpointName, o.at, o.signal);
  return {
    endpointName: o.endpointName,
    at: o.at,
    timeZone: o.timeZone,
    scheduleName: request.Name,
    roleArn: o.roleArn,
  };
}

/** The endpoint's config and its models get the delete-at tag (their ARNs as SageMaker reports them). */
async function tagLeftovers(target: Target, endpointName: string, at: Date, signal?: AbortSignal): Promise<void> {
  const sm = client(SageMakerClient, target);
  const tags: Tag[] = [{ Key: DELETE_AT_TAG, Value: at.toISOString() }];
  const arns: string[] = [];
  // Only a hint for the cleanup later: a resource that cannot be read or tagged is no reason to fail.
  const quiet = (err: unknown) => {
    if (isCancelled(err)) throw err;
    return undefined;
  };
  const ep = await sm
    .send(new DescribeEndpointCommand({ EndpointName: endpointName }), { abortSignal: signal })
    .catch(quiet);
  const config = ep?.EndpointConfigName
    ? await sm
        .send(new DescribeEndpointConfigCommand({ EndpointConfigName: ep.EndpointConfigName }), { abortSignal: signal })
        .catch(quiet)
    : undefined;
  if (config?.EndpointConfigArn) arns.push(config.EndpointConfigArn);
  for (const v of config?.ProductionVariants ?? []) {
    if (!v.ModelName) continue;
    const m = await sm.send(new DescribeModelCommand({ ModelName: v.ModelName }), { abortSignal: signal }).catch(quiet);
    if (m?.ModelArn) arns.push(m.ModelArn);
  }
  for (const arn of arns)
    await sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: tags }), { abortSignal: signal }).catch(quiet);
}

/** The scheduled deletion of one endpoint, or undefined. */
export async function getEndpointDeletion(
  target: AwsTarget,
  endpointName: string,
  signal?: AbortSignal,
): Promise<ScheduledDeletion | undefined> {
  try {
    const s = await client(SchedulerClient, target).send(
      new GetScheduleCommand({ GroupName: SCHEDULE_GROUP, Name: scheduleNameFor(endpointName) }),
      { abortSignal: signal },
    );
    return scheduledDeletionOf(s);
  } catch (err) {
    if (notFound(err)) return undefined;
    throw describeAwsError(err, target, `Reading the deletion schedule of ${endpointName}`);
  }
}

/** Every scheduled endpoint deletion of this tool in the target's region. */
export async function listEndpointDeletions(target: AwsTarget, signal?: AbortSignal): Promise<ScheduledDeletion[]> {
  const sch = client(SchedulerClient, target);
  const names: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await sch.send(new ListSchedulesCommand({ GroupName: SCHEDULE_GROUP, NextToken: token }), {
        abortSignal: signal,
      });
      names.push(...(page.Schedules ?? []).map((s) => s.Name ?? '').filter(Boolean));
      token = page.NextToken;
    } while (token);
  } catch (err) {
    // No group yet: nothing was ever scheduled here.
    if (notFound(err)) return [];
    throw describeAwsError(err, target, 'Listing deletion schedules');
  }
  const out: ScheduledDeletion[] = [];
  for (const name of names) {
    try {
      const s = scheduledDeletionOf(
        await sch.send(new GetScheduleCommand({ GroupName: SCHEDULE_GROUP, Name: name }), { abortSignal: signal }),
      );
      if (s) out.push(s);
    } catch (err) {
      if (!notFound(err)) throw describeAwsError(err, target, `Reading schedule ${name}`);
    }
  }
  return out;
}

/** Removes the endpoint's deletion schedule; true when there was one. */
export async function cancelEndpointDeletion(
  target: AwsTarget,
  endpointName: string,
  signal?: AbortSignal,
): Promise<boolean> {
  try {
    await client(SchedulerClient, target).send(
      new DeleteScheduleCommand({ GroupName: SCHEDULE_GROUP, Name: scheduleNameFor(endpointName) }),
      { abortSignal: signal },
    );
    return true;
  } catch (err) {
    if (notFound(err)) return false;
    throw describeAwsError(err, target, `Cancelling the deletion of ${endpointName}`);
  }
}

/** Removes schedules whose endpoint no longer exists (deleted by hand or elsewhere); returns their names. */
export async function removeOrphanSchedules(
  target: AwsTarget,
  deletions: ScheduledDeletion[],
  existingEndpoints: ReadonlySet<string>,
  signal?: AbortSignal,
): Promise<string[]> {
  const removed: string[] = [];
  for (const d of deletions) {
    if (existingEndpoints.has(d.endpointName)) continue;
    if (await cancelEndpointDeletion(target, d.endpointName, signal)) removed.push(d.endpointName);
  }
  return removed;
}

export interface Leftover {
  /** Endpoint config and model names (the deploy names both after the endpoint). */
  name: string;
  deleteAt: string;
}

/**
 * Endpoint configs tagged with a delete-at time whose endpoint is gone: what a scheduled deletion left.
 * The model of the same name goes with each (the delete plan checks it is not used elsewhere).
 */
export async function leftoversOfScheduledDeletions(target: AwsTarget, signal?: AbortSignal): Promise<Leftover[]> {
  const sm = client(SageMakerClient, target);
  try {
    const endpoints = new Set<string>();
    let token: string | undefined;
    do {
      const page = await sm.send(new ListEndpointsCommand({ NextToken: token, MaxResults: 100 }), {
        abortSignal: signal,
      });
      for (const e of page.Endpoints ?? []) if (e.EndpointName) endpoints.add(e.EndpointName);
      token = page.NextToken;
    } while (token);
    const configs: { name: string; arn: string }[] = [];
    let next: string | undefined;
    do {
      const page: ListEndpointConfigsCommandOutput = await sm.send(
        new ListEndpointConfigsCommand({ NextToken: next, MaxResults: 100 }),
        { abortSignal: signal },
      );
      for (const c of page.EndpointConfigs ?? [])
        if (c.EndpointConfigName && c.EndpointConfigArn && !endpoints.has(c.EndpointConfigName))
          configs.push({ name: c.EndpointConfigName, arn: c.EndpointConfigArn });
      next = page.NextToken;
    } while (next);
    const out: Leftover[] = [];
    for (const c of configs) {
      const tags =
        (
          await sm.send(new ListTagsCommand({ ResourceArn: c.arn }), { abortSignal: signal }).catch((e) => {
            if (isCancelled(e) || !smNotFound(e)) throw e;
            return { Tags: [] };
          })
        ).Tags ?? [];
      const at = tags.find((t) => t.Key === DELETE_AT_TAG)?.Value;
      const ours = tags.some((t) => t.Key === CREATED_BY_TAG && t.Value === CREATED_BY_VALUE);
      // Only after the time: before it, the endpoint was deleted by hand (and its delete removed the rest).
      if (at && ours && Date.parse(at) <= Date.now()) out.push({ name: c.name, deleteAt: at });
    }
    return out;
  } catch (err) {
    throw describeAwsError(err, target, 'Looking for what scheduled deletions left');
  }
}
