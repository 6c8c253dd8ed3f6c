// What every CLI subcommand receives: its parsed flags, the AWS target from flags and environment,
// output streams, and an AbortSignal that Ctrl-C fires; and what a subcommand is, for main.ts.
import { UserError } from '../core/errors';
import { redactSecrets } from '../core/secrets';
import type { AwsTarget } from '../aws/clients';
import { connect, resolveRegion, type Connection } from '../workflow/connect';
import type { CommandArgs, CommandDoc, CommandName } from './commandOptions';

export interface CliContext {
  target: AwsTarget;
  role?: string;
  signal: AbortSignal;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** STS identity, account, role and default bucket (resolved on first use). */
  connection(): Promise<Connection>;
}

/** A subcommand: its summary and help (its flags come from commandOptions.ts) and what it does. */
export interface CliCommand<C extends CommandName> extends CommandDoc {
  summary: string;
  run(args: CommandArgs<C>, ctx: CliContext): Promise<number>;
}

/** From the global flags (--profile, --region, --endpoint-url, --role) as parsed for the command. */
export async function makeContext(
  values: { profile?: string; region?: string; 'endpoint-url'?: string; role?: string },
  signal: AbortSignal,
): Promise<CliContext> {
  const profile = values.profile ?? (process.env.AWS_PROFILE || undefined);
  let target: AwsTarget | undefined;
  let conn: Promise<Connection> | undefined;
  const ctx: CliContext = {
    get target(): AwsTarget {
      if (!target) throw new Error('target not resolved');
      return target;
    },
    role: values.role ?? process.env.SAGEMAKER_ROLE_ARN,
    signal,
    // Redacted here too: every command's output, whatever text it carries (an echoed AWS error, a log line).
    stdout: (l) => process.stdout.write(redactSecrets(l) + '\n'),
    stderr: (l) => process.stderr.write(redactSecrets(l) + '\n'),
    connection: () => (conn ??= connect({ ...ctx.target, role: ctx.role, signal })),
  };
  // Region is resolved lazily so that purely local commands need none.
  let region: string | undefined;
  Object.defineProperty(ctx, 'target', {
    get() {
      if (!target) {
        if (!region)
          throw new UserError(
            'no AWS region: pass --region, set AWS_REGION, or add region to the profile in ~/.aws/config',
            'region',
          );
        target = { profile, region, endpoint: values['endpoint-url'] };
      }
      return target;
    },
  });
  try {
    region = await resolveRegion(profile, values.region);
  } catch {
    /* reported when a command needs AWS */
  }
  return ctx;
}
