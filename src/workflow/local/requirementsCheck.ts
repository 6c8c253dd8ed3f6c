// The container runs `pip install -r requirements.txt` from sourceDir before the script; locally nothing
// installs it, so a missing or too old package would only show in the cloud. This asks the chosen Python,
// in one subprocess and without installing anything, which lines of the file it does not satisfy; installs
// them when asked; and asks pip whether the spec's library versions can be installed on that Python.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CancelledError, UserError } from '../../core/errors';
import { readPipDryRun, type PinnedPackage, type VersionAvailability } from '../../core/training/localDifferences';
import { runCollect, spawnGroup } from './processGroup';

// importlib.metadata for the installed versions; `packaging` (which pip vendors and most environments
// have) for the specifiers, else only presence is checked. Lines pip reads but are not requirements
// (-r, --index-url, URLs, editable installs) are skipped.
const PROBE = `
import json, re, sys
from importlib import metadata
try:
    from packaging.requirements import Requirement
except ImportError:
    Requirement = None
out = []
for raw in open(sys.argv[1], encoding="utf-8"):
    line = raw.split(" #")[0].strip()
    if not line or line.startswith(("#", "-", "git+", "http:", "https:", "file:")):
        continue
    if Requirement:
        try:
            req = Requirement(line)
        except Exception:
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        name, spec = req.name, req.specifier
    else:
        name, spec = re.split(r"[<>=!~;\\[ ]", line, 1)[0], None
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        out.append("%s (not installed)" % line)
        continue
    if spec is not None and not spec.contains(have, prereleases=True):
        out.append("%s (has %s)" % (line, have))
print(json.dumps(out))
`;

/** Unsatisfied lines of sourceDir/requirements.txt ("pkg>=2 (has 1.0)"); [] when none or no file. */
export async function unsatisfiedRequirements(
  python: string,
  sourceDir: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const file = path.join(sourceDir, 'requirements.txt');
  if (!existsSync(file)) return [];
  const r = await runCollect(python, ['-c', PROBE, file], { signal, timeoutMs: 30_000 });
  if (r.code !== 0) return [`could not be checked (${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.code}`})`];
  try {
    return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
  } catch {
    return [];
  }
}

export interface PipRunOptions {
  signal?: AbortSignal;
  /** pip's output, line by line. */
  onLine?: (line: string) => void;
  /** The environment pip runs with (default: this process's, so PIP_INDEX_URL and the like apply). */
  env?: NodeJS.ProcessEnv;
}

/**
 * `python -m pip install -r sourceDir/requirements.txt`, as the container runs it before the script.
 * The caller decides whose Python this is: the tool installs unasked only into its own environment.
 */
export async function installRequirements(python: string, file: string, o: PipRunOptions = {}): Promise<void> {
  const args = ['-m', 'pip', 'install', '--progress-bar', 'off', '-r', file];
  o.onLine?.(`$ ${python} ${args.join(' ')}`);
  const p = spawnGroup(python, args, {
    signal: o.signal,
    onLine: (l) => o.onLine?.(l),
    env: { ...(o.env ?? process.env), PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' },
  });
  const r = await p.exited;
  if (o.signal?.aborted) throw new CancelledError();
  if (r.code !== 0)
    throw new UserError(
      `installing ${file} into ${python} failed: pip exited with ${r.code ?? r.signal} (see pip's output above)`,
    );
}

/** How long one version probe may take: a resolution against the index, no download of the package's files. */
export const VERSION_PROBE_TIMEOUT_MS = 60_000;

/**
 * Asks the chosen Python's pip whether each pinned version can be installed on it
 * (`pip install --dry-run --no-deps --ignore-installed pkg==want`: a resolution, nothing installed), one
 * package at a time so each answer names its own reason. PIP_RETRIES=0 so an unreachable index answers
 * at once instead of after pip's retries.
 */
export async function probeVersions(
  python: string,
  wanted: { pkg: PinnedPackage; want: string }[],
  o: { signal?: AbortSignal; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<VersionAvailability[]> {
  const out: VersionAvailability[] = [];
  for (const { pkg, want } of wanted) {
    const r = await runCollect(
      python,
      ['-m', 'pip', 'install', '--dry-run', '--no-deps', '--ignore-installed', '--quiet', `${pkg}==${want}`],
      {
        signal: o.signal,
        timeoutMs: o.timeoutMs ?? VERSION_PROBE_TIMEOUT_MS,
        // No retries and a short socket timeout: an index that does not answer is said at once.
        env: {
          ...(o.env ?? process.env),
          PIP_RETRIES: '0',
          PIP_TIMEOUT: '10',
          PIP_DEFAULT_TIMEOUT: '10',
          PIP_DISABLE_PIP_VERSION_CHECK: '1',
        },
      },
    );
    if (o.signal?.aborted) throw new CancelledError();
    const timeout = (o.timeoutMs ?? VERSION_PROBE_TIMEOUT_MS) / 1000;
    out.push(
      r.code === null
        ? { pkg, want, installable: undefined, reason: `could not be checked (pip did not answer within ${timeout} s)` }
        : readPipDryRun(pkg, want, r),
    );
  }
  return out;
}
