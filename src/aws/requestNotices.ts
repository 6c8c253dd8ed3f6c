// What a user should hear about an AWS call that is slow or retried, while it happens: "waiting for
// SageMaker DescribeTrainingJob at … (5 s)", "throttled, retrying". The SDK retries throttling and
// timeouts by itself without a word; a middleware inside its retry loop (one pass per attempt) reports
// them to whoever listens (the CLI's stderr, the extension's log). Added with priority 'high', outside
// the deserializer, so it sees the service's error (ThrottlingException) rather than a bare 400. Also the one inactivity limit for
// every AWS and Hub request, so a server that accepts the connection and never answers ends with a
// message instead of minutes of silence.

export const TIMEOUT_ENV = 'SAGEMAKER_HF_TIMEOUT_SECONDS';
export const TIMEOUT_SETTING = 'sagemakerHf.requestTimeoutSeconds';
const DEFAULT_TIMEOUT_S = 60;
/** After this long without an answer the first "waiting for" notice appears. */
export const WAITING_NOTICE_MS = 3_000;

export interface AwsNotice {
  kind: 'waiting' | 'throttled' | 'retrying';
  /** "SageMaker", "S3", "CloudWatchLogs", …, or "Hub". */
  service: string;
  operation: string;
  message: string;
}

/** Milliseconds a request may go without receiving anything before it fails. */
export function requestTimeoutMs(): number {
  const env = Number(process.env[TIMEOUT_ENV]);
  return (Number.isFinite(env) && env > 0 ? env : DEFAULT_TIMEOUT_S) * 1000;
}

/** How to raise the limit, for messages. */
export function timeoutHint(): string {
  return `raise the limit with ${TIMEOUT_ENV}=<seconds> (in VS Code: the setting ${TIMEOUT_SETTING}); now ${requestTimeoutMs() / 1000} s`;
}

type Listener = (n: AwsNotice) => void;
const listeners = new Set<Listener>();

/** Subscribes to notices; returns the unsubscribe function. */
export function onAwsNotice(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Tells every listener (also used for Hub requests, service 'Hub'). */
export function emitNotice(n: AwsNotice): void {
  for (const l of listeners) {
    try {
      l(n);
    } catch {
      /* a listener's failure must not fail the call */
    }
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

export function isThrottling(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return THROTTLING.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 429;
}

interface MwContext {
  clientName?: string;
  commandName?: string;
}
interface MwArgs {
  request?: { headers?: Record<string, string>; protocol?: string; hostname?: string; port?: number; path?: string };
}
type Next = (args: MwArgs) => Promise<unknown>;

/** The deserialize-step middleware: one pass per attempt (the retry loop is outside it). */
export function awsCallNotices(endpoint: string | undefined) {
  return (next: Next, context: MwContext) => async (args: MwArgs) => {
    const service = (context.clientName ?? 'AWS').replace(/Client$/, '');
    const operation = (context.commandName ?? 'request').replace(/Command$/, '');
    const req = args.request;
    // Host only: a path or query may carry a presigned signature.
    const where =
      endpoint ??
      (req?.hostname ? `${req.protocol ?? 'https:'}//${req.hostname}${req.port ? `:${req.port}` : ''}` : 'AWS');
    const m = /attempt=(\d+);\s*max=(\d+)/.exec(req?.headers?.['amz-sdk-request'] ?? '');
    const attempt = m ? Number(m[1]) : 1;
    const max = m ? Number(m[2]) : 1;
    // The context is shared by every attempt of one call: the notice counts from the first attempt.
    const call = context as MwContext & { hfT0?: number; hfNextNotice?: number };
    call.hfT0 ??= Date.now();
    call.hfNextNotice ??= call.hfT0 + WAITING_NOTICE_MS;
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      timer = setTimeout(
        () => {
          const s = Math.round((Date.now() - call.hfT0!) / 1000);
          emitNotice({
            kind: 'waiting',
            service,
            operation,
            message: `waiting for ${service} ${operation} at ${where} (${s} s; each try gives up after ${requestTimeoutMs() / 1000} s without data)`,
          });
          call.hfNextNotice = Date.now() + 15_000;
          schedule();
        },
        Math.max(0, call.hfNextNotice! - Date.now()),
      );
      timer.unref?.();
    };
    schedule();
    try {
      return await next(args);
    } catch (err) {
      if (attempt < max) {
        if (isThrottling(err)) {
          emitNotice({
            kind: 'throttled',
            service,
            operation,
            message: `${service} ${operation}: throttled (${(err as Error).name}), retrying (attempt ${attempt + 1} of ${max})`,
          });
        } else if ((err as Error)?.name === 'TimeoutError') {
          emitNotice({
            kind: 'retrying',
            service,
            operation,
            message: `${service} ${operation}: no answer from ${where} (${(err as Error).message.replace(/^@smithy\/node-http-handler - /, '')}), retrying (attempt ${attempt + 1} of ${max})`,
          });
        }
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}
