// The role an endpoint's deletion schedule runs as, for the CLI: --scheduler-role, else the tool's own
// among the roles EventBridge Scheduler may assume, else the tool's own to be created (after the caller's
// confirmation), its trust and permission policies printed first.
import { SCHEDULER_ROLE_NAME } from '../core/endpoints/deleteAfter';
import { listSchedulerRoles, schedulerRolePlan } from '../workflow/endpoints/deleteSchedule';
import type { Connection } from '../workflow/connect';

/**
 * The role the deletion schedule runs as: --scheduler-role, else the tool's own among the roles EventBridge
 * Scheduler may assume, else created after a confirmation that shows its trust and permission policies.
 */
export async function pickSchedulerRole(
  given: string | undefined,
  ctx: { signal: AbortSignal; stderr: (line: string) => void },
  conn: Connection,
  what: string,
): Promise<{ arn: string; create?: true }> {
  if (given) return { arn: given };
  const roles = await listSchedulerRoles(conn, ctx.signal);
  const ours = roles.find((r) => r.name === SCHEDULER_ROLE_NAME);
  if (ours) return { arn: ours.arn };
  const plan = schedulerRolePlan(conn);
  ctx.stderr(
    `  ${what} needs a role EventBridge Scheduler runs DeleteEndpoint as; also creates IAM role ${plan.name}${roles.length ? ` (or pass --scheduler-role with one of: ${roles.map((r) => r.name).join(', ')})` : ''}:`,
  );
  ctx.stderr(`  trust policy:\n${plan.trust.replace(/^/gm, '    ')}`);
  ctx.stderr(
    `  permission policy (only endpoints tagged sagemaker-hf:created-by):\n${plan.policy.replace(/^/gm, '    ')}`,
  );
  return { arn: plan.arn, create: true };
}
