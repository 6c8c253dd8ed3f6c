// Tails a SageMaker job's CloudWatch logs: discovers its instance streams as they come up, reads each
// with GetLogEvents and forward tokens, merges them by timestamp, prints secondary-status transitions
// inline, keeps going through throttling and transient errors, and after the job ends reads once more
// and prints the outcome. It follows a training job (`logs`, the extension's output channel) or a
// Processing job (`prepare --on sagemaker`): the JobKind says which log group, which describe call,
// where the status sits and how the lines name the job. The AWS calls go through a small interface so
// unit tests can script what CloudWatch and SageMaker answer (moto never changes a job's status, see the tests).
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  type DescribeProcessingJobCommandOutput,
  type DescribeTrainingJobCommandOutput,
  type SecondaryStatusTransition,
} from '@aws-sdk/client-sagemaker';
import { client, type AwsTarget } from '../aws/clients';
import { awsErrorName, awsErrorStatus, describeAwsError } from '../aws/errors';
import { CancelledError, UserError, isCancelled, throwIfAborted, sleep } from '../core/errors';
import { isTerminalStatus } from '../core/sagemaker/jobStatus';
import {
  LogMerger,
  PollScheduler,
  StreamCursor,
  type GetEventsRequest,
  type LogPage,
  type PollOutcome,
  type SchedulerOptions,
} from '../core/sagemaker/logMerge';

export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
export const PROCESSING_LOG_GROUP = '/aws/sagemaker/ProcessingJobs';

export { isTerminalStatus };

export type JobDescription = Omit<DescribeTrainingJobCommandOutput, '$metadata'>;
export type ProcessingJobDescription = Omit<DescribeProcessingJobCommandOutput, '$metadata'>;

/** What the tail reads from a job's description, whatever its kind. */
export interface JobView {
  name?: string;
  status?: string;
  secondaryStatus?: string;
  transitions: SecondaryStatusTransition[];
  failureReason?: string;
  instances: number;
}

/** The kind of job the tail follows: J is its Describe*Job answer. */
export interface JobKind<J> {
  /** How the tail's lines name the job: "Training job x Completed". */
  title: string;
  logGroup: string;
  describe(sm: SageMakerClient, name: string, signal?: AbortSignal): Promise<J>;
  view(job: J): JobView;
  /** Lines after "<title> <name> <status>" when it did not fail: times, metrics, the artifact. */
  outcomeDetails(job: J, status: string): string[];
}

export function instanceCountOf(job: JobDescription): number {
  const groups = job.ResourceConfig?.InstanceGroups;
  if (groups?.length) return groups.reduce((n, g) => n + (g.InstanceCount ?? 0), 0) || 1;
  return job.ResourceConfig?.InstanceCount ?? 1;
}

export const TRAINING_JOB: JobKind<JobDescription> = {
  title: 'Training job',
  logGroup: TRAINING_LOG_GROUP,
  describe: (sm, name, signal) =>
    sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }), { abortSignal: signal }),
  view: (job) => ({
    name: job.TrainingJobName,
    status: job.TrainingJobStatus,
    secondaryStatus: job.SecondaryStatus,
    transitions: job.SecondaryStatusTransitions ?? [],
    failureReason: job.FailureReason,
    instances: instanceCountOf(job),
  }),
  outcomeDetails(job, status) {
    const lines: string[] = [];
    const n = instanceCountOf(job);
    const times: string[] = [];
    const per = (v: number) => (n > 1 ? `${v * n} (${v} s × ${n} instances)` : `${v}`);
    if (job.TrainingTimeInSeconds !== undefined) times.push(`Training seconds: ${per(job.TrainingTimeInSeconds)}`);
    if (job.BillableTimeInSeconds !== undefined) times.push(`Billable seconds: ${per(job.BillableTimeInSeconds)}`);
    if (job.EnableManagedSpotTraining && job.TrainingTimeInSeconds && job.BillableTimeInSeconds !== undefined) {
      times.push(
        `Managed Spot savings: ${((1 - job.BillableTimeInSeconds / job.TrainingTimeInSeconds) * 100).toFixed(1)}%`,
      );
    }
    if (times.length) lines.push(times.join(' | '));
    const metrics = (job.FinalMetricDataList ?? []).filter((m) => m.MetricName);
    if (metrics.length) lines.push(`Final metrics: ${metrics.map((m) => `${m.MetricName}=${m.Value}`).join(', ')}`);
    if (job.ModelArtifacts?.S3ModelArtifacts && status === 'Completed')
      lines.push(`Model artifact: ${job.ModelArtifacts.S3ModelArtifacts}`);
    return lines;
  },
};

/** A Processing job has no secondary statuses, times or artifact to report: its outcome is one line. */
export const PROCESSING_JOB: JobKind<ProcessingJobDescription> = {
  title: 'Processing job',
  logGroup: PROCESSING_LOG_GROUP,
  describe: (sm, name, signal) =>
    sm.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }), { abortSignal: signal }),
  view: (job) => ({
    name: job.ProcessingJobName,
    status: job.ProcessingJobStatus,
    transitions: [],
    failureReason: job.FailureReason,
    instances: job.ProcessingResources?.ClusterConfig?.InstanceCount ?? 1,
  }),
  outcomeDetails: () => [],
};

/** The AWS calls the tail makes; `awsTailApi` is the real one. */
export interface TailApi<J = JobDescription> {
  describeJob(name: string, signal?: AbortSignal): Promise<J>;
  describeStreams(
    group: string,
    prefix: string,
    nextToken: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ names: string[]; nextToken?: string }>;
  getEvents(group: string, stream: string, req: GetEventsRequest, signal?: AbortSignal): Promise<LogPage>;
}

export interface Clock {
  now(): number;
  /** Resolves after ms; rejects with a cancellation when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep,
};

export interface TailLine {
  /** log: a line from the job; status: a secondary-status transition; info: the tail's own notes; outcome: the end summary. */
  kind: 'log' | 'status' | 'info' | 'outcome';
  text: string;
  timestamp?: number;
  instance?: string;
}

export interface TailOptions<J = JobDescription> {
  signal?: AbortSignal;
  /** Keep tailing until the job ends (else one read of what is there now). */
  follow: boolean;
  onLine(line: TailLine): void;
  onStatus?(job: J): void;
  clock?: Clock;
  api?: TailApi<J>;
  scheduler?: SchedulerOptions;
  /** Describe*Job at most this often while following (ms). */
  statusEveryMs?: number;
  /** Pause before the last read once the job ended, so the final lines are ingested (ms). */
  settleMs?: number;
}

export function awsTailApi<J>(target: AwsTarget, kind: JobKind<J>): TailApi<J> {
  // One attempt per call: the tail's own scheduler backs off (and counts calls honestly).
  const logs = client(CloudWatchLogsClient, target, { maxAttempts: 1 });
  const sm = client(SageMakerClient, target);
  return {
    describeJob: (name, signal) => kind.describe(sm, name, signal),
    async describeStreams(group, prefix, nextToken, signal) {
      const out = await logs.send(
        new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: prefix, nextToken, limit: 50 }),
        { abortSignal: signal },
      );
      return {
        names: (out.logStreams ?? []).map((s) => s.logStreamName ?? '').filter(Boolean),
        nextToken: out.nextToken,
      };
    },
    getEvents: (group, stream, req, signal) =>
      logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, ...req }), {
        abortSignal: signal,
      }),
  };
}

const utc = (d: Date | undefined) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) : '');

function isThrottle(err: unknown): boolean {
  return (
    /Throttl|TooManyRequests|RequestLimitExceeded|LimitExceeded/i.test(awsErrorName(err)) || awsErrorStatus(err) === 429
  );
}

function isTransient(err: unknown): boolean {
  const status = awsErrorStatus(err) ?? 0;
  const code = (err as { code?: string })?.code ?? '';
  const name = awsErrorName(err);
  return (
    status >= 500 ||
    ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN'].includes(code) ||
    /TimeoutError|ServiceUnavailable|InternalFailure|socket hang up/i.test(name + ' ' + String((err as Error)?.message))
  );
}

const isNotFound = (err: unknown) => awsErrorName(err) === 'ResourceNotFoundException';
const isBadToken = (err: unknown) => awsErrorName(err) === 'InvalidParameterException';

/** Several failed rounds in a row of the same non-throttling error: give up with that error. */
const MAX_CONSECUTIVE_ERRORS = 8;
const LAST_LINES = 10;

/** tailJob for a training job. */
export function tailTrainingJob(
  target: AwsTarget,
  jobName: string,
  opts: TailOptions<JobDescription>,
): Promise<string> {
  return tailJob(target, TRAINING_JOB, jobName, opts);
}

/**
 * Tails the job until it ends (follow) or once; returns the job's final (or current) status.
 * Cancelling (signal) rejects with a CancelledError.
 */
export async function tailJob<J>(
  target: AwsTarget,
  kind: JobKind<J>,
  jobName: string,
  opts: TailOptions<J>,
): Promise<string> {
  const api = opts.api ?? awsTailApi(target, kind);
  const clock = opts.clock ?? realClock;
  const signal = opts.signal;
  const statusEveryMs = opts.statusEveryMs ?? 10_000;
  const settleMs = opts.settleMs ?? 3_000;
  const scheduler = new PollScheduler(opts.scheduler);
  const emit = opts.onLine;
  const cancelled = (err: unknown) => isCancelled(err) || signal?.aborted;

  const describe = async (): Promise<J> => {
    try {
      const job = await api.describeJob(jobName, signal);
      opts.onStatus?.(job);
      return job;
    } catch (err) {
      if (cancelled(err)) throw new CancelledError();
      if (awsErrorName(err) === 'ValidationException' && /not find|not found/i.test(String((err as Error).message))) {
        throw new UserError(
          `training job '${jobName}' was not found in ${target.region}. Check the name and the region (setting sagemakerHf.region, --region or AWS_REGION).`,
          'job',
          { cause: err },
        );
      }
      throw err;
    }
  };

  let job = await describe().catch((err) => {
    throw err instanceof UserError || err instanceof CancelledError
      ? err
      : describeAwsError(err, target, `Reading training job ${jobName}`);
  });
  let view = kind.view(job);

  // Secondary-status transitions: every new one, and the last one again when only its message changed.
  let printed = 0;
  let lastMessage: string | undefined;
  const printTransition = (t: SecondaryStatusTransition) => {
    emit({
      kind: 'status',
      text: `${utc(t.StartTime)} ${t.Status ?? ''} - ${t.StatusMessage ?? ''}`.trim(),
      timestamp: t.StartTime ? new Date(t.StartTime).getTime() : undefined,
    });
    lastMessage = t.StatusMessage;
  };
  const printTransitions = () => {
    const list = view.transitions;
    if (printed > 0 && list.length >= printed && list[printed - 1]!.StatusMessage !== lastMessage)
      printTransition(list[printed - 1]!);
    for (let i = printed; i < list.length; i++) printTransition(list[i]!);
    printed = Math.max(printed, list.length);
  };
  printTransitions();

  const merger = new LogMerger(view.instances);
  const cursors = new Map<string, StreamCursor>();
  const prefix = `${jobName}/`;
  const lastLines: string[] = [];
  let lastDiscover = -Infinity;
  let lastDescribe = clock.now();
  let waitingShown = false;
  let problemShown = false;
  let consecutiveErrors = 0;

  const discover = async () => {
    let token: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await api.describeStreams(kind.logGroup, prefix, token, signal);
      for (const name of page.names) {
        if (!name.startsWith(prefix) || seen.has(name)) continue;
        seen.add(name);
        if (!cursors.has(name)) cursors.set(name, new StreamCursor(name));
      }
      // The SDK passes no nextToken here and would loop forever on a second page; this follows it once per token.
      token = page.nextToken && !seen.has(`token:${page.nextToken}`) ? page.nextToken : undefined;
      if (token) seen.add(`token:${token}`);
    } while (token);
    lastDiscover = clock.now();
  };

  /** One pass over every stream to its end; returns how many lines it emitted. */
  const round = async (final: boolean): Promise<number> => {
    const instances = view.instances;
    merger.setInstanceCount(instances);
    const discoverEvery = cursors.size < instances ? 5_000 : 60_000;
    if (final || cursors.size === 0 || clock.now() - lastDiscover >= discoverEvery) await discover();
    for (const cursor of cursors.values()) {
      // A runaway stream must not starve the others: at most 50 pages per stream per round.
      for (let page = 0; page < 50; page++) {
        const req = cursor.request();
        let res: LogPage;
        try {
          res = await api.getEvents(kind.logGroup, cursor.stream, req, signal);
        } catch (err) {
          if (isBadToken(err) && req.nextToken !== undefined) {
            cursor.dropToken();
            continue;
          }
          throw err;
        }
        const { fresh, atEnd, exhausted } = cursor.accept(req, res);
        merger.add(cursor.stream, fresh);
        if (final ? exhausted : atEnd) break;
      }
    }
    const lines = merger.drain();
    for (const l of lines) {
      emit({ kind: 'log', text: l.text, timestamp: l.timestamp, instance: l.instance });
      lastLines.push(l.text);
      if (lastLines.length > LAST_LINES) lastLines.shift();
    }
    return lines.length;
  };

  const statusLine = () => `${view.status ?? '?'}${view.secondaryStatus ? ` / ${view.secondaryStatus}` : ''}`;

  /** A round with the error handling the follow loop needs; returns what the scheduler should do. */
  const safeRound = async (final: boolean): Promise<PollOutcome> => {
    try {
      const n = await round(final);
      consecutiveErrors = 0;
      if (problemShown) {
        emit({ kind: 'info', text: '(CloudWatch Logs answers again)' });
        problemShown = false;
      }
      if (cursors.size === 0 && !waitingShown && !isTerminalStatus(view.status)) {
        emit({
          kind: 'info',
          text: `Waiting for logs… the job's instances have not written any yet (status: ${statusLine()}).`,
        });
        waitingShown = true;
      }
      return n > 0 ? 'lines' : 'idle';
    } catch (err) {
      if (cancelled(err)) throw new CancelledError();
      if (isNotFound(err)) {
        // SageMaker creates the log group on the job's first output.
        consecutiveErrors = 0;
        if (!waitingShown && !isTerminalStatus(view.status)) {
          emit({ kind: 'info', text: `Waiting for logs… the job has not written any yet (status: ${statusLine()}).` });
          waitingShown = true;
        }
        return 'idle';
      }
      const throttled = isThrottle(err);
      if (!throttled && !isTransient(err)) throw describeAwsError(err, target, `Reading the logs of ${jobName}`);
      if (!throttled && ++consecutiveErrors >= MAX_CONSECUTIVE_ERRORS)
        throw describeAwsError(err, target, `Reading the logs of ${jobName}`);
      if (!problemShown) {
        emit({
          kind: 'info',
          text: throttled
            ? '(CloudWatch Logs is throttling requests; slowing down)'
            : `(CloudWatch Logs did not answer: ${awsErrorName(err) || (err as Error).message}; retrying)`,
        });
        problemShown = true;
      }
      return throttled ? 'throttled' : 'error';
    }
  };

  if (!opts.follow) {
    for (let attempt = 1; ; attempt++) {
      const outcome = await safeRound(true);
      if (outcome !== 'throttled' && outcome !== 'error') break;
      if (attempt >= 5)
        throw new UserError(
          `Reading the logs of ${jobName} failed: CloudWatch Logs kept ${outcome === 'throttled' ? 'throttling' : 'failing'}; try again in a moment.`,
        );
      await clock.sleep(scheduler.next(outcome), signal);
    }
    if (isTerminalStatus(view.status)) printOutcome(kind, job, lastLines, emit);
    else
      emit({
        kind: 'info',
        text: `${kind.title} ${jobName} is ${statusLine()}; follow it to see new lines as they come.`,
      });
    return view.status ?? 'Unknown';
  }

  let final = isTerminalStatus(view.status);
  for (;;) {
    throwIfAborted(signal);
    const outcome = await safeRound(final);
    if (final && outcome !== 'throttled' && outcome !== 'error') break;
    let delay = scheduler.next(outcome);
    if (!final && clock.now() - lastDescribe >= statusEveryMs) {
      lastDescribe = clock.now();
      try {
        job = await describe();
        view = kind.view(job);
        printTransitions();
        if (isTerminalStatus(view.status)) {
          final = true;
          delay = settleMs;
        }
      } catch (err) {
        if (err instanceof CancelledError || err instanceof UserError) throw err;
        if (!isThrottle(err) && !isTransient(err))
          throw describeAwsError(err, target, `Reading training job ${jobName}`);
        // Throttled or transient: keep tailing, ask again next time.
      }
    }
    await clock.sleep(delay, signal);
  }
  printOutcome(kind, job, lastLines, emit);
  return view.status ?? 'Unknown';
}

function printOutcome<J>(kind: JobKind<J>, job: J, lastLines: string[], emit: (l: TailLine) => void): void {
  const out = (text: string) => emit({ kind: 'outcome', text });
  const view = kind.view(job);
  const name = view.name ?? '';
  const status = view.status ?? 'Unknown';
  if (status === 'Failed') {
    out(`${kind.title} ${name} Failed: ${view.failureReason || '(no reason given)'}`);
    if (lastLines.length) {
      out(`Last ${lastLines.length} log line${lastLines.length === 1 ? '' : 's'} before the failure:`);
      for (const l of lastLines) out(`  ${l}`);
    } else out('The job wrote no log lines.');
    return;
  }
  out(`${kind.title} ${name} ${status}${status === 'Stopped' ? ' (stopped on request)' : ''}`);
  for (const line of kind.outcomeDetails(job, status)) out(line);
}
