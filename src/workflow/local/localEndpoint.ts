// Local endpoint: training-scripts/serve.py serving a trained model folder or model.tar.gz on a loopback
// port with the SageMaker inference container contract. A registry in the workspace
// (.sagemaker-hf/endpoints.json) lets the tree, `delete` and a later CLI run find and stop it.
//
// The server writes to a log file rather than a pipe so it can outlive the process that started it
// (`run --keep-endpoint`, or the endpoint tree after the editor reloads).
//
// Each server gets a random token of its own (SAGEMAKER_HF_LOCAL_TOKEN), kept with its record: serve.py
// answers /invocations only with it in X-SageMaker-HF-Token, so nothing else on the machine (a web page
// in the user's browser included) can use the endpoint.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CancelledError, UserError } from '../../core/errors';
import { groupAlive, killGroup, processProof, trackGroup, unprovenGroup } from './processGroup';
import { LOCAL_DIR } from './localTraining';

export interface LocalEndpointRecord {
  name: string;
  url: string;
  port: number;
  pid: number;
  model: string;
  jobName?: string;
  labelNames?: string[];
  python: string;
  logFile: string;
  startedAt: string;
  local: true;
  /** The server process's start time and command line, recorded at start; compared before any signal. */
  processStart?: string;
  processCommand?: string;
  /** Sent as X-SageMaker-HF-Token on /invocations; absent in records written before tokens existed. */
  token?: string;
}

/** A line about the registry itself: a corrupt file, a stale record dropped. */
export type RegistryNote = (message: string, record?: LocalEndpointRecord) => void;

/** The header serve.py requires on /invocations, and the variable it reads the token from. */
export const LOCAL_TOKEN_HEADER = 'X-SageMaker-HF-Token';
const LOCAL_TOKEN_ENV = 'SAGEMAKER_HF_LOCAL_TOKEN';

export interface LocalEndpoint extends LocalEndpointRecord {
  /** Ends the server's process group and removes it from the registry. */
  stop(): Promise<void>;
}

export interface StartLocalEndpointOptions {
  python: string;
  /** A model folder or model.tar.gz. */
  model: string;
  workspaceDir: string;
  /** training-scripts/serve.py */
  serveScript: string;
  name?: string;
  jobName?: string;
  labelNames?: string[];
  /** 0 (default) = a free port. */
  port?: number;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** How long the model may take to load. */
  readyTimeoutMs?: number;
  /** Let the server outlive this Node process (it stays in the registry until deleted). */
  keepAfterExit?: boolean;
  /** transformers version of the inference image the spec deploys: serve.py answers as that image where it can. */
  imageTransformers?: string;
}

const registryFile = (ws: string) => path.join(ws, LOCAL_DIR, 'endpoints.json');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The registry's records. A workspace file is untrusted input: a file that is not JSON, or entries
 * without a name and url, are reported (file and what was skipped) and skipped; nothing here throws.
 */
async function readRegistry(
  ws: string,
  onNote?: RegistryNote,
): Promise<{ records: LocalEndpointRecord[]; corrupt: boolean }> {
  const file = registryFile(ws);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { records: [], corrupt: false };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    onNote?.(`${file} is not valid JSON (${(err as Error).message}); its local endpoints were skipped`);
    return { records: [], corrupt: true };
  }
  const list = (data as { endpoints?: unknown } | null)?.endpoints;
  if (!Array.isArray(list)) {
    onNote?.(`${file} has no "endpoints" list; its local endpoints were skipped`);
    return { records: [], corrupt: true };
  }
  const records = list.filter(
    (e): e is LocalEndpointRecord =>
      !!e &&
      typeof e === 'object' &&
      typeof (e as LocalEndpointRecord).name === 'string' &&
      typeof (e as LocalEndpointRecord).url === 'string',
  );
  if (records.length !== list.length)
    onNote?.(
      `${file}: skipped ${list.length - records.length} entr${list.length - records.length === 1 ? 'y' : 'ies'} without a name and url`,
    );
  return { records, corrupt: records.length !== list.length };
}

async function writeRegistry(ws: string, endpoints: LocalEndpointRecord[]): Promise<void> {
  const file = registryFile(ws);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify({ endpoints }, null, 2) + '\n');
  await rename(`${file}.tmp`, file);
}

/** Why the record's pid may not be signalled (see unprovenGroup), or undefined when it is our server. */
function staleReason(e: LocalEndpointRecord): string | undefined {
  return unprovenGroup(e.pid, { start: e.processStart, command: e.processCommand });
}

/**
 * Endpoints whose server is still running, proven to be the server this tool started. Records of dead
 * servers are dropped; so are records whose pid is now another process (said through onNote). A corrupt
 * file is reported and left as it is.
 */
export async function listLocalEndpoints(workspaceDir: string, onNote?: RegistryNote): Promise<LocalEndpointRecord[]> {
  const { records: all, corrupt } = await readRegistry(workspaceDir, onNote);
  const alive = all.filter((e) => {
    const why = staleReason(e);
    if (why && !/^no process \d+ is running$/.test(why))
      onNote?.(`local endpoint ${e.name}: the record is stale (${why}); dropped it and signalled nothing`, e);
    return !why;
  });
  if (alive.length !== all.length && !corrupt) await writeRegistry(workspaceDir, alive);
  return alive;
}

async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  if (pid <= 1 || !groupAlive(pid)) return;
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
  if (groupAlive(pid)) {
    killGroup(pid, 'SIGKILL');
    while (groupAlive(pid)) await sleep(50);
  }
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

/** The token of the registered endpoint at `url`, for callers that know only its URL. */
export async function localEndpointToken(workspaceDir: string, url: string): Promise<string | undefined> {
  return (await readRegistry(workspaceDir)).records.find((e) => sameUrl(e.url, url))?.token;
}

/**
 * Stops a registered local endpoint by name or URL, after proving its pid is still that server; a record
 * that fails the proof is dropped without a signal and its reason returned as `stale`.
 */
export async function stopLocalEndpoint(
  workspaceDir: string,
  nameOrUrl: string,
  onNote?: RegistryNote,
): Promise<{ found: boolean; stale?: string }> {
  const { records: all, corrupt } = await readRegistry(workspaceDir, onNote);
  const norm = (u: string) => u.replace(/\/+$/, '');
  const hit = all.find((e) => e.name === nameOrUrl || norm(e.url) === norm(nameOrUrl));
  if (!hit) return { found: false };
  const why = staleReason(hit);
  // A server that is gone needs no signal: its record is simply dropped.
  const stale = why && !/^no process \d+ is running$/.test(why) ? why : undefined;
  if (!why) {
    await stopPid(hit.pid);
    trackGroup(hit.pid, false);
  }
  if (!corrupt)
    await writeRegistry(
      workspaceDir,
      (await readRegistry(workspaceDir)).records.filter(
        (e) => e !== hit && !(e.name === hit.name && e.pid === hit.pid),
      ),
    );
  return stale ? { found: true, stale } : { found: true };
}

async function tailOf(file: string, n = 5): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .slice(-n);
  } catch {
    return [];
  }
}

async function ping(url: string, signal?: AbortSignal): Promise<number> {
  try {
    const r = await fetch(`${url}/ping`, {
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(5000)]) : AbortSignal.timeout(5000),
    });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Starts serve.py and waits until /ping answers 200. Nothing is left running if this throws. */
export async function startLocalEndpoint(opts: StartLocalEndpointOptions): Promise<LocalEndpoint> {
  if (!existsSync(opts.model)) throw new UserError(`deploying locally failed: model ${opts.model} does not exist`);
  if (!existsSync(opts.serveScript)) throw new UserError(`deploying locally failed: ${opts.serveScript} is missing`);
  if (opts.signal?.aborted) throw new CancelledError();
  const port = opts.port ?? 0;
  const logDir = path.join(opts.workspaceDir, LOCAL_DIR, 'endpoints');
  await mkdir(logDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logFile = path.join(logDir, `${opts.name ?? opts.jobName ?? 'endpoint'}-${stamp}.log`);
  const fd = openSync(logFile, 'a');
  const token = randomBytes(32).toString('base64url');
  const say = opts.onLine ?? (() => {});
  let child;
  try {
    child = spawn(
      opts.python,
      [
        opts.serveScript,
        '--model',
        opts.model,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        ...(opts.imageTransformers ? ['--image-transformers', opts.imageTransformers] : []),
      ],
      {
        cwd: path.dirname(opts.serveScript),
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, PYTHONUNBUFFERED: '1', [LOCAL_TOKEN_ENV]: token },
      },
    );
  } finally {
    closeSync(fd);
  }
  let spawnError: NodeJS.ErrnoException | undefined;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('error', (e) => (spawnError = e));
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const pid = child.pid ?? -1;
  if (pid > 0) trackGroup(pid);
  const fail = async (msg: string): Promise<never> => {
    if (pid > 0) {
      await stopPid(pid, 2000);
      trackGroup(pid, false);
    }
    throw new UserError(msg);
  };
  say(`[local] starting ${opts.python} serve.py --model ${opts.model} --port ${port} (log: ${logFile})`);

  // 1. The port line, printed as soon as the socket is bound.
  let url: string | undefined,
    boundPort = 0;
  const readyBy = Date.now() + (opts.readyTimeoutMs ?? 300_000);
  while (!url) {
    if (opts.signal?.aborted) {
      await stopPid(pid, 2000);
      trackGroup(pid, false);
      throw new CancelledError();
    }
    if (spawnError)
      return fail(`deploying locally failed: cannot start ${opts.python}: ${spawnError.code ?? spawnError.message}`);
    const text = existsSync(logFile) ? await readFile(logFile, 'utf8') : '';
    const m = /\[serve\] listening port=(\d+) url=(\S+)/.exec(text);
    if (m) {
      boundPort = Number(m[1]);
      url = m[2]!;
      break;
    }
    if (exited) {
      const last = await tailOf(logFile);
      if (exited.code === 3)
        return fail(
          `deploying locally failed: port ${port} on 127.0.0.1 is already in use; choose another port (or 0 for a free one) or stop what uses it`,
        );
      return fail(
        `deploying locally failed: serve.py exited with ${exited.code ?? exited.signal} before listening: ${last.join(' | ')}`,
      );
    }
    if (Date.now() > readyBy) return fail('deploying locally failed: serve.py did not start listening in time');
    await sleep(100);
  }
  say(`[local] listening on ${url}; loading the model`);

  // 2. /ping 200 once the model is loaded (503 while loading).
  for (;;) {
    if (opts.signal?.aborted) {
      await stopPid(pid, 2000);
      trackGroup(pid, false);
      throw new CancelledError();
    }
    if (exited) {
      const last = await tailOf(logFile);
      const reason =
        last.find((l) => l.includes('[serve] error:'))?.replace(/^.*\[serve\] error:\s*/, '') ?? last.join(' | ');
      return fail(`deploying locally failed: the server ended with ${exited.code ?? exited.signal}: ${reason}`);
    }
    if ((await ping(url, opts.signal)) === 200) break;
    if (Date.now() > readyBy)
      return fail(
        `deploying locally failed: the model did not load within ${Math.round((opts.readyTimeoutMs ?? 300_000) / 1000)} s (log: ${logFile})`,
      );
    await sleep(250);
  }
  const record: LocalEndpointRecord = {
    name: opts.name ?? opts.jobName ?? `local-${boundPort}`,
    url,
    port: boundPort,
    pid,
    model: opts.model,
    jobName: opts.jobName,
    labelNames: opts.labelNames,
    python: opts.python,
    logFile,
    startedAt: new Date().toISOString(),
    local: true,
    token,
  };
  const proof = processProof(pid);
  if (proof) Object.assign(record, { processStart: proof.start, processCommand: proof.command });
  const registry = await readRegistry(opts.workspaceDir, say);
  if (registry.corrupt) {
    // Kept for the user to look at, not overwritten.
    const aside = `${registryFile(opts.workspaceDir)}.corrupt-${stamp}`;
    await rename(registryFile(opts.workspaceDir), aside);
    say(`[local] moved the unreadable registry aside to ${aside}`);
  }
  await writeRegistry(opts.workspaceDir, [
    ...(await listLocalEndpoints(opts.workspaceDir)).filter((e) => e.pid !== pid),
    record,
  ]);
  if (opts.keepAfterExit) {
    trackGroup(pid, false);
    child.unref();
  }
  say(`[local] endpoint ${record.name} in service at ${url}`);
  return {
    ...record,
    async stop() {
      // This process spawned it and still holds the child: no registry proof needed.
      const res = await stopLocalEndpoint(opts.workspaceDir, record.name);
      if ((!res.found || res.stale) && !exited) await stopPid(pid);
      trackGroup(pid, false);
    },
  };
}
