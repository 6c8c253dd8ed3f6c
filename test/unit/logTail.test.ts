// The tail loop against scripted CloudWatch and SageMaker answers on a virtual clock. A scripted API is
// needed here because moto never moves a training job through InProgress → Completed/Failed and writes
// no logs (notes B2, B5): status transitions, throttling and the job ending between reads cannot be
// produced by a real emulator. tokens follow CloudWatch semantics (the token given back = the end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROCESSING_JOB,
  PROCESSING_LOG_GROUP,
  tailJob,
  tailTrainingJob,
  TRAINING_LOG_GROUP,
  type Clock,
  type JobDescription,
  type ProcessingJobDescription,
  type TailApi,
  type TailLine,
} from '../../src/workflow/jobLogTail';
import type { GetEventsRequest } from '../../src/core/sagemaker/logMerge';
import { CancelledError, UserError } from '../../src/core/errors';

const JOB = 'hf-emotion-1';
const target = { region: 'us-east-1' };

class AwsError extends Error {
  $metadata: { httpStatusCode: number };
  constructor(name: string, status: number, message = name) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

/** A CloudWatch Logs + SageMaker stand-in whose state a timeline changes as virtual time passes. */
class World implements TailApi {
  now = 1_700_000_000_000;
  groupExists = false;
  streams = new Map<string, { timestamp: number; message: string; ingestionTime: number }[]>();
  job: JobDescription = {
    TrainingJobName: JOB,
    TrainingJobStatus: 'InProgress',
    SecondaryStatus: 'Starting',
    ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.g4dn.xlarge', VolumeSizeInGB: 30 },
    SecondaryStatusTransitions: [
      {
        Status: 'Starting',
        StartTime: new Date(1_700_000_000_000),
        StatusMessage: 'Preparing the instances for training',
      },
    ],
  } as JobDescription;
  /** Errors thrown by the next calls of any Logs operation, in order. */
  logErrors: Error[] = [];
  /** At most this many events per GetLogEvents page (CloudWatch also cuts pages at 1 MB). */
  pageCap = 10_000;
  streamsPerPage = 50;
  calls: string[] = [];
  sleeps: number[] = [];
  private timeline: { at: number; run: () => void }[] = [];

  at(offsetMs: number, run: () => void): void {
    this.timeline.push({ at: 1_700_000_000_000 + offsetMs, run });
    this.timeline.sort((a, b) => a.at - b.at);
  }
  write(stream: string, ...messages: string[]): void {
    this.groupExists = true;
    const list = this.streams.get(stream) ?? [];
    this.streams.set(stream, list);
    for (const m of messages) list.push({ timestamp: this.now, message: m, ingestionTime: this.now + 5 });
  }
  writeAt(stream: string, ts: number, message: string): void {
    this.groupExists = true;
    const list = this.streams.get(stream) ?? [];
    this.streams.set(stream, list);
    list.push({ timestamp: ts, message, ingestionTime: ts + 5 });
    list.sort((a, b) => a.timestamp - b.timestamp);
  }
  private fire(): void {
    while (this.timeline.length && this.timeline[0]!.at <= this.now) this.timeline.shift()!.run();
  }
  private logCall(what: string): void {
    this.calls.push(what);
    const err = this.logErrors.shift();
    if (err) throw err;
  }
  clock: Clock = {
    now: () => this.now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw new CancelledError();
      this.sleeps.push(ms);
      this.now += ms;
      if (this.now > 1_700_000_000_000 + 24 * 3600_000) throw new Error('virtual day passed: the tail never ended');
      this.fire();
    },
  };

  async describeJob(name: string): Promise<JobDescription> {
    this.calls.push('DescribeTrainingJob');
    if (name !== JOB)
      throw new AwsError(
        'ValidationException',
        400,
        `Could not find training job 'arn:aws:sagemaker:us-east-1:123456789012:training-job/${name}'.`,
      );
    return structuredClone(this.job);
  }
  async describeStreams(group: string, prefix: string, nextToken: string | undefined) {
    this.logCall('DescribeLogStreams');
    assert.equal(group, TRAINING_LOG_GROUP);
    if (!this.groupExists)
      throw new AwsError('ResourceNotFoundException', 400, 'The specified log group does not exist.');
    const names = [...this.streams.keys()].filter((n) => n.startsWith(prefix)).sort();
    const start = nextToken ? Number(nextToken) : 0;
    const page = names.slice(start, start + this.streamsPerPage);
    return {
      names: page,
      nextToken: start + this.streamsPerPage < names.length ? String(start + this.streamsPerPage) : undefined,
    };
  }
  async getEvents(group: string, stream: string, req: GetEventsRequest) {
    this.logCall('GetLogEvents');
    const all = this.streams.get(stream);
    if (!all) throw new AwsError('ResourceNotFoundException', 400, 'The specified log stream does not exist.');
    const list = all.filter((e) => req.startTime === undefined || e.timestamp >= req.startTime);
    if (req.nextToken && !/^f\/\d+$/.test(req.nextToken))
      throw new AwsError('InvalidParameterException', 400, 'The specified nextToken is invalid.');
    const from = req.nextToken ? Number(req.nextToken.slice(2)) : 0;
    const page = list.slice(from, from + Math.min(req.limit, this.pageCap));
    const next = `f/${from + page.length}`;
    return {
      events: page.map((e) => ({ ...e })),
      nextForwardToken: page.length === 0 && req.nextToken ? req.nextToken : next,
    };
  }
}

async function tail(world: World, follow = true, extra: { signal?: AbortSignal } = {}) {
  const lines: TailLine[] = [];
  const status = await tailTrainingJob(target, JOB, {
    follow,
    api: world,
    clock: world.clock,
    onLine: (l) => lines.push(l),
    scheduler: { random: () => 1 },
    ...extra,
  });
  return {
    status,
    lines,
    text: lines.map((l) => l.text),
    logs: lines.filter((l) => l.kind === 'log').map((l) => l.text),
  };
}

function complete(world: World, extra: Partial<JobDescription> = {}): void {
  world.job = {
    ...world.job,
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    TrainingTimeInSeconds: 420,
    BillableTimeInSeconds: 410,
    FinalMetricDataList: [{ MetricName: 'eval_accuracy', Value: 0.91, Timestamp: new Date(world.now) }],
    ModelArtifacts: { S3ModelArtifacts: `s3://bucket/out/${JOB}/output/model.tar.gz` },
    ...extra,
  };
}

test('an empty log group (not created yet): "waiting for logs" once, then the lines, then the outcome', async () => {
  const w = new World();
  w.at(30_000, () => w.write(`${JOB}/algo-1-1700000030`, 'Found configuration for Training Compiler', 'epoch 1'));
  w.at(90_000, () => w.write(`${JOB}/algo-1-1700000030`, '[metrics] step=10 loss=0.5'));
  w.at(120_000, () => complete(w));
  const r = await tail(w);
  assert.equal(r.status, 'Completed');
  assert.equal(r.lines.filter((l) => /^Waiting for logs/.test(l.text)).length, 1, r.text.join('\n'));
  assert.deepEqual(r.logs, ['Found configuration for Training Compiler', 'epoch 1', '[metrics] step=10 loss=0.5']);
  const outcome = r.lines.filter((l) => l.kind === 'outcome').map((l) => l.text);
  assert.deepEqual(outcome, [
    `Training job ${JOB} Completed`,
    'Training seconds: 420 | Billable seconds: 410',
    'Final metrics: eval_accuracy=0.91',
    `Model artifact: s3://bucket/out/${JOB}/output/model.tar.gz`,
  ]);
  assert.ok(r.text.indexOf('epoch 1') > r.text.findIndex((t) => t.startsWith('Waiting')));
});

test('two instances interleave by timestamp; the second stream appears late; no line twice', async () => {
  const w = new World();
  w.job.ResourceConfig!.InstanceCount = 2;
  const s1 = `${JOB}/algo-1-1700000001`,
    s2 = `${JOB}/algo-2-1700000009`;
  const t0 = w.now;
  w.at(5_000, () => {
    w.writeAt(s1, t0 + 4_000, 'a-4');
    w.writeAt(s1, t0 + 5_000, 'a-5');
  });
  // algo-2 comes up 20 s later but some of its events are older than algo-1's newest unread ones.
  w.at(25_000, () => {
    w.writeAt(s2, t0 + 21_000, 'b-21');
    w.writeAt(s1, t0 + 22_000, 'a-22');
    w.writeAt(s2, t0 + 23_000, 'b-23');
    w.writeAt(s1, t0 + 23_000, 'a-23');
  });
  w.at(40_000, () => {
    w.writeAt(s1, t0 + 39_000, 'a-39');
    w.writeAt(s2, t0 + 40_000, 'b-40');
  });
  w.at(60_000, () => complete(w));
  const r = await tail(w);
  assert.deepEqual(r.logs, [
    '[algo-1] a-4',
    '[algo-1] a-5',
    '[algo-2] b-21',
    '[algo-1] a-22',
    '[algo-1] a-23',
    '[algo-2] b-23',
    '[algo-1] a-39',
    '[algo-2] b-40',
  ]);
  assert.ok(
    r.text.some(
      (t) => t === 'Training seconds: 840 (420 s × 2 instances) | Billable seconds: 820 (410 s × 2 instances)',
    ),
    r.text.join('\n'),
  );
});

test('pages with tokens are followed to the end; stream listing pages too', async () => {
  const w = new World();
  w.pageCap = 3;
  w.streamsPerPage = 1;
  w.job.ResourceConfig!.InstanceCount = 2;
  for (let i = 0; i < 8; i++) w.writeAt(`${JOB}/algo-1-1`, w.now - 10_000 + i, `a${i}`);
  for (let i = 0; i < 4; i++) w.writeAt(`${JOB}/algo-2-1`, w.now - 5_000 + i, `b${i}`);
  complete(w);
  const r = await tail(w, false);
  assert.deepEqual(r.logs, [
    ...Array.from({ length: 8 }, (_, i) => `[algo-1] a${i}`),
    ...Array.from({ length: 4 }, (_, i) => `[algo-2] b${i}`),
  ]);
  assert.equal(w.calls.filter((c) => c === 'DescribeLogStreams').length, 2, 'two pages of streams');
  // 8 events in pages of 3: 3+3+2, then the same token back (the end); 4 events: 3+1, then the end.
  assert.equal(w.calls.filter((c) => c === 'GetLogEvents').length, 4 + 3);
});

test('throttling: keeps going with growing pauses, says so once, loses nothing', async () => {
  const w = new World();
  const s = `${JOB}/algo-1-1`;
  w.write(s, 'first');
  w.at(10_000, () => {
    w.write(s, 'during throttling');
    w.logErrors.push(...Array.from({ length: 4 }, () => new AwsError('ThrottlingException', 400, 'Rate exceeded')));
  });
  w.at(200_000, () => w.write(s, 'after'));
  w.at(240_000, () => complete(w));
  const r = await tail(w);
  assert.deepEqual(r.logs, ['first', 'during throttling', 'after']);
  assert.equal(r.text.filter((t) => /throttling/i.test(t) && t.startsWith('(')).length, 1);
  // Four throttled rounds in a row: each pause doubles the one before.
  const doubling = w.sleeps.some(
    (ms, i) => i >= 2 && ms === 2 * w.sleeps[i - 1]! && w.sleeps[i - 1] === 2 * w.sleeps[i - 2]! && ms >= 8000,
  );
  assert.ok(doubling, `exponential backoff: ${w.sleeps.join(',')}`);
});

test('transient 5xx errors are retried; a permanent error (access denied) stops with one clear line', async () => {
  const w = new World();
  w.write(`${JOB}/algo-1-1`, 'line');
  w.logErrors.push(new AwsError('ServiceUnavailableException', 503));
  w.at(20_000, () => complete(w));
  assert.deepEqual((await tail(w)).logs, ['line']);

  const denied = new World();
  denied.write(`${JOB}/algo-1-1`, 'line');
  denied.logErrors.push(
    new AwsError('AccessDeniedException', 400, 'User is not authorized to perform: logs:DescribeLogStreams'),
  );
  await assert.rejects(
    tail(denied),
    (err: Error) =>
      err instanceof UserError && /Reading the logs of hf-emotion-1 failed: access denied/.test(err.message),
  );
});

test('the job ending between reads: lines written just before the end are read once more, then the failure and last lines', async () => {
  const w = new World();
  const s = `${JOB}/algo-1-1`;
  w.write(s, 'epoch 1');
  w.at(12_000, () => {
    // Between two reads: the last lines and the failure land together.
    w.write(s, 'Traceback (most recent call last):', 'RuntimeError: CUDA out of memory');
    w.job = {
      ...w.job,
      TrainingJobStatus: 'Failed',
      SecondaryStatus: 'Failed',
      FailureReason: 'AlgorithmError: ExecuteUserScriptError: RuntimeError: CUDA out of memory',
    };
    w.job.SecondaryStatusTransitions = [
      ...w.job.SecondaryStatusTransitions!,
      { Status: 'Failed', StartTime: new Date(w.now), StatusMessage: 'Training job failed' },
    ];
  });
  const r = await tail(w);
  assert.equal(r.status, 'Failed');
  assert.deepEqual(r.logs, ['epoch 1', 'Traceback (most recent call last):', 'RuntimeError: CUDA out of memory']);
  const outcome = r.lines.filter((l) => l.kind === 'outcome').map((l) => l.text);
  assert.deepEqual(outcome, [
    `Training job ${JOB} Failed: AlgorithmError: ExecuteUserScriptError: RuntimeError: CUDA out of memory`,
    'Last 3 log lines before the failure:',
    '  epoch 1',
    '  Traceback (most recent call last):',
    '  RuntimeError: CUDA out of memory',
  ]);
  assert.ok(
    r.text.some((t) => /Failed - Training job failed$/.test(t)),
    'the Failed transition is printed inline',
  );
});

test('secondary-status transitions print inline as they happen, a changed message again', async () => {
  const w = new World();
  w.at(10_000, () => {
    w.job.SecondaryStatus = 'Downloading';
    w.job.SecondaryStatusTransitions!.push({
      Status: 'Downloading',
      StartTime: new Date(w.now),
      StatusMessage: 'Downloading input data',
    });
  });
  w.at(20_000, () => {
    w.job.SecondaryStatusTransitions!.at(-1)!.StatusMessage = 'Downloading the training image';
  });
  w.at(30_000, () => {
    w.job.SecondaryStatusTransitions!.push({
      Status: 'Training',
      StartTime: new Date(w.now),
      StatusMessage: 'Training image download completed. Training in progress.',
    });
    w.write(`${JOB}/algo-1-1`, 'hello from the container');
  });
  w.at(50_000, () => complete(w));
  const r = await tail(w);
  const status = r.lines.filter((l) => l.kind === 'status').map((l) => l.text.replace(/^\S+ \S+ /, ''));
  assert.deepEqual(status, [
    'Starting - Preparing the instances for training',
    'Downloading - Downloading input data',
    'Downloading - Downloading the training image',
    'Training - Training image download completed. Training in progress.',
  ]);
  assert.ok(r.lines[0]!.text.startsWith('2023-11-14 22:13:20 Starting'), r.lines[0]!.text);
});

test('a rejected forward token falls back to the last timestamp without repeating lines', async () => {
  const w = new World();
  const s = `${JOB}/algo-1-1`;
  w.write(s, 'same', 'same');
  const orig = w.getEvents.bind(w);
  let broke = false;
  w.getEvents = async (g, st, req) => {
    // One token comes back invalid (as after a service-side reset of the stream's pages).
    if (req.nextToken && !broke && w.now > 1_700_000_005_000) {
      broke = true;
      w.calls.push('GetLogEvents');
      throw new AwsError('InvalidParameterException', 400, 'The specified nextToken is invalid.');
    }
    return orig(g, st, req);
  };
  w.at(8_000, () => w.write(s, 'same', 'later'));
  w.at(30_000, () => complete(w));
  const r = await tail(w);
  assert.ok(broke);
  assert.deepEqual(r.logs, ['same', 'same', 'same', 'later']);
});

test('idle polling slows down and calls stay under one per second while lines arrive', async () => {
  const w = new World();
  const s = `${JOB}/algo-1-1`;
  // 60 s of one line every 500 ms, then 10 idle minutes.
  for (let t = 0; t < 60_000; t += 500) w.at(t, () => w.write(s, `line ${t}`));
  w.at(660_000, () => complete(w));
  const r = await tail(w);
  assert.equal(r.logs.length, 120);
  const logCalls = w.calls.filter((c) => c !== 'DescribeTrainingJob').length;
  assert.ok(logCalls < 60 + 10 + 660 / 15 + 10, `Logs calls: ${logCalls}`);
  assert.ok(Math.max(...w.sleeps) <= 15_000, 'idle polling never waits longer than 15 s');
  assert.ok(w.sleeps.filter((ms) => ms === 15_000).length > 30, 'idle minutes poll at the slow ceiling');
});

test('cancel stops the tail silently with a CancelledError; an unknown job is a clear UserError', async () => {
  const w = new World();
  const ctl = new AbortController();
  w.at(5_000, () => ctl.abort());
  await assert.rejects(tail(w, true, { signal: ctl.signal }), CancelledError);
  await assert.rejects(
    tailTrainingJob(target, 'no-such-job', { follow: false, api: w, clock: w.clock, onLine: () => undefined }),
    (err: Error) =>
      err instanceof UserError && /training job 'no-such-job' was not found in us-east-1/.test(err.message),
  );
});

test('without follow: one read, and a running job says it is still running', async () => {
  const w = new World();
  w.write(`${JOB}/algo-1-1`, 'so far');
  const r = await tail(w, false);
  assert.equal(r.status, 'InProgress');
  assert.deepEqual(r.logs, ['so far']);
  assert.match(r.text.at(-1)!, /is InProgress \/ Starting; follow it/);
  assert.deepEqual(w.sleeps, []);
});

/** A Processing job: its own log group and describe call, and lines that name it as a Processing job. */
function processingWorld(
  job: ProcessingJobDescription,
  lines: string[],
): TailApi<ProcessingJobDescription> & { groups: string[] } {
  const groups: string[] = [];
  const stream = `${job.ProcessingJobName}/algo-1-1700000000`;
  return {
    groups,
    describeJob: async () => structuredClone(job),
    describeStreams: async (group) => (groups.push(group), { names: [stream] }),
    getEvents: async (group, _stream, req) => {
      groups.push(group);
      const events = req.nextToken
        ? []
        : lines.map((message, i) => ({
            timestamp: 1_700_000_000_000 + i,
            message,
            ingestionTime: 1_700_000_000_005 + i,
          }));
      return { events, nextForwardToken: req.nextToken ?? `f/${events.length}` };
    },
  };
}

async function tailProcessing(
  job: ProcessingJobDescription,
  logLines: string[],
): Promise<{ status: string; text: string[]; groups: string[] }> {
  const api = processingWorld(job, logLines);
  const out: TailLine[] = [];
  const status = await tailJob(target, PROCESSING_JOB, job.ProcessingJobName!, {
    follow: false,
    api,
    onLine: (l) => out.push(l),
  });
  return { status, text: out.map((l) => l.text), groups: api.groups };
}

test('a Processing job: its log group, and the outcome names it a Processing job', async () => {
  const cluster = { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.c5.4xlarge' as const, VolumeSizeInGB: 30 } };
  const done = await tailProcessing(
    {
      ProcessingJobName: 'prep-emotion-1',
      ProcessingJobStatus: 'Completed',
      ProcessingResources: cluster,
    } as ProcessingJobDescription,
    ['tokenized 16000 rows'],
  );
  assert.equal(done.status, 'Completed');
  assert.deepEqual(done.text, ['tokenized 16000 rows', 'Processing job prep-emotion-1 Completed']);
  assert.ok(done.groups.length > 0 && done.groups.every((g) => g === PROCESSING_LOG_GROUP), done.groups.join(', '));

  const failed = await tailProcessing(
    {
      ProcessingJobName: 'prep-emotion-2',
      ProcessingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: no rows',
      ProcessingResources: cluster,
    } as ProcessingJobDescription,
    ['reading train'],
  );
  assert.deepEqual(failed.text, [
    'reading train',
    'Processing job prep-emotion-2 Failed: AlgorithmError: no rows',
    'Last 1 log line before the failure:',
    '  reading train',
  ]);

  const running = await tailProcessing(
    {
      ProcessingJobName: 'prep-emotion-3',
      ProcessingJobStatus: 'InProgress',
      ProcessingResources: cluster,
    } as ProcessingJobDescription,
    ['reading train'],
  );
  assert.equal(running.status, 'InProgress');
  assert.deepEqual(running.text, [
    'reading train',
    'Processing job prep-emotion-3 is InProgress; follow it to see new lines as they come.',
  ]);
});
