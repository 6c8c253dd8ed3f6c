// The Python that runs train.py and serve.py locally: found from an explicit choice, the setting, the
// spec, the editor's selected interpreter, a workspace virtual environment (.venv, venv, .cache/venv), a
// virtual environment we created, or python3 on PATH; each checked for torch + transformers + datasets
// in one short subprocess with a timeout; and created from training-scripts/requirements.txt when asked.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ActionableError, CancelledError, UserError, throwIfAborted, type ErrorAction } from '../../core/errors';
import { runCollect, spawnGroup } from './processGroup';

export type PythonSource = 'option' | 'setting' | 'spec' | 'interpreter' | 'workspace' | 'venv' | 'path';

export interface PythonCandidate {
  python: string;
  source: PythonSource;
}

export interface PythonCheck extends PythonCandidate {
  version: string;
  packages: Record<'torch' | 'transformers' | 'datasets', string | null>;
  cuda: boolean;
  missing: string[];
}

const REQUIRED = ['torch', 'transformers', 'datasets'] as const;

/** A Python was found but lacks what training needs; the UI offers to create an environment. */
export class PythonPackagesMissingError extends UserError {
  constructor(readonly check: PythonCheck) {
    super(
      `Python at ${check.python} (${describeSource(check.source)}) lacks ${check.missing.join(', ')}: create the local environment ` +
        `(SageMaker HF: Create Local Python Environment, or: ${check.python} -m pip install -r training-scripts/requirements.txt), or choose another Python`,
      'pythonPath',
    );
  }
}

export function describeSource(s: PythonSource): string {
  return {
    option: '--python',
    setting: 'setting sagemakerHf.pythonPath',
    spec: 'spec training.pythonPath',
    interpreter: "the editor's selected Python interpreter",
    workspace: 'a virtual environment in the workspace',
    venv: 'the local environment',
    path: 'python3 on PATH',
  }[s];
}

export function venvPython(venvDir: string): string {
  return process.platform === 'win32'
    ? path.join(venvDir, 'Scripts', 'python.exe')
    : path.join(venvDir, 'bin', 'python');
}

export interface FindPythonOptions {
  /** An explicit choice (CLI --python); never falls back to another one. */
  explicit?: string;
  setting?: string;
  specPython?: string;
  /** The spec file's folder: a relative training.pythonPath is relative to it. */
  specDir?: string;
  /** The interpreter the editor's Python extension has selected (or python.defaultInterpreterPath). */
  interpreter?: string;
  /** Virtual environments found in the workspace (see workspaceVenvDirs), in order of preference. */
  workspaceVenvs?: string[];
  /** Virtual environments the extension may have created, in order of preference. */
  venvDirs?: string[];
  /** How long one candidate's check may take (a hung interpreter must not stall the start). */
  probeTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Folder names that hold a project's virtual environment, most common first. */
export const WORKSPACE_VENV_NAMES = ['.venv', 'venv', path.join('.cache', 'venv')];

/**
 * Virtual environments beside the spec: WORKSPACE_VENV_NAMES in the spec's folder and each folder above
 * it, up to and including `top` (the workspace folder's parent: a workspace opened on a repository's
 * examples/ uses the repository's environment). Only folders that hold a Python are returned.
 */
export function workspaceVenvDirs(from: string, top: string): string[] {
  const out: string[] = [];
  let dir = path.resolve(from);
  const stop = path.resolve(top);
  for (;;) {
    for (const n of WORKSPACE_VENV_NAMES) {
      const d = path.join(dir, n);
      if (existsSync(venvPython(d)) && !out.includes(d)) out.push(d);
    }
    const up = path.dirname(dir);
    if (dir === stop || up === dir || !(dir + path.sep).startsWith(stop + path.sep)) break;
    dir = up;
  }
  return out;
}

/** The ordered candidates: the first configured one wins; a configured one that is missing is an error. */
export function pythonCandidates(opts: FindPythonOptions): PythonCandidate[] {
  // A path (not a bare command name) is made absolute: the scripts run with another working folder.
  const abs = (p: string, base?: string) => (/[\\/]/.test(p) ? path.resolve(base ?? process.cwd(), p) : p);
  const configured: PythonCandidate[] = [];
  if (opts.explicit) configured.push({ python: abs(opts.explicit), source: 'option' });
  else if (opts.setting) configured.push({ python: abs(opts.setting), source: 'setting' });
  else if (opts.specPython) configured.push({ python: abs(opts.specPython, opts.specDir), source: 'spec' });
  if (configured.length) return configured;
  const out: PythonCandidate[] = [];
  const add = (c: PythonCandidate) => {
    if (!out.some((o) => o.python === c.python)) out.push(c);
  };
  if (opts.interpreter) add({ python: abs(opts.interpreter), source: 'interpreter' });
  for (const d of opts.workspaceVenvs ?? [])
    if (existsSync(venvPython(d))) add({ python: venvPython(d), source: 'workspace' });
  for (const d of opts.venvDirs ?? []) if (existsSync(venvPython(d))) add({ python: venvPython(d), source: 'venv' });
  add({ python: 'python3', source: 'path' });
  if (process.platform === 'win32') add({ python: 'python', source: 'path' });
  return out;
}

// One subprocess: interpreter version and the versions of the packages train.py needs (import-free
// lookup through importlib.metadata keeps this under a second even with torch installed).
const PROBE = `
import json, sys
from importlib import metadata, util
out = {"version": sys.version.split()[0], "packages": {}, "cuda": False}
for name in ("torch", "transformers", "datasets"):
    try:
        out["packages"][name] = metadata.version(name) if util.find_spec(name) else None
    except Exception:
        out["packages"][name] = None
import shutil
out["cuda"] = shutil.which("nvidia-smi") is not None
print("SAGEMAKER_HF_PROBE " + json.dumps(out))
`;

/** How long one interpreter may take to answer the probe (it imports nothing heavy: well under a second). */
export const PROBE_TIMEOUT_MS = 10_000;

/** Runs the probe; undefined when the interpreter does not start at all or does not answer in time. */
export async function checkPython(
  c: PythonCandidate,
  signal?: AbortSignal,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<PythonCheck | undefined> {
  const r = await runCollect(c.python, ['-c', PROBE], {
    signal,
    timeoutMs,
    env: { ...process.env, PYTHONNOUSERSITE: process.env.PYTHONNOUSERSITE },
  });
  throwIfAborted(signal);
  const line = r.stdout.split('\n').find((l) => l.startsWith('SAGEMAKER_HF_PROBE '));
  if (!line) return undefined;
  const p = JSON.parse(line.slice('SAGEMAKER_HF_PROBE '.length)) as Omit<PythonCheck, 'python' | 'source' | 'missing'>;
  return { ...c, ...p, missing: REQUIRED.filter((k) => !p.packages[k]) };
}

/**
 * Finds a Python with torch, transformers and datasets. Throws a UserError saying which Python was
 * tried and why it does not do: none found, or found without the packages (PythonPackagesMissingError).
 */
export async function resolvePython(opts: FindPythonOptions): Promise<PythonCheck> {
  const candidates = pythonCandidates(opts);
  let firstWithoutPackages: PythonCheck | undefined;
  const notStarting: PythonCandidate[] = [];
  for (const c of candidates) {
    const check = await checkPython(c, opts.signal, opts.probeTimeoutMs);
    if (!check) {
      notStarting.push(c);
      continue;
    }
    if (check.missing.length === 0) return check;
    firstWithoutPackages ??= check;
  }
  if (firstWithoutPackages) throw new PythonPackagesMissingError(firstWithoutPackages);
  const configured = candidates.length === 1 && candidates[0]!.source !== 'path' ? candidates[0]! : undefined;
  if (configured) {
    throw new UserError(
      `Python not found: ${configured.python} (${describeSource(configured.source)}) does not run; fix the path, or clear it to use the local environment`,
      configured.source === 'spec' ? 'training.pythonPath' : 'pythonPath',
    );
  }
  throw new NoPythonError(notStarting);
}

/** No candidate runs at all; the UI offers Select Python / Create Environment. */
export class NoPythonError extends UserError {
  constructor(readonly tried: PythonCandidate[]) {
    super(
      `no Python found (tried ${tried.map((c) => c.python).join(', ')}): install Python 3.9 or newer, or set sagemakerHf.pythonPath`,
      'pythonPath',
    );
  }
}

/** Both buttons fix what stopped the command (no usable Python), so it resumes once either succeeds. */
const PYTHON_FIXES: readonly ErrorAction[] = [
  { title: 'Select Python', command: 'sagemakerHf.selectPython', resume: true },
  { title: 'Create Environment', command: 'sagemakerHf.createPythonEnvironment', resume: true },
];

/**
 * No Python will do: the error the editor shows with Select Python / Create Environment, each resuming the
 * command that asked. Other errors (a cancel, a configured path that does not run) are returned as they are.
 */
export function withPythonFixes(err: unknown): unknown {
  if (!(err instanceof PythonPackagesMissingError) && !(err instanceof NoPythonError)) return err;
  return new ActionableError(`No Python with torch and transformers: ${err.message}`, err.field, [...PYTHON_FIXES]);
}

export interface CreateVenvOptions {
  venvDir: string;
  /** training-scripts/requirements.txt */
  requirements: string;
  /** More for pip install after `-r requirements` (another -r FILE, pins such as transformers==4.26.0). */
  extraArgs?: string[];
  /** The interpreter that creates the venv (python3 on PATH by default). */
  basePython?: string;
  signal?: AbortSignal;
  /** pip's output, line by line. */
  onLine?: (line: string) => void;
}

/**
 * Creates (or completes) a virtual environment with the training requirements. pip's own settings from
 * the environment (PIP_INDEX_URL, PIP_RETRIES, …) apply. A failed or cancelled creation removes the
 * half-made environment, so it is never mistaken for a working one.
 */
export async function createVenv(opts: CreateVenvOptions): Promise<PythonCheck> {
  const say = opts.onLine ?? (() => {});
  if (!existsSync(opts.requirements)) throw new UserError(`requirements file not found: ${opts.requirements}`);
  const existed = existsSync(venvPython(opts.venvDir));
  const base = opts.basePython ?? (process.platform === 'win32' ? 'python' : 'python3');
  const run = async (cmd: string, args: string[], what: string) => {
    say(`$ ${[cmd, ...args].join(' ')}`);
    const p = spawnGroup(cmd, args, {
      signal: opts.signal,
      onLine: (l) => say(l),
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' },
    });
    const r = await p.exited;
    if (opts.signal?.aborted) throw new CancelledError();
    if (r.code === 127)
      throw new UserError(
        `${what} failed: ${cmd} not found; install Python 3.9 or newer, or set sagemakerHf.pythonPath`,
      );
    if (r.code !== 0)
      throw new UserError(`${what} failed: ${cmd} exited with ${r.code ?? r.signal} (see the output above)`);
  };
  try {
    await mkdir(path.dirname(opts.venvDir), { recursive: true });
    if (!existed) await run(base, ['-m', 'venv', opts.venvDir], 'creating the virtual environment');
    await run(
      venvPython(opts.venvDir),
      ['-m', 'pip', 'install', '--progress-bar', 'off', '-r', opts.requirements, ...(opts.extraArgs ?? [])],
      'installing the training requirements',
    );
  } catch (err) {
    if (!existed) await rm(opts.venvDir, { recursive: true, force: true });
    throw err;
  }
  const check = await checkPython({ python: venvPython(opts.venvDir), source: 'venv' }, opts.signal);
  if (!check || check.missing.length)
    throw new UserError(
      `the new environment at ${opts.venvDir} still lacks ${check?.missing.join(', ') ?? 'a working Python'}`,
    );
  await writeFile(path.join(opts.venvDir, '.sagemaker-hf-requirements'), opts.requirements + '\n');
  say(
    `environment ready: ${check.python} (Python ${check.version}, torch ${check.packages.torch}, transformers ${check.packages.transformers}, datasets ${check.packages.datasets})`,
  );
  return check;
}
