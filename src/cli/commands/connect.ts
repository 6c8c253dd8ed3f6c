// sagemaker-hf connect: who and where the CLI acts as (identity, region, role, default bucket), the
// first thing to check when another command cannot reach AWS.
import { ensureDefaultBucket, listSageMakerRoles } from '../../workflow/connect';
import type { CliCommand } from '../context';

export const command: CliCommand<'connect'> = {
  summary: 'show the AWS identity, region, role and default bucket',
  about: 'Prints the profile, region, account, identity, execution role and default bucket the other commands use.',
  async run({ values }, ctx) {
    const conn = await ctx.connection();
    let created = false;
    if (values['create-bucket']) created = (await ensureDefaultBucket(conn, ctx.signal)).created;
    const roles = values['list-roles'] ? await listSageMakerRoles(conn, ctx.signal) : undefined;
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
    return 0;
  },
};
