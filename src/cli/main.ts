// sagemaker-hf: the workflow steps from a terminal, sharing src/workflow with the extension.
// Exit 0 on success; otherwise one line on stderr saying why, and a non-zero code.
import { errorLine, isCancelled, UserError } from '../core/errors';
import { makeContext, type CliCommand } from './context';
import { commands } from './commandList';
import { GLOBAL_OPTIONS, parseCommandArgs, type CommandName } from './commandOptions';
import { optionLines } from './options';
import { onAwsNotice } from '../aws/clients';
import { redactSecrets, rememberEnvironmentSecrets } from '../core/secrets';

/** Every byte the CLI prints passes here: a secret an AWS answer echoed never reaches the terminal. */
const say = {
  out: (s: string) => process.stdout.write(redactSecrets(s)),
  err: (s: string) => process.stderr.write(redactSecrets(s)),
};

// The AWS SDK warns on every run that future releases need Node 22; it is noise in a one-line-error CLI.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (
    String(typeof warning === 'string' ? warning : warning.message).includes('NodeVersionSupportWarning') ||
    rest.includes('NodeVersionSupportWarning')
  )
    return;
  (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

function usage(): string {
  const lines = ['Usage: sagemaker-hf <command> [options]', '', 'Commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(17)} ${c.summary}`);
  lines.push(
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL and the other standard AWS variables.',
    "Run 'sagemaker-hf <command> --help' for a command's options.",
  );
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  rememberEnvironmentSecrets(process.env);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    say.out(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = (commands as Record<string, CliCommand<CommandName>>)[name];
  if (!cmd) {
    say.err(`sagemaker-hf: unknown command '${name}' (one of: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    say.err('\ncancelling… (Ctrl-C again to quit now)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  // Slow, throttled and retried requests are said as they happen, on stderr, so stdout stays the result.
  const offNotices = onAwsNotice((n) => say.err(`${n.message}\n`));
  try {
    const args = parseCommandArgs(name as CommandName, rest, cmd);
    if (args.values.help) {
      say.out(`${args.usage}\n`);
      return 0;
    }
    const ctx = await makeContext(args.values, abort.signal);
    return await cmd.run(args, ctx);
  } catch (err) {
    if (isCancelled(err)) {
      say.err('sagemaker-hf: cancelled\n');
      return 130;
    }
    say.err(`sagemaker-hf ${name}: ${errorLine(err)}\n`);
    // The reason stays the first line; what a UserError adds below it (an endpoint's last log lines, the
    // usage) follows instead of being dropped.
    if (err instanceof UserError) for (const l of err.message.split('\n').slice(1)) say.err(`${l}\n`);
    if (process.env.SAGEMAKER_HF_DEBUG && err instanceof Error && !(err instanceof UserError))
      say.err(`${err.stack}\n`);
    return 1;
  } finally {
    offNotices();
    process.off('SIGINT', onSigint);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      say.err(`sagemaker-hf: ${errorLine(err)}\n`);
      process.exit(1);
    },
  );
}
