// Turns AWS SDK and network errors into one actionable line. Never includes credentials or signed URLs.
import { denialHint } from '../core/sagemaker/denials';
import { UserError, isCancelled, CancelledError } from '../core/errors';
import { redactSecrets } from '../core/secrets';
import { endpointOf, type AwsTarget } from './clients';
import { requestTimeoutMs, timeoutHint } from './requestNotices';

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  Code?: string;
}

// Presigned query strings, keys and tokens must never reach a log or a message (AWS may echo the request).
const scrub = redactSecrets;

export function awsErrorStatus(err: unknown): number | undefined {
  return (err as AwsLikeError)?.$metadata?.httpStatusCode;
}

export function awsErrorName(err: unknown): string {
  const e = err as AwsLikeError;
  return e?.name ?? e?.Code ?? e?.code ?? '';
}

/** Maps an error from an AWS call to a UserError saying what went wrong and what to do. */
export function describeAwsError(err: unknown, target: AwsTarget, action: string): Error {
  if (isCancelled(err)) return err instanceof Error ? err : new CancelledError();
  if (err instanceof UserError) return err;
  const e = (err ?? {}) as AwsLikeError & { cause?: AwsLikeError };
  const name = awsErrorName(err);
  const msg = scrub(e.message ?? String(err));
  const profile = target.profile ? `profile '${target.profile}'` : 'the default credential chain';
  const code = e.code ?? e.cause?.code ?? '';
  const endpoint = endpointOf(target);

  if (name === 'CredentialsTimeoutError') return new UserError(`${action} failed: ${msg}`, 'profile', { cause: err });
  // What is wrong with a profile that exists: a credential_process that failed or printed garbage, a
  // source_profile loop (the SDK's words say it; "not found" would send the user to the wrong place).
  if (name === 'CredentialsProviderError' && /credential_process/i.test(msg) && !/did not contain/i.test(msg))
    return new UserError(
      `${action} failed: ${profile}: ${/invalid JSON|Version 1|invalid credentials|expired credentials/i.test(msg) ? 'its credential_process printed something that is not AWS credentials' : 'its credential_process failed'} (${msg}). Run that command from ~/.aws/config by hand to see what it prints.`,
      'profile',
      { cause: err },
    );
  if (name === 'CredentialsProviderError' && /Detected a cycle/i.test(msg))
    return new UserError(
      `${action} failed: ${profile}: its source_profile chain loops back on itself (${msg}). Point source_profile at a profile with credentials of its own.`,
      'profile',
      { cause: err },
    );
  if (
    name === 'CredentialsProviderError' ||
    name === 'TokenProviderError' ||
    /Could not load credentials|Could not resolve credentials/i.test(msg)
  ) {
    // Checked first: the SDK's SSO messages also say "profile" ("…run 'aws sso login' with the corresponding profile").
    if (/SSO (session|token)|sso login|token is expired|expired.*token/i.test(msg)) {
      return new UserError(
        `${action} failed: the SSO session for ${profile} has expired or was never started. Run 'aws sso login${target.profile ? ` --profile ${target.profile}` : ''}' and try again.`,
        'profile',
        { cause: err },
      );
    }
    if (target.profile && /profile|could not be found|not found/i.test(msg)) {
      return new UserError(
        `${action} failed: AWS profile '${target.profile}' was not found in ~/.aws/config or ~/.aws/credentials. Pick another profile or run 'aws configure --profile ${target.profile}'.`,
        'profile',
        { cause: err },
      );
    }
    if (/sso|token/i.test(msg)) {
      return new UserError(
        `${action} failed: the SSO session for ${profile} has expired or was never started. Run 'aws sso login${target.profile ? ` --profile ${target.profile}` : ''}' and try again.`,
        'profile',
        { cause: err },
      );
    }
    return new UserError(
      `${action} failed: no AWS credentials found for ${profile} (${msg}). Configure a profile or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`,
      'profile',
      { cause: err },
    );
  }
  if (/ExpiredToken|RequestExpired|TokenRefreshRequired/i.test(name) || /security token .*expired/i.test(msg)) {
    return new UserError(
      `${action} failed: the credentials of ${profile} have expired. Refresh them (for SSO: 'aws sso login${target.profile ? ` --profile ${target.profile}` : ''}') and try again.`,
      'profile',
      { cause: err },
    );
  }
  if (/InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch|InvalidAccessKeyId/i.test(name)) {
    return new UserError(
      `${action} failed: AWS rejected the credentials of ${profile} (${name}). Check the access key or pick another profile.`,
      'profile',
      { cause: err },
    );
  }
  if (['ENOTFOUND', 'EAI_AGAIN'].includes(code) || /getaddrinfo ENOTFOUND/.test(msg)) {
    const host = /ENOTFOUND (\S+)/.exec(msg)?.[1];
    return new UserError(
      endpoint
        ? `${action} failed: the endpoint ${endpoint} cannot be resolved. Check the endpoint override setting or AWS_ENDPOINT_URL.`
        : `${action} failed: cannot reach ${host ?? 'AWS'} for region '${target.region}'. Check the region and your network.`,
      endpoint ? 'endpoint' : 'region',
      { cause: err },
    );
  }
  if (name === 'TimeoutError' && /inactivity|socket timed out/i.test(msg)) {
    return new UserError(
      `${action} failed: ${endpoint ?? `AWS in ${target.region}`} accepted the connection but sent nothing for ${requestTimeoutMs() / 1000} s (retried). Check the network, proxy or emulator, or ${timeoutHint()}.`,
      endpoint ? 'endpoint' : 'region',
      { cause: err },
    );
  }
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code) ||
    /ECONNREFUSED|ETIMEDOUT|socket hang up|TimeoutError/i.test(msg + name)
  ) {
    return new UserError(
      `${action} failed: ${endpoint ?? `AWS in ${target.region}`} did not answer (${code || name || 'timeout'}). ${endpoint ? 'Is the emulator running? Check the endpoint override setting or AWS_ENDPOINT_URL.' : 'Check your network or proxy.'}`,
      endpoint ? 'endpoint' : 'region',
      { cause: err },
    );
  }
  const hint = denialHint(name, msg);
  if (hint)
    return new UserError(`${action} failed: ${name} (${msg}). Likely ${hint.reason}`, hint.field, { cause: err });
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || awsErrorStatus(err) === 403) {
    return new UserError(
      `${action} failed: access denied for ${profile} (${msg}). The identity lacks the IAM permission for this call.`,
      undefined,
      { cause: err },
    );
  }
  if (/ThrottlingException|TooManyRequests|Throttled/i.test(name)) {
    return new UserError(
      `${action} failed: AWS is throttling requests (${name}). Wait a moment and retry.`,
      undefined,
      { cause: err },
    );
  }
  return new UserError(`${action} failed: ${name && !msg.includes(name) ? `${name}: ` : ''}${msg}`, undefined, {
    cause: err,
  });
}

/** DescribeTrainingJob failed: a job that does not exist is named with its region, as the field `job`. */
export function trainingJobReadError(err: unknown, target: AwsTarget, jobName: string): Error {
  if (awsErrorName(err) === 'ValidationException' && /could not find|not found/i.test(String((err as Error).message))) {
    return new UserError(`job: training job '${jobName}' was not found in ${target.region}`, 'job', { cause: err });
  }
  return describeAwsError(err, target, `Reading training job ${jobName}`);
}
