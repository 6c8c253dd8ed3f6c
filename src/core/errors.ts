// Errors the user sees. A UserError's message already says what is wrong and what to do, naming the
// field, file or line at fault; `field` repeats that name for code (tests, editor diagnostics). Messages
// are redacted when made, so no path that shows one can leak a secret an AWS answer echoed.
import { redactSecrets } from './secrets';

export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(redactSecrets(message), options);
  }
}

/** A user error whose message offers ways out as buttons in the editor (each runs a command). */
export class ActionableError extends UserError {
  constructor(
    message: string,
    field: string | undefined,
    readonly actions: ErrorAction[],
  ) {
    super(message, field);
  }
}

/**
 * A button on an error. `resume`: the button fixes what stopped the command (a missing role), so when its
 * command reports success (returns true) the command that failed runs again with the same arguments.
 */
export interface ErrorAction {
  title: string;
  command: string;
  args?: unknown[];
  resume?: boolean;
}

/** Run the failed command again? Only after a resuming button whose command succeeded, and only once. */
export function shouldResume(action: ErrorAction | undefined, result: unknown, alreadyResumed: boolean): boolean {
  return !alreadyResumed && action?.resume === true && result === true;
}

/** The user cancelled. Never shown as an error. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'Cancelled') {
    super(message);
  }
}

export function isCancelled(err: unknown): boolean {
  return (
    err instanceof CancelledError ||
    (err instanceof Error && (err.name === 'AbortError' || err.name === 'CancelledError'))
  );
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** One line for a human: the message of an Error (with its cause when that adds something). */
export function errorLine(err: unknown): string {
  if (err instanceof Error) {
    const msg = redactSecrets(err.message || err.name);
    return msg.split('\n')[0] ?? msg;
  }
  return redactSecrets(String(err));
}

/** Waits `ms`, or rejects with CancelledError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
