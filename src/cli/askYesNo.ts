// A yes/no question on the terminal for commands that create or delete billable resources. Without a
// TTY there is nobody to ask, so the caller must refuse unless --yes was given.
import { createInterface } from 'node:readline/promises';
import { CancelledError } from '../core/errors';

export function canAsk(): boolean {
  return !!process.stdin.isTTY && !!process.stderr.isTTY;
}

export async function askYesNo(question: string, signal?: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (err) {
    if (signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    rl.close();
  }
}
