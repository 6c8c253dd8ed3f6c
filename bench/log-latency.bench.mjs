// Log tail latency and API cost: a writer puts CloudWatch log events into moto at a steady rate while
// two tails follow the same job — ours (`node dist/cli.js logs <job> --follow`) and, in the same run, a
// replica of the SageMaker Python SDK's loop (logs_for_job: 10 s poll, DescribeLogStreams each flush,
// GetLogEvents from the last timestamp until an empty page). Measures event-written → line-emitted
// latency (p50/p95) and CloudWatch Logs calls per second while lines arrive and while idle.
//
// Usage: npm run build && node bench/log-latency.bench.mjs [--active-s 60] [--idle-s 60] [--rate 4]
// Uses the project's moto_server (.cache/venv/bin/moto_server, installed by scripts/ensure-venv.sh). moto's training jobs are Completed from birth (no lifecycle), so each tail
// talks to moto through a counting proxy that also reports the job as InProgress until the writer is done.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';

const { values: args } = parseArgs({
  options: {
    'active-s': { type: 'string', default: '60' },
    'idle-s': { type: 'string', default: '60' },
    rate: { type: 'string', default: '4' },
  },
});
const ACTIVE_S = Number(args['active-s']),
  IDLE_S = Number(args['idle-s']),
  RATE = Number(args.rate);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GROUP = '/aws/sagemaker/TrainingJobs';
const JOB = 'bench-log-latency';
const STREAM = `${JOB}/algo-1-1700000000`;
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

async function startMoto() {
  const port = await freePort();
  const child = spawn(
    new URL('../.cache/venv/bin/moto_server', import.meta.url).pathname,
    ['-H', '127.0.0.1', '-p', String(port)],
    { stdio: 'ignore' },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).status < 500) return { endpoint, child };
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  child.kill('SIGKILL');
  throw new Error('moto_server did not start');
}

/** A pass-through proxy that counts calls by operation (with their times) and can pin the job's status. */
async function countingProxy(upstream, state) {
  const calls = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const op = String(req.headers['x-amz-target'] ?? '');
    calls.push({ at: Date.now(), op });
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    );
    const up = await fetch(upstream + req.url, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    let body = Buffer.from(await up.arrayBuffer());
    if (op === 'SageMaker.DescribeTrainingJob' && up.ok)
      body = Buffer.from(
        JSON.stringify({
          ...JSON.parse(body.toString()),
          TrainingJobStatus: state.status,
          SecondaryStatus: state.status === 'InProgress' ? 'Training' : state.status,
        }),
      );
    res.writeHead(up.status, {
      'content-type': up.headers.get('content-type') ?? 'application/json',
      'content-length': body.length,
    });
    res.end(body);
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}

/** The SDK's logs_for_job loop (session.py), rewritten in JS for the baseline: 10 s poll, no kept tokens. */
async function sdkTail(endpoint, state, onLine, stop) {
  const logs = new CloudWatchLogsClient({ region: 'us-east-1', endpoint, credentials: creds, maxAttempts: 15 });
  const sm = new SageMakerClient({ region: 'us-east-1', endpoint, credentials: creds });
  const positions = new Map(); // stream -> { ts, skip }
  let lastDescribe = Date.now();
  let complete = false;
  while (!stop.stopped) {
    // _flush_log_streams: discovery runs on every flush (the SDK's local-variable quirk).
    let streams = [];
    try {
      const out = await logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: GROUP,
          logStreamNamePrefix: `${JOB}/`,
          orderBy: 'LogStreamName',
          limit: 1,
        }),
      );
      streams = (out.logStreams ?? []).map((s) => s.logStreamName);
    } catch {
      // the group does not exist until the first event: poll again
    }
    const events = [];
    for (const s of streams) {
      const pos = positions.get(s) ?? { ts: 0, skip: 0 };
      let token;
      let skip = pos.skip;
      let ts = pos.ts;
      let skipAtTs = pos.skip;
      for (;;) {
        const req = token
          ? { logGroupName: GROUP, logStreamName: s, nextToken: token, startFromHead: true }
          : { logGroupName: GROUP, logStreamName: s, startTime: pos.ts, startFromHead: true };
        const page = await logs.send(new GetLogEventsCommand(req));
        if (!page.events?.length) break;
        for (const e of page.events) {
          if (skip > 0) {
            skip--;
            continue;
          }
          events.push(e);
          if (e.timestamp === ts) skipAtTs++;
          else {
            ts = e.timestamp;
            skipAtTs = 1;
          }
        }
        token = page.nextForwardToken;
      }
      positions.set(s, { ts, skip: skipAtTs });
    }
    events.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of events) onLine(e.message);
    if (complete) break;
    await sleep(10_000);
    if (Date.now() - lastDescribe >= 30_000) {
      lastDescribe = Date.now();
      const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: JOB }));
      if (['Completed', 'Failed', 'Stopped'].includes(d.TrainingJobStatus)) complete = true;
    }
  }
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
}

const moto = await startMoto();
const state = { status: 'InProgress' };
try {
  const cfg = { region: 'us-east-1', endpoint: moto.endpoint, credentials: creds };
  await new SageMakerClient(cfg).send(
    new CreateTrainingJobCommand({
      TrainingJobName: JOB,
      RoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
      AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  const writer = new CloudWatchLogsClient(cfg);
  await writer.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await writer.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));

  const ours = await countingProxy(moto.endpoint, state);
  const base = await countingProxy(moto.endpoint, state);
  const written = new Map(); // seq -> write time
  const lat = { ours: [], sdk: [] };
  const seen = { ours: new Set(), sdk: new Set() };
  const record = (who) => (line) => {
    const m = /^evt (\d+)$/.exec(line.trim());
    if (!m || seen[who].has(m[1])) return;
    seen[who].add(m[1]);
    const t = written.get(m[1]);
    if (t !== undefined) lat[who].push(Date.now() - t);
  };

  const cli = spawn(process.execPath, [path.join(repo, 'dist/cli.js'), 'logs', JOB, '--follow'], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: ours.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_PROFILE: '',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: cli.stdout }).on('line', record('ours'));
  const cliExit = new Promise((r) => cli.on('exit', (code) => r(code)));
  const stop = { stopped: false };
  const sdkDone = sdkTail(base.url, state, record('sdk'), stop);

  await sleep(3000); // both tails up
  const tActive = Date.now();
  let seq = 0;
  console.error(`writing ${RATE} events/s for ${ACTIVE_S} s, then idle ${IDLE_S} s…`);
  while (Date.now() - tActive < ACTIVE_S * 1000) {
    const id = String(++seq);
    const now = Date.now();
    written.set(id, now);
    await writer.send(
      new PutLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: STREAM,
        logEvents: [{ timestamp: now, message: `evt ${id}` }],
      }),
    );
    await sleep(Math.max(0, tActive + (seq * 1000) / RATE - Date.now()));
  }
  const tIdle = Date.now() + 12_000; // let the slower tail catch up before counting idle
  await sleep(12_000 + IDLE_S * 1000);
  const tEnd = Date.now();
  state.status = 'Completed';
  const code = await cliExit;
  stop.stopped = true;
  await Promise.race([sdkDone, sleep(45_000)]);

  const rate = (calls, from, to) =>
    calls.filter((c) => c.op.startsWith('Logs_') && c.at >= from && c.at < to).length / ((to - from) / 1000);
  const rows = {
    ours: {
      p50: pct(lat.ours, 50),
      p95: pct(lat.ours, 95),
      max: Math.max(...lat.ours),
      n: lat.ours.length,
      active: rate(ours.calls, tActive, tActive + ACTIVE_S * 1000),
      idle: rate(ours.calls, tIdle, tEnd),
    },
    sdk: {
      p50: pct(lat.sdk, 50),
      p95: pct(lat.sdk, 95),
      max: Math.max(...lat.sdk),
      n: lat.sdk.length,
      active: rate(base.calls, tActive, tActive + ACTIVE_S * 1000),
      idle: rate(base.calls, tIdle, tEnd),
    },
  };
  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  console.log(
    `log tail latency (moto 5.2.1, 1 instance stream, ${RATE} events/s for ${ACTIVE_S} s, then ${IDLE_S} s idle; ${seq} events; CLI exit code ${code})`,
  );
  console.log('tail            | lines | p50 ms | p95 ms | max ms | Logs calls/s active | Logs calls/s idle');
  for (const [name, r] of [
    ['ours (logs -f)', rows.ours],
    ['SDK 10 s poll', rows.sdk],
  ]) {
    console.log(
      `${name.padEnd(15)} | ${String(r.n).padStart(5)} | ${f(r.p50).padStart(6)} | ${f(r.p95).padStart(6)} | ${f(r.max).padStart(6)} | ${f(r.active, 2).padStart(19)} | ${f(r.idle, 3).padStart(17)}`,
    );
  }
  console.log(
    `p95 latency ratio SDK/ours: ${f(rows.sdk.p95 / rows.ours.p95, 1)}x; lines seen: ours ${rows.ours.n}/${seq}, SDK ${rows.sdk.n}/${seq}`,
  );
  console.log(
    `targets: p95 < 2000 ms ${rows.ours.p95 < 2000 ? 'MET' : 'MISSED'}; <= 1 Logs call/s while active ${rows.ours.active <= 1 ? 'MET' : 'MISSED'}; idle ${f(rows.ours.idle, 3)} calls/s`,
  );
  await ours.close();
  await base.close();
} finally {
  moto.child.kill('SIGTERM');
}
