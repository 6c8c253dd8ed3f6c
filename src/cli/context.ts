// What every CLI subcommand receives: the AWS target from flags and environment, output streams, and an
// AbortSignal that Ctrl-C fires.
import { STSClient } from '@aws-sdk/client-sts';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/errors';
import type { AwsTarget } from '../aws/clients';
import { connect, type Connection } from '../workflow/connect';

export interface CliContext {
  target: AwsTarget;
  role?: string;
  signal: AbortSignal;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** STS identity, account, role and default bucket (resolved on first use). */
  connection(): Promise<Connection>;
}

export const globalOptions = {
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  role: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs with the global options added, turning its errors into one-line UserErrors. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...globalOptions, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError((err as Error).message.split('\n')[0] ?? String(err));
  }
}

export async function resolveRegion(profile: string | undefined, flag: string | undefined): Promise<string> {
  if (flag) return flag;
  const env = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (env) return env;
  // The SDK reads the profile's region from ~/.aws/config itself.
  try {
    const region = await new STSClient(profile ? { profile } : {}).config.region();
    if (region) return region;
  } catch {
    /* no region configured */
  }
  throw new UserError('no AWS region: pass --region, set AWS_REGION, or add region to the profile in ~/.aws/config', 'region');
}

export async function makeContext(argv: string[], signal: AbortSignal): Promise<CliContext> {
  const { values } = parseArgs({ args: argv, options: globalOptions, allowPositionals: true, strict: false });
  const profile = (values.profile as string | undefined) ?? (process.env.AWS_PROFILE || undefined);
  let target: AwsTarget | undefined;
  let conn: Promise<Connection> | undefined;
  const ctx: CliContext = {
    get target(): AwsTarget {
      if (!target) throw new Error('target not resolved');
      return target;
    },
    role: (values.role as string | undefined) ?? process.env.SAGEMAKER_ROLE_ARN,
    signal,
    stdout: (l) => process.stdout.write(l + '\n'),
    stderr: (l) => process.stderr.write(l + '\n'),
    connection: () => (conn ??= connect({ ...ctx.target, role: ctx.role, signal })),
  };
  // Region is resolved lazily so that purely local commands need none.
  let region: string | undefined;
  Object.defineProperty(ctx, 'target', {
    get() {
      if (!target) {
        if (!region) throw new UserError('no AWS region: pass --region, set AWS_REGION, or add region to the profile in ~/.aws/config', 'region');
        target = { profile, region, endpoint: values['endpoint-url'] as string | undefined };
      }
      return target;
    },
  });
  try {
    region = await resolveRegion(profile, values.region as string | undefined);
  } catch {
    /* reported when a command needs AWS */
  }
  return ctx;
}
