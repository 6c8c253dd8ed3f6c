// Endpoints that delete themselves: deploy.deleteAfter / deploy --delete-after become an EventBridge
// Scheduler one-time schedule that calls SageMaker DeleteEndpoint through the universal SDK target, so the
// endpoint goes at the chosen time even when no editor is open anywhere. Pure: parsing the user's
// "4h" / "90m" / "2026-12-24T18:00" (local time), the at(...) expression in the user's time zone and back,
// the CreateSchedule request, the scheduler role's trust and permission policies, and the row text
// "deletes itself at 18:00 (in 3 h 12 min)".
import type { CreateScheduleInput } from '@aws-sdk/client-scheduler';
import { UserError } from '../errors';
import { CREATED_BY_TAG, CREATED_BY_VALUE, createdByTag } from '../sagemaker/tags';

/** The schedule group holding this tool's schedules; schedules have no tags of their own, the group has. */
export const SCHEDULE_GROUP = 'sagemaker-hf';
/** The universal target for SageMaker DeleteEndpoint (EventBridge Scheduler's aws-sdk targets). */
export const DELETE_ENDPOINT_TARGET = 'arn:aws:scheduler:::aws-sdk:sagemaker:deleteEndpoint';
/** The role this tool creates when the user has none it may use. */
export const SCHEDULER_ROLE_NAME = 'SageMakerHfEndpointScheduler';
export const SCHEDULER_ROLE_POLICY_NAME = 'DeleteTaggedEndpoints';
/** Endpoint configs and models of an endpoint that will delete itself carry this tag (its time, ISO). */
export const DELETE_AT_TAG = 'sagemaker-hf:delete-at';
/** Creating an endpoint takes minutes; a deletion before it is InService would fail. */
export const MIN_LEAD_MINUTES = 10;
const MAX_LEAD_DAYS = 365;

export interface ScheduledDeletion {
  endpointName: string;
  at: Date;
  timeZone: string;
  scheduleName: string;
  roleArn?: string;
}

function fail(field: string, msg: string): never {
  throw new UserError(`${field}: ${msg}`, field);
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function wallOf(date: Date, timeZone: string): Wall {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(date);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { y: n('year'), mo: n('month'), d: n('day'), h: n('hour') % 24, mi: n('minute'), s: n('second') };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant a wall-clock time "YYYY-MM-DDTHH:MM[:SS]" names in `timeZone` (DST gaps: the later side). */
export function instantOfWall(wall: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?$/.exec(wall.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  // The zone's offset at that moment, found by formatting; twice, so a DST change in between settles.
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const w = wallOf(new Date(guess), timeZone);
    guess += asUtc - Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  }
  return new Date(guess);
}

/** at(2026-12-24T18:00:00): the wall-clock time of `at` in `timeZone`, as the Scheduler expects it. */
export function atExpression(at: Date, timeZone: string): string {
  const w = wallOf(at, timeZone);
  return `at(${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)})`;
}

/** The instant of a schedule's at(...) expression in its time zone; undefined for other expressions. */
export function instantOfAt(expression: string | undefined, timeZone: string | undefined): Date | undefined {
  const m = /^at\((.+)\)$/.exec(expression?.trim() ?? '');
  return m ? instantOfWall(m[1]!, timeZone || 'UTC') : undefined;
}

/**
 * "4h", "90m", "1h30m", "2d" from now, or a local date-time "2026-12-24T18:00" in `timeZone`. Refuses a time
 * less than MIN_LEAD_MINUTES away (the endpoint would not be InService yet) or more than a year away.
 */
export function parseDeleteAfter(text: string, now: Date, timeZone: string, field = 'deploy.deleteAfter'): Date {
  const t = text.trim();
  let at: Date | undefined;
  const dur = /^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:m|min))?$/i.exec(t);
  if (t && dur && (dur[1] || dur[2] || dur[3])) {
    const minutes = Number(dur[1] ?? 0) * 1440 + Number(dur[2] ?? 0) * 60 + Number(dur[3] ?? 0);
    at = new Date(now.getTime() + minutes * 60_000);
  } else {
    at = instantOfWall(t, timeZone);
    if (!at)
      fail(
        field,
        `'${text}' is neither a duration ("4h", "90m", "1h30m", "2d") nor a local date-time ("2026-12-24T18:00")`,
      );
  }
  const lead = (at.getTime() - now.getTime()) / 60_000;
  if (lead < MIN_LEAD_MINUTES)
    fail(
      field,
      `'${text}' is ${lead < 0 ? 'in the past' : `only ${Math.round(lead)} min away`}; the endpoint needs minutes to become InService, so choose at least ${MIN_LEAD_MINUTES} min from now`,
    );
  if (lead > MAX_LEAD_DAYS * 1440) fail(field, `'${text}' is more than a year away; choose a nearer time`);
  // Whole seconds: at() has no fractions.
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/** 23:59 today in `timeZone` ("end of today" in the deploy confirmation). */
export function endOfToday(now: Date, timeZone: string): Date {
  const w = wallOf(now, timeZone);
  return instantOfWall(`${w.y}-${pad(w.mo)}-${pad(w.d)}T23:59`, timeZone)!;
}

/** The schedule's name: the endpoint's (both allow 64 characters of [A-Za-z0-9-]). */
export function scheduleNameFor(endpointName: string): string {
  return endpointName.slice(0, 64);
}

/** The CreateSchedule (and, identical, UpdateSchedule) request that deletes `endpointName` at `at`. */
export function deleteScheduleRequest(o: {
  endpointName: string;
  at: Date;
  timeZone: string;
  roleArn: string;
}): CreateScheduleInput & { Name: string } {
  return {
    Name: scheduleNameFor(o.endpointName),
    GroupName: SCHEDULE_GROUP,
    Description: `sagemaker-hf: deletes endpoint ${o.endpointName} (${o.at.toISOString()})`,
    ScheduleExpression: atExpression(o.at, o.timeZone),
    ScheduleExpressionTimezone: o.timeZone,
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: DELETE_ENDPOINT_TARGET,
      RoleArn: o.roleArn,
      Input: JSON.stringify({ EndpointName: o.endpointName }),
      // An endpoint still updating refuses DeleteEndpoint; retry for an hour, then give up.
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
    },
    State: 'ENABLED',
    ActionAfterCompletion: 'DELETE',
  };
}

/** The schedule group's tags: the tool's own (schedules themselves take none). */
export function scheduleGroupTags(): { Key: string; Value: string }[] {
  return [createdByTag()];
}

/** The endpoint a schedule of ours deletes, from its target input; undefined for anything else. */
export function scheduledDeletionOf(s: {
  Name?: string;
  ScheduleExpression?: string;
  ScheduleExpressionTimezone?: string;
  Target?: { Arn?: string; Input?: string; RoleArn?: string };
}): ScheduledDeletion | undefined {
  if (s.Target?.Arn !== DELETE_ENDPOINT_TARGET || !s.Name) return undefined;
  let endpointName: unknown;
  try {
    endpointName = (JSON.parse(s.Target.Input ?? '{}') as { EndpointName?: unknown }).EndpointName;
  } catch {
    return undefined;
  }
  const at = instantOfAt(s.ScheduleExpression, s.ScheduleExpressionTimezone);
  if (typeof endpointName !== 'string' || !at) return undefined;
  return {
    endpointName,
    at,
    timeZone: s.ScheduleExpressionTimezone || 'UTC',
    scheduleName: s.Name,
    ...(s.Target.RoleArn ? { roleArn: s.Target.RoleArn } : {}),
  };
}

/** Trust policy of the scheduler role: only EventBridge Scheduler, only for schedules of this account. */
export function schedulerTrustPolicy(account: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  };
}

/** Permission policy: DeleteEndpoint, and only on endpoints that carry this tool's created-by tag. */
export function schedulerPermissionPolicy(account: string, partition = 'aws'): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sagemaker:DeleteEndpoint',
        Resource: `arn:${partition}:sagemaker:*:${account}:endpoint/*`,
        Condition: { StringEquals: { [`aws:ResourceTag/${CREATED_BY_TAG}`]: CREATED_BY_VALUE } },
      },
    ],
  };
}

/** 11520 s -> "3 h 12 min"; under an hour "25 min"; a day or more "2 d 3 h". */
export function formatLead(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/**
 * The tree's and the status bar's words: "deletes itself at 18:00 (in 3 h 12 min)", with the date when it
 * is not today ("deletes itself on Dec 24 at 18:00 (in 2 d 3 h)"), or "deletion due now" once past.
 */
export function deletesItselfText(at: Date, now: Date, timeZone: string): string {
  const w = wallOf(at, timeZone);
  const today = wallOf(now, timeZone);
  const time = `${pad(w.h)}:${pad(w.mi)}`;
  const lead = at.getTime() - now.getTime();
  if (lead <= 0) return `deletion due since ${time}`;
  const sameDay = w.y === today.y && w.mo === today.mo && w.d === today.d;
  const day = sameDay
    ? ''
    : ` on ${new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric' }).format(at)}`;
  return `deletes itself${day} at ${time} (in ${formatLead(lead)})`;
}

/** The user's time zone as the runtime reports it (IANA name), UTC when it reports none. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
