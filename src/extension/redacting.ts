// The extension's sinks for text (output channels, messages, webview posts) pass what they show through
// redactSecrets, so a token an AWS answer or a log line echoed never reaches the screen, whatever
// produced it. Wrappers rather than care at each call site: a new call site is covered without thought.
import type * as vscode from 'vscode';
import { redactSecrets, rememberEnvironmentSecrets, rememberSecret } from '../core/secrets';

const TEXT_METHODS = new Set(['append', 'appendLine', 'replace', 'trace', 'debug', 'info', 'warn', 'error']);

/** The channel with every text it is given redacted first. */
export function redactingChannel<T extends vscode.OutputChannel>(channel: T): T {
  return new Proxy(channel, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof key === 'string' && TEXT_METHODS.has(key))
        return (...args: unknown[]) =>
          (value as (...a: unknown[]) => unknown).apply(
            target,
            args.map((a) =>
              typeof a === 'string' ? redactSecrets(a) : a instanceof Error ? redactSecrets(String(a.stack ?? a)) : a,
            ),
          );
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** A message for a webview, its strings redacted (posted as JSON anyway, so the round trip loses nothing). */
export function redactedMessage<T>(message: T): T {
  return JSON.parse(redactSecrets(JSON.stringify(message))) as T;
}

/** A window message's text and detail, redacted. */
export function redactedText(text: string): string {
  return redactSecrets(text);
}

/** Learns the secrets the extension holds: the environment's, and the Hub token in secret storage. */
export function rememberExtensionSecrets(secrets: vscode.SecretStorage, hubTokenKey: string): vscode.Disposable {
  rememberEnvironmentSecrets(process.env);
  const load = () => void secrets.get(hubTokenKey).then(rememberSecret, () => undefined);
  load();
  return secrets.onDidChange((e) => e.key === hubTokenKey && load());
}
