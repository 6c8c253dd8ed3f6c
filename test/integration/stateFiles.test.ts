// A workspace is untrusted input: crafted and corrupt state files (.sagemaker-hf/endpoints.json, a local
// job's job.json) through the built CLI against moto. A record's pid is signalled only once the process
// is proven to be the server this tool started; a corrupt file is reported (file, what was skipped)
// and never blocks an unrelated command.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startMoto, type Moto } from '../helpers/moto';
import { processProof } from '../../src/workflow/local/processGroup';
import { listLocalJobs } from '../../src/workflow/local/localTraining';

const repo = path.resolve(__dirname, '../../..');
const CLI_JS = path.join(repo, 'dist/cli.js');

let moto: Moto;
let tmp: string;
const sleepers: ChildProcess[] = [];

before(async () => {
  moto = await startMoto();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'state-files-'));
});
after(async () => {
  for (const s of sleepers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
  await moto?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function cli(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd, env: { ...process.env, ...moto.env } });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.stdin.end();
    child.on('exit', (code) =>
      resolve({ code: code ?? -1, out: out.replace(/.*NodeVersionSupportWarning.*\n?/g, '') }),
    );
  });
}

/** An unrelated long-running process leading its own group (what a stale or crafted pid points at). */
function unrelated(): ChildProcess {
  const c = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  sleepers.push(c);
  return c;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function workspace(endpoints: unknown): string {
  const ws = mkdtempSync(path.join(tmp, 'ws-'));
  mkdirSync(path.join(ws, '.sagemaker-hf'), { recursive: true });
  writeFileSync(
    path.join(ws, '.sagemaker-hf', 'endpoints.json'),
    typeof endpoints === 'string' ? endpoints : JSON.stringify(endpoints),
  );
  return ws;
}

const record = (name: string, pid: number, extra: Record<string, unknown> = {}) => ({
  name,
  url: 'http://127.0.0.1:9',
  port: 9,
  pid,
  model: '/nowhere',
  python: 'python3',
  logFile: '/dev/null',
  startedAt: new Date().toISOString(),
  local: true,
  ...extra,
});

test('endpoints.json decides no kill: a crafted pid, pid 0 and a reused pid are stale records, dropped, nothing signalled', async () => {
  const victim = unrelated();
  await new Promise((r) => setTimeout(r, 100));
  const proof = processProof(victim.pid!)!;
  assert.ok(proof, 'the platform gives a start time and command line');
  const records = {
    crafted: record('crafted', victim.pid!),
    zero: record('zero', 0),
    reused: record('reused', victim.pid!, { processStart: proof.start, processCommand: 'python3 serve.py --model m' }),
  };
  for (const [name, why] of [
    ['crafted', /no start time and command line/],
    ['zero', /pid 0 is not a server's/],
    ['reused', /another program now/],
  ] as const) {
    const ws = workspace({ endpoints: [records[name]] });
    const r = await cli(['delete', name], ws);
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.out,
      new RegExp(`local endpoint ${name}: the record is stale \\(.*\\); dropped it and signalled nothing`),
    );
    assert.match(r.out, why);
    assert.ok(alive(victim.pid!), `the unrelated process survived delete ${name}`);
    const left = JSON.parse(readFileSync(path.join(ws, '.sagemaker-hf', 'endpoints.json'), 'utf8')) as {
      endpoints: unknown[];
    };
    assert.deepEqual(left.endpoints, [], 'the stale record dropped');
  }
});

test('a record proven by start time and command line is stopped (its whole group)', async () => {
  const server = unrelated();
  await new Promise((r) => setTimeout(r, 100));
  const proof = processProof(server.pid!)!;
  const ws = workspace({
    endpoints: [record('ours', server.pid!, { processStart: proof.start, processCommand: proof.command })],
  });
  const exited = new Promise((r) => server.on('exit', r));
  const r = await cli(['delete', 'ours'], ws);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Stopped local endpoint ours/);
  await exited;
  assert.equal(alive(server.pid!), false);
});

test('a corrupt endpoints.json never blocks deleting a SageMaker endpoint: the file and what was skipped are said', async () => {
  for (const body of ['{"endpoints": {}}', '{"endpoints": [', '[1,2]']) {
    const ws = workspace(body);
    const r = await cli(['delete', 'sm-endpoint', '--yes'], ws);
    assert.doesNotMatch(r.out, /is not a function|TypeError/, r.out);
    assert.match(
      r.out,
      /endpoints\.json (is not valid JSON|has no "endpoints" list).*local endpoints were skipped/,
      r.out,
    );
    assert.match(r.out, /sm-endpoint/, 'the SageMaker delete ran and answered about the endpoint');
    assert.equal(readFileSync(path.join(ws, '.sagemaker-hf', 'endpoints.json'), 'utf8'), body, 'left as it was');
  }
});

test('a truncated job.json is reported with its file and skipped; the other jobs are listed', async () => {
  const ws = mkdtempSync(path.join(tmp, 'jobs-'));
  const jobs = path.join(ws, '.sagemaker-hf', 'jobs');
  mkdirSync(path.join(jobs, 'good'), { recursive: true });
  mkdirSync(path.join(jobs, 'cut'), { recursive: true });
  writeFileSync(
    path.join(jobs, 'good', 'job.json'),
    JSON.stringify({ jobName: 'good', createdAt: '2026-01-01T00:00:00Z', status: 'Completed' }),
  );
  writeFileSync(path.join(jobs, 'cut', 'job.json'), '{"jobName": "cut", "createdAt": "2026-01-');
  const notes: string[] = [];
  const listed = await listLocalJobs(ws, (l) => notes.push(l));
  assert.deepEqual(
    listed.map((j) => j.jobName),
    ['good'],
  );
  assert.equal(notes.length, 1);
  assert.match(notes[0]!, /jobs\/cut\/job\.json is unreadable \(.*\); local job cut was skipped/);
});
