// sagemaker-hf connect: who and where the CLI acts as (identity, region, role, default bucket), the
// first thing to check when another command cannot reach AWS; and what endpoints that deleted
// themselves left (endpoint configs and models, found by their tags), with the command that deletes them.
import { leftoversText } from '../../core/endpoints/deletePlan';
import { errorLine, isCancelled } from '../../core/errors';
import { ensureDefaultBucket, listSageMakerRoles } from '../../workflow/connect';
import { findLeftovers } from '../../workflow/endpoints/leftovers';
import type { CliCommand } from '../context';

export const command: CliCommand<'connect'> = {
  summary: 'show the AWS identity, region, role and default bucket',
  about: 'Prints the profile, region, account, identity, execution role and default bucket the other commands use.',
  async run({ values }, ctx) {
    const conn = await ctx.connection();
    let created = false;
    if (values['create-bucket']) created = (await ensureDefaultBucket(conn, ctx.signal)).created;
    const roles = values['list-roles'] ? await listSageMakerRoles(conn, ctx.signal) : undefined;
    // Only a hint: an identity that may not list endpoint configs still connects.
    const leftovers = await findLeftovers(conn, ctx.signal).catch((err) => {
      if (isCancelled(err)) throw err;
      ctx.stderr(`(not looked for leftovers of deleted endpoints: ${errorLine(err)})`);
      return undefined;
    });
    if (values.json) {
      ctx.stdout(
        JSON.stringify(
          {
            profile: conn.profile ?? null,
            region: conn.region,
            account: conn.account,
            arn: conn.arn,
            role: conn.role ?? null,
            bucket: conn.bucket,
            bucketCreated: created,
            ...(roles ? { roles } : {}),
            ...(leftovers?.steps.length ? { leftovers } : {}),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    ctx.stdout(`profile  ${conn.profile ?? '(default chain)'}`);
    ctx.stdout(`region   ${conn.region}`);
    ctx.stdout(`account  ${conn.account}`);
    ctx.stdout(`identity ${conn.arn}`);
    ctx.stdout(`role     ${conn.role ?? '(none: pass --role or set SAGEMAKER_ROLE_ARN)'}`);
    ctx.stdout(`bucket   s3://${conn.bucket}${created ? ' (created)' : ''}`);
    if (roles) for (const r of roles) ctx.stdout(`  role ${r.arn}`);
    if (leftovers?.steps.length) {
      ctx.stdout(`leftovers ${leftoversText(leftovers.steps, leftovers.endpoints.length)}`);
      for (const name of leftovers.endpoints) ctx.stdout(`  delete with: sagemaker-hf delete ${name}`);
    }
    return 0;
  },
};
