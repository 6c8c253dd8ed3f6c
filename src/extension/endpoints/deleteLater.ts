// Endpoints that delete themselves, from the editor: Delete Later / Change Deletion Time (Never, 1 h, 4 h,
// end of today, a custom time), Extend by an hour, and Cancel. The schedule lives in EventBridge Scheduler
// (src/workflow/endpoints/deleteSchedule.ts), so it runs with the laptop closed. The scheduler role is
// picked from those EventBridge Scheduler may assume, or created after a modal that shows its policies.
import { UserError } from '../../core/errors';
import {
  deletesItselfText,
  endOfToday,
  localTimeZone,
  parseDeleteAfter,
  SCHEDULER_ROLE_NAME,
} from '../../core/endpoints/deleteAfter';
import type { Connection } from '../../workflow/connect';
import type { Ui } from '../window';
import type { EndpointsCtx } from './endpointsModel';
import type { SageMakerEndpointNode } from './endpointNode';
import { pickEndpoint } from './pickers';

/** The deletion choices the deploy modal and the Delete Later pick offer. */
export const DELETE_CHOICES = ['1 h', '4 h', 'end of today', 'custom'] as const;
export type DeleteChoice = (typeof DELETE_CHOICES)[number] | 'never';

/** A choice as an instant; custom asks for "90m", "6h" or a local date-time. Undefined: the user escaped. */
export async function deleteTimeOf(ui: Ui, choice: DeleteChoice, now = new Date()): Promise<Date | undefined> {
  const tz = localTimeZone();
  if (choice === 'never') return undefined;
  if (choice === '1 h') return parseDeleteAfter('1h', now, tz);
  if (choice === '4 h') return parseDeleteAfter('4h', now, tz);
  if (choice === 'end of today') {
    const end = endOfToday(now, tz);
    // Late in the evening "end of today" would be minutes away: refuse it the way a custom time is refused.
    return parseDeleteAfter(`${Math.round((end.getTime() - now.getTime()) / 60_000)}m`, now, tz);
  }
  const text = await ui.showInputBox({
    title: 'Delete the endpoint after / at',
    prompt: `"90m", "6h", "1d" from now, or a local date-time such as 2026-12-24T18:00 (${tz})`,
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseDeleteAfter(v, new Date(), tz, 'time');
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  return text ? parseDeleteAfter(text, new Date(), tz, 'time') : undefined;
}

/** The scheduler role: a pick among those Scheduler may assume (ours first), or ours created after a modal. */
export async function pickSchedulerRole(ctx: EndpointsCtx, conn: Connection): Promise<string | undefined> {
  const { createSchedulerRole, listSchedulerRoles, schedulerRolePlan } =
    await import('../../workflow/endpoints/deleteSchedule');
  const roles = await listSchedulerRoles(conn);
  const ours = roles.find((r) => r.name === SCHEDULER_ROLE_NAME);
  if (ours) return ours.arn;
  const plan = schedulerRolePlan(conn);
  const create = `Create ${plan.name}…`;
  if (roles.length) {
    const picked = await ctx.ui.showQuickPick(
      [
        { label: create, description: 'may delete only endpoints this tool tagged' },
        ...roles.map((r) => ({ label: r.name, description: r.arn, detail: r.description })),
      ],
      { title: 'The role EventBridge Scheduler deletes the endpoint as' },
    );
    if (!picked) return undefined;
    if (picked.label !== create) return roles.find((r) => r.name === picked.label)?.arn;
  }
  const ok = await ctx.ui.showWarningMessage(
    `Create IAM role ${plan.name} for EventBridge Scheduler?`,
    {
      modal: true,
      detail: `The schedule that deletes the endpoint runs as this role. It may only call sagemaker:DeleteEndpoint on endpoints tagged sagemaker-hf:created-by.\n\nTrust policy:\n${plan.trust}\n\nPermission policy:\n${plan.policy}`,
    },
    'Create Role',
  );
  if (ok !== 'Create Role') return undefined;
  const arn = await createSchedulerRole(conn);
  ctx.log.info(`created IAM role ${arn} for endpoint deletion schedules`);
  return arn;
}

/** Creates or moves the schedule; the row shows it at once. */
export async function scheduleDeletion(
  ctx: EndpointsCtx,
  conn: Connection,
  endpointName: string,
  at: Date,
  roleArn?: string,
): Promise<boolean> {
  const role = roleArn ?? (await pickSchedulerRole(ctx, conn));
  if (!role) return false;
  const { scheduleEndpointDeletion } = await import('../../workflow/endpoints/deleteSchedule');
  const d = await scheduleEndpointDeletion(conn, { endpointName, at, timeZone: localTimeZone(), roleArn: role });
  ctx.model.setDeletion(endpointName, d);
  ctx.log.info(`endpoint ${endpointName} ${deletesItselfText(at, new Date(), d.timeZone)} (schedule as ${role})`);
  return true;
}

async function targetOf(ctx: EndpointsCtx, node: unknown, title: string): Promise<SageMakerEndpointNode | undefined> {
  const n = node as SageMakerEndpointNode | undefined;
  if (n?.endpointName && n.local === false) return n;
  return (await pickEndpoint(ctx.ui, ctx.model, title, (e) => !e.local)) as SageMakerEndpointNode | undefined;
}

/** Delete Later / Change Deletion Time: Never (cancels), 1 h, 4 h, end of today, custom. */
export const deleteLaterCommand = (ctx: EndpointsCtx) => async (node?: unknown) => {
  const target = await targetOf(ctx, node, 'Delete Later: pick an endpoint');
  if (!target) return;
  const conn = await ctx.connection.require();
  const current = target.deletionText();
  const items = [
    ...DELETE_CHOICES.map((c) => ({ label: c === 'custom' ? 'Custom…' : `In ${c}`, choice: c as DeleteChoice })),
    ...(current ? [{ label: 'Never (cancel the scheduled deletion)', choice: 'never' as DeleteChoice }] : []),
  ].map((i) => (i.choice === 'end of today' ? { ...i, label: 'At the end of today (23:59)' } : i));
  const picked = await ctx.ui.showQuickPick(items, {
    title: `Delete ${target.endpointName} later${current ? ` (now: ${current})` : ''}`,
  });
  if (!picked) return;
  if (picked.choice === 'never') return cancelDeletionCommand(ctx)(target);
  const at = await deleteTimeOf(ctx.ui, picked.choice);
  if (!at) return;
  await scheduleDeletion(ctx, conn, target.endpointName, at, target.facts.deletion?.roleArn);
};

/** Extend by an hour. */
export const extendDeletionCommand = (ctx: EndpointsCtx) => async (node?: unknown) => {
  const target = await targetOf(ctx, node, 'Extend: pick an endpoint');
  if (!target) return;
  const d = target.facts.deletion;
  if (!d) throw new UserError(`endpoint ${target.endpointName} has no scheduled deletion to extend; use Delete Later`);
  const conn = await ctx.connection.require();
  const base = Math.max(d.at.getTime(), Date.now());
  await scheduleDeletion(ctx, conn, target.endpointName, new Date(base + 3600_000), d.roleArn);
};

/** Cancel the scheduled deletion: the endpoint then bills until deleted by hand, which the message says. */
export const cancelDeletionCommand = (ctx: EndpointsCtx) => async (node?: unknown) => {
  const target = await targetOf(ctx, node, 'Cancel scheduled deletion: pick an endpoint');
  if (!target) return;
  const conn = await ctx.connection.require();
  const { cancelEndpointDeletion } = await import('../../workflow/endpoints/deleteSchedule');
  await cancelEndpointDeletion(conn, target.endpointName);
  ctx.model.setDeletion(target.endpointName, undefined);
  void ctx.ui.showInformationMessage(
    `Endpoint ${target.endpointName} no longer deletes itself: it bills until you delete it.`,
  );
};
