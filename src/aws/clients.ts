// One place that builds AWS SDK v3 clients for a connection target: credentials through the SDK's own
// providers (profiles, SSO, environment; never parsed here), the region, and an optional endpoint
// override for emulators such as moto (AWS_ENDPOINT_URL or the setting), with S3 path-style addressing.
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { awsCallNotices, requestTimeoutMs } from './requestNotices';

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
    provider = profile ? fromIni({ profile, ignoreCache: false }) : fromNodeProviderChain();
    credentialCache.set(key, provider);
  }
  return provider;
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
