// Runs the built CLI (dist/cli.js) as a user would and hands back its exit code and output, whether it
// succeeded or not, for tests that assert on a failing command's message as much as on a passing one's.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const execFileP = promisify(execFile);

export async function runCli(
  cli: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  try {
    const r = await execFileP(process.execPath, [cli, ...args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      maxBuffer: 64 << 20,
      timeout: opts.timeoutMs ?? 600_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
