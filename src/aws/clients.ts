// One place that builds AWS SDK v3 clients for a connection target: credentials through the SDK's own
// providers (profiles, SSO, environment; never parsed here), the region, and an optional endpoint
// override for emulators such as moto (AWS_ENDPOINT_URL or the setting), with S3 path-style addressing.
// Resolving credentials gets the same inactivity limit as a request (a credential_process may hang),
// and the secrets it yields are remembered for redaction.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { rememberSecret } from '../core/secrets';
import { awsCallNotices, requestTimeoutMs, timeoutHint } from './requestNotices';

export { onAwsNotice } from './requestNotices';

export interface AwsTarget {
  /** Named profile from ~/.aws/config or ~/.aws/credentials; undefined = the default chain. */
  profile?: string;
  region: string;
  /** Endpoint override (emulator); falls back to AWS_ENDPOINT_URL. */
  endpoint?: string;
}

export interface ClientConfig {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  endpoint?: string;
  forcePathStyle?: boolean;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; socketTimeout: number };
}

const credentialCache = new Map<string, AwsCredentialIdentityProvider>();

export function endpointOf(target: AwsTarget): string | undefined {
  const e = target.endpoint?.trim() || process.env.AWS_ENDPOINT_URL?.trim();
  return e ? e : undefined;
}

export function credentialsFor(profile: string | undefined): AwsCredentialIdentityProvider {
  const key = profile ?? '';
  let provider = credentialCache.get(key);
  if (!provider) {
    // An explicit profile must not silently fall back to other credentials.
    provider = guarded(profile, profile ? fromIni({ profile, ignoreCache: false }) : fromNodeProviderChain());
    credentialCache.set(key, provider);
  }
  return provider;
}

/**
 * The profile's credential_process line, read only to name it in a message (the SDK does the resolving).
 * A hand-written scan of one key: the SDK's ini parser is not a dependency of ours.
 */
function credentialProcessOf(profile: string | undefined): string | undefined {
  const name = profile ?? process.env.AWS_PROFILE ?? 'default';
  try {
    const text = readFileSync(process.env.AWS_CONFIG_FILE || path.join(homedir(), '.aws', 'config'), 'utf8');
    let inside = false;
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
      if (section) inside = section[1] === name;
      else if (inside) {
        const m = /^credential_process\s*=\s*(.+)$/.exec(line);
        if (m) return m[1];
      }
    }
  } catch {
    /* no config file: nothing to name */
  }
  return undefined;
}

/** The provider under the request inactivity limit; the secrets it yields are remembered for redaction. */
function guarded(profile: string | undefined, inner: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  return async (opts) => {
    const limit = requestTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const proc = credentialProcessOf(profile);
        const who = profile ? `profile '${profile}'` : 'the default credential chain';
        reject(
          Object.assign(
            new Error(
              `the credentials of ${who} did not come within ${limit / 1000} s${proc ? `: its credential_process (${proc}) never returned` : ''}. Check ${proc ? 'that command' : 'the profile'} in ~/.aws/config, or ${timeoutHint()}.`,
            ),
            { name: 'CredentialsTimeoutError' },
          ),
        );
      }, limit);
      timer.unref?.();
    });
    try {
      const c = await Promise.race([inner(opts), late]);
      rememberSecret(c.secretAccessKey);
      rememberSecret(c.sessionToken);
      return c;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Forget cached credentials (after an SSO login or when the profile changes). */
export function resetCredentials(): void {
  credentialCache.clear();
}

export function clientConfig(target: AwsTarget, opts: { maxAttempts?: number } = {}): ClientConfig {
  const endpoint = endpointOf(target);
  return {
    region: target.region,
    credentials: credentialsFor(target.profile),
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: opts.maxAttempts ?? 3,
    // An unreachable endpoint fails in seconds; one that accepts the connection and then sends nothing
    // fails after the inactivity limit (SAGEMAKER_HF_TIMEOUT_SECONDS / the setting) instead of hanging.
    requestHandler: { connectionTimeout: 5_000, socketTimeout: requestTimeoutMs() },
  };
}

type Ctor<C> = new (config: ClientConfig) => C;
const clientCache = new Map<string, unknown>();

/** A client of the given class for the target, cached per (class, target). */
export function client<C>(ctor: Ctor<C>, target: AwsTarget, opts: { maxAttempts?: number } = {}): C {
  const key = `${ctor.name}|${target.profile ?? ''}|${target.region}|${endpointOf(target) ?? ''}|${opts.maxAttempts ?? 3}|${requestTimeoutMs()}`;
  let c = clientCache.get(key) as C | undefined;
  if (!c) {
    c = new ctor(clientConfig(target, opts));
    (c as { middlewareStack?: { add: (...a: unknown[]) => void } }).middlewareStack?.add(
      awsCallNotices(endpointOf(target)),
      { step: 'deserialize', name: 'sagemakerHfCallNotices', priority: 'high' },
    );
    clientCache.set(key, c);
  }
  return c;
}

export function resetClients(): void {
  clientCache.clear();
  resetCredentials();
}
