// The statuses after which a SageMaker training or processing job no longer changes (nor bills): every
// poll loop, tail and "still running?" check stops on the same three.
export const TERMINAL_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;

export function isTerminalStatus(status: string | undefined): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status ?? '');
}
