// Errors the user sees. A UserError's message already says what is wrong and what to do, naming the
// field, file or line at fault; `field` repeats that name for code (tests, editor diagnostics).

export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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
    const msg = err.message || err.name;
    return msg.split('\n')[0] ?? msg;
  }
  return String(err);
}
