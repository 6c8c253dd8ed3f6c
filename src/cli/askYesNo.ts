// A yes/no question on the terminal for commands that create or delete billable resources. Without a
// TTY there is nobody to ask, so the caller must refuse unless --yes was given.
import { createInterface } from 'node:readline/promises';
import { CancelledError, UserError } from '../core/errors';

export function canAsk(): boolean {
  return !!process.stdin.isTTY && !!process.stderr.isTTY;
}

/** Enter alone answers no, unless `defaultYes` (stopping something that bills is the safe default). */
export async function askYesNo(
  question: string,
  signal?: AbortSignal,
  opts: { defaultYes?: boolean } = {},
): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // Ctrl-C at the prompt reaches readline, not the process: without this the question would hang.
  const ctl = new AbortController();
  rl.on('SIGINT', () => ctl.abort());
  const both = signal ? AbortSignal.any([signal, ctl.signal]) : ctl.signal;
  try {
    const answer = await rl.question(`${question} ${opts.defaultYes ? '[Y/n]' : '[y/N]'} `, { signal: both });
    if (opts.defaultYes && answer.trim() === '') return true;
    return /^y(es)?$/i.test(answer.trim());
  } catch (err) {
    if (both.aborted) throw new CancelledError();
    throw err;
  } finally {
    rl.close();
  }
}

/**
 * The --yes gate of every command that creates, stops or deletes something billed: --yes goes ahead;
 * without it a terminal is asked (a no says `declined` on stderr and gives false), and with no terminal
 * the error names --yes: "{refuse}: pass --yes to confirm (no terminal to ask on)".
 */
export async function confirmed(
  yes: boolean,
  ctx: { signal: AbortSignal; stderr: (line: string) => void },
  words: { ask: string; refuse: string; declined: string; defaultYes?: boolean },
): Promise<boolean> {
  if (yes) return true;
  if (!canAsk()) throw new UserError(`${words.refuse}: pass --yes to confirm (no terminal to ask on)`, 'yes');
  if (await askYesNo(words.ask, ctx.signal, { defaultYes: words.defaultYes })) return true;
  ctx.stderr(words.declined);
  return false;
}
