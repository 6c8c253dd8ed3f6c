// Child processes that never outlive their owner: each runs in its own process group (detached), so
// stopping it ends everything it started (DataLoader workers, pip's builds, torch compile workers) with
// SIGTERM, then SIGKILL after a grace period. Output arrives line by line.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface GroupExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles when the process has exited and its output is drained. Never rejects. */
  readonly exited: Promise<GroupExit>;
  /** SIGTERM to the group, SIGKILL after graceMs; resolves once the leader has exited. */
  stop(graceMs?: number): Promise<GroupExit>;
}

export interface SpawnGroupOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each line of stdout and stderr, without its newline. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting stops the group. */
  signal?: AbortSignal;
}

/** Live groups of this Node process, stopped when it exits so that no child is ever left behind. */
const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of live) killGroup(pid, 'SIGKILL');
  });
}

/** Makes a process group this Node process did not spawn through spawnGroup end with it (or not). */
export function trackGroup(pid: number, tracked = true): void {
  installExitHook();
  if (tracked) live.add(pid);
  else live.delete(pid);
}

export function killGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of the group still exists (the leader may be gone while children linger). */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Spawns `cmd args` as the leader of a new process group. Throws (ENOENT…) only via `exited`/error event. */
export function spawnGroup(cmd: string, args: string[], opts: SpawnGroupOptions = {}): GroupProcess {
  installExitHook();
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? -1;
  if (pid > 0) live.add(pid);
  const splitter = (stream: 'stdout' | 'stderr') => {
    let buf = '';
    return {
      data(d: Buffer) {
        buf += d.toString('utf8');
        // \r: tqdm-style progress rewrites the line; show each state as its own line.
        const parts = buf.split(/\r?\n|\r/);
        buf = parts.pop() ?? '';
        for (const p of parts) opts.onLine?.(p, stream);
      },
      end() {
        if (buf) opts.onLine?.(buf, stream);
        buf = '';
      },
    };
  };
  const out = splitter('stdout'),
    err = splitter('stderr');
  child.stdout!.on('data', out.data);
  child.stderr!.on('data', err.data);
  const exited = new Promise<GroupExit>((resolve) => {
    let done = false;
    const finish = (r: GroupExit) => {
      if (done) return;
      done = true;
      out.end();
      err.end();
      live.delete(pid);
      // The leader is gone; anything it left in its group goes too.
      if (pid > 0) killGroup(pid, 'SIGKILL');
      resolve(r);
    };
    child.on('error', (e) => {
      opts.onLine?.(`${cmd}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, 'stderr');
      finish({ code: 127, signal: null });
    });
    child.on('close', (code, signal) => finish({ code, signal }));
  });
  let stopping: Promise<GroupExit> | undefined;
  const stop = (graceMs = 5000): Promise<GroupExit> => {
    stopping ??= (async () => {
      if (pid > 0) killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => pid > 0 && killGroup(pid, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    })();
    return stopping;
  };
  if (opts.signal) {
    if (opts.signal.aborted) void stop();
    else {
      const onAbort = () => void stop();
      opts.signal.addEventListener('abort', onAbort, { once: true });
      void exited.then(() => opts.signal!.removeEventListener('abort', onAbort));
    }
  }
  return { child, pid, exited, stop };
}

/** Runs to completion, collecting output; for short probes. */
export async function runCollect(
  cmd: string,
  args: string[],
  opts: Omit<SpawnGroupOptions, 'onLine'> & { timeoutMs?: number } = {},
): Promise<GroupExit & { stdout: string; stderr: string }> {
  let stdout = '',
    stderr = '';
  const p = spawnGroup(cmd, args, {
    ...opts,
    onLine: (l, s) => (s === 'stdout' ? (stdout += l + '\n') : (stderr += l + '\n')),
  });
  const timer = opts.timeoutMs ? setTimeout(() => void p.stop(1000), opts.timeoutMs) : undefined;
  const r = await p.exited;
  if (timer) clearTimeout(timer);
  return { ...r, stdout, stderr };
}

/**
 * What identifies a running process beyond its pid (which the system reuses): its start time and its
 * command line, plus the group it leads. Read from /proc on Linux, from `ps` elsewhere; undefined when
 * the process is gone or the system offers neither.
 */
export interface ProcessProof {
  /** Start time as the system reports it (clock ticks since boot on Linux, `ps` lstart elsewhere). */
  start: string;
  /** The command line, arguments joined by spaces. */
  command: string;
  /** The process group it belongs to. */
  group: number;
}

export function processProof(pid: number): ProcessProof | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    if (process.platform === 'linux') {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces and parentheses): state is field 3.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
      return { start: fields[19]!, command, group: Number(fields[2]) };
    }
    if (process.platform === 'win32') return undefined;
    const out = execFileSync('ps', ['-o', 'pgid=', '-o', 'lstart=', '-o', 'command=', '-p', String(pid)], {
      encoding: 'utf8',
      timeout: 5000,
    });
    const m = /^\s*(\d+)\s+(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/.exec(out.trim());
    return m ? { start: m[2]!, command: m[3]!, group: Number(m[1]) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why signalling the group of `pid` would not reach the process recorded as `expected` (a record in a
 * workspace file is untrusted input), or undefined when it would: never pid <= 1, never this process's
 * own group, and the live process must lead its group with the recorded start time and command line.
 */
export function unprovenGroup(pid: unknown, expected: { start?: unknown; command?: unknown }): string | undefined {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return `pid ${String(pid)} is not a server's`;
  const own = processProof(process.pid);
  if (pid === process.pid || (own && pid === own.group)) return `pid ${pid} is this process's own group`;
  const now = processProof(pid);
  if (!now && !groupAlive(pid)) return `no process ${pid} is running`;
  if (typeof expected.start !== 'string' || typeof expected.command !== 'string')
    return 'the record has no start time and command line to prove the process by';
  if (!now) return `process ${pid} cannot be identified on this system`;
  if (now.group !== pid) return `process ${pid} does not lead its own process group`;
  if (now.start !== expected.start || now.command !== expected.command)
    return `process ${pid} is another program now (its start time or command line differ from the record)`;
  return undefined;
}
