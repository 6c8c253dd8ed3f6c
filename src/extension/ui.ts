// Small helpers for how commands report: cancellation is silent, failures are one actionable line
// with a way to the details (register() in commands.ts sends every command's failure here).
import * as vscode from 'vscode';
import { ActionableError, errorLine, isCancelled, type ErrorAction } from '../core/errors';
import { redactedText } from './redacting';

// Defined in core: a class extending a core class here would load dist/heavy.js at activation.
export { ActionableError } from '../core/errors';

export const SSO_LOGIN = 'Run aws sso login';

export async function reportError(
  log: vscode.LogOutputChannel,
  what: string,
  err: unknown,
): Promise<{ action?: ErrorAction; result?: unknown }> {
  if (isCancelled(err)) {
    log.info(`${what}: cancelled`);
    return {};
  }
  const line = errorLine(err);
  log.error(`${what} failed: ${line}`);
  if (err instanceof Error && err.stack && err.name !== 'UserError') log.debug(redactedText(err.stack));
  const actions = err instanceof ActionableError ? err.actions : [];
  // Expired or missing SSO credentials: the button runs the very command the message names.
  const login = /'(aws sso login(?: --profile [\w.@+-]+)?)'/.exec(line)?.[1];
  const choice = await vscode.window.showErrorMessage(
    redactedText(`${what} failed: ${line}`),
    ...actions.map((a) => a.title),
    ...(login ? [SSO_LOGIN] : []),
    'Show Log',
  );
  if (choice === 'Show Log') log.show(true);
  const action = actions.find((a) => a.title === choice);
  const result = action ? await vscode.commands.executeCommand(action.command, ...(action.args ?? [])) : undefined;
  if (choice === SSO_LOGIN && login) {
    const terminal = vscode.window.createTerminal({ name: 'AWS SSO login' });
    terminal.show();
    terminal.sendText(login);
  }
  return { ...(action ? { action } : {}), result };
}

/** A CancellationToken as an AbortSignal for the AWS SDK and the workflow steps. */
export function toAbortSignal(token: vscode.CancellationToken | undefined): AbortSignal {
  const ctl = new AbortController();
  if (token?.isCancellationRequested) ctl.abort();
  token?.onCancellationRequested(() => ctl.abort());
  return ctl.signal;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : m ? `${m}m ${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
