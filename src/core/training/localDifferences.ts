// What a local run of a spec does not do that the SageMaker job would (or does differently), said before
// it starts: a job that works locally should not meet these for the first time on a billed instance.
import type { JobSpec } from '../spec/spec';

export interface LocalFacts {
  /** Versions the chosen Python has (null: not installed). */
  packages?: Partial<Record<'torch' | 'transformers', string | null>>;
  /** HF_ENDPOINT, when set: pushToHub is rehearsed against it. */
  hfEndpoint?: string;
  /** Where the local checkpoints folder is (the container's /opt/ml/checkpoints). */
  checkpointDir?: string;
}

/** One line per difference, each naming the spec field. Empty when the local run is the job's. */
export function localDifferences(spec: JobSpec, facts: LocalFacts = {}): string[] {
  const t = spec.training;
  const out: string[] = [];
  if (t.spot)
    out.push(
      `training.spot: no spot capacity locally, so nothing interrupts this run; rehearse an interruption with --interrupt-after SECONDS (or the "Rehearse Spot Interruption" CodeLens). Checkpoints go to ${facts.checkpointDir ?? 'the job folder'} (SM_HF_CHECKPOINT_DIR), the container's /opt/ml/checkpoints`,
    );
  if (t.keepAliveSeconds)
    out.push(
      `training.keepAliveSeconds ${t.keepAliveSeconds}: no warm pool locally (nothing is kept or billed after the run)`,
    );
  if (t.pushToHub)
    out.push(
      facts.hfEndpoint
        ? `training.pushToHub: rehearsed against HF_ENDPOINT ${facts.hfEndpoint} (repo ${t.pushToHub.repo}, token from HF_TOKEN), not the public Hub`
        : `training.pushToHub: not pushed from a local run (the job pushes ${t.pushToHub.repo} to the Hub); set HF_ENDPOINT to rehearse the push against a Hub of your own`,
    );
  if ((t.instanceCount ?? 1) > 1)
    out.push(
      `training.instanceCount ${t.instanceCount}: one process on this machine (the job runs ${t.instanceCount} hosts)`,
    );
  if (t.compiler === 'training-compiler')
    out.push(
      'training.compiler training-compiler: the compiler is in the container only; SM_FRAMEWORK_PARAMS says it is on, as there, but the model runs uncompiled here',
    );
  for (const d of facts.packages ? versionDifferences(spec, facts.packages) : [])
    out.push(
      d.have
        ? `training.${d.field} ${d.want}: this Python has ${d.pkg} ${d.have} (the container runs ${d.want})`
        : `training.${d.field} ${d.want}: this Python has no ${d.pkg}`,
    );
  return out;
}

/** A path or argument as a POSIX shell reads it: quoted only when it needs to be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The exact command that installs a requirements file into a Python. */
export function pipInstallCommand(python: string, args: string[]): string {
  return [python, '-m', 'pip', 'install', ...args].map(shellWord).join(' ');
}

export interface RequirementsAdvice {
  /** The note said before the run (what is missing, and the command that installs it). */
  line: string;
  command: string;
  /**
   * Whether the tool may offer to install into this Python: only into its own environment. A user's
   * interpreter is theirs: the offer there is the tool's own environment, or the command to run themselves.
   */
  installHere: boolean;
}

/** What to say and offer when the chosen Python does not satisfy sourceDir/requirements.txt. */
export function requirementsAdvice(o: {
  python: string;
  file: string;
  unmet: string[];
  ownEnvironment: boolean;
}): RequirementsAdvice {
  const command = pipInstallCommand(o.python, ['-r', o.file]);
  const whose = o.ownEnvironment ? 'the local environment' : 'your Python, so nothing is installed into it unasked';
  return {
    command,
    installHere: o.ownEnvironment,
    line: `${o.file}: the container pip-installs it before the script; ${o.python} does not satisfy ${o.unmet.join(', ')} (install with: ${command}; ${whose})`,
  };
}

export type PinnedPackage = 'transformers' | 'torch';

/** A library whose version in the chosen Python is not the spec's. */
export interface VersionDifference {
  field: 'transformersVersion' | 'pytorchVersion';
  pkg: PinnedPackage;
  want: string;
  /** null: not installed. */
  have: string | null;
}

/** The spec's library versions that the chosen Python does not have (a local label such as +cpu aside). */
export function versionDifferences(
  spec: JobSpec,
  packages: Partial<Record<PinnedPackage, string | null>>,
): VersionDifference[] {
  const out: VersionDifference[] = [];
  for (const [field, pkg] of [
    ['transformersVersion', 'transformers'],
    ['pytorchVersion', 'torch'],
  ] as const) {
    const want = spec.training[field];
    if (!want) continue;
    const have = packages[pkg] ?? null;
    if (!have || !sameVersion(have, want)) out.push({ field, pkg, want, have });
  }
  return out;
}

// PEP 440 pads releases with zeros (4.26 == 4.26.0) and ignores a local label (2.1.0+cpu) against a
// version without one: the same comparison pip makes for `pkg==want`.
function sameVersion(have: string, want: string): boolean {
  const parts = (v: string) => v.split('+')[0]!.split('.');
  const a = parts(have);
  const b = parts(want);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if ((a[i] ?? '0') !== (b[i] ?? '0')) return false;
  return true;
}

/** Whether pip can install one pinned version on the chosen Python, and why not. */
export type VersionAvailability =
  | { pkg: PinnedPackage; want: string; installable: true }
  | { pkg: PinnedPackage; want: string; installable: false; reason: string }
  | { pkg: PinnedPackage; want: string; installable: undefined; reason: string };

/**
 * Reads `pip install --dry-run --no-deps pkg==want`: exit 0 is installable; pip's own words say why not
 * (a Requires-Python that excludes this Python, known from the index or from the wheel itself; a version
 * the index does not have); anything else (no pip, no network) is "could not be checked".
 */
export function readPipDryRun(
  pkg: PinnedPackage,
  want: string,
  r: { code: number | null; stderr: string },
): VersionAvailability {
  if (r.code === 0) return { pkg, want, installable: true };
  const err = r.stderr;
  const wheel = /requires a different Python: (\S+) not in '([^']+)'/.exec(err);
  if (wheel) return { pkg, want, installable: false, reason: `${pkg} ${want} needs Python ${wheel[2]}` };
  // "Ignored the following versions that require a different python version: 4.26.0 Requires-Python >=3.7,<3.10; ..."
  const ignored = /require a different python version: (.*)/.exec(err);
  if (ignored) {
    for (const entry of ignored[1]!.split(';')) {
      const m = /^\s*(\S+) Requires-Python (.+?)\s*$/.exec(entry);
      if (m && sameVersion(m[1]!, want))
        return { pkg, want, installable: false, reason: `${pkg} ${want} needs Python ${m[2]}` };
    }
  }
  const versions = /\(from versions: ([^)]*)\)/.exec(err);
  if (versions) {
    const list = versions[1]!.trim();
    const has =
      list === 'none'
        ? 'none'
        : list
            .split(',')
            .map((v) => v.trim())
            .slice(-5)
            .join(', ');
    return {
      pkg,
      want,
      installable: false,
      reason: `the package index has no ${pkg} ${want} for this Python (it has ${has})`,
    };
  }
  const last = err
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('WARNING'))
    .at(-1);
  return { pkg, want, installable: undefined, reason: `could not be checked (${last ?? `exit ${r.code}`})` };
}

export interface VersionsOffer {
  /** pkg==want for each differing library, when pip can install every one of them on this Python. */
  pins?: string[];
  /** The folder name of such an environment (one per pair of versions). */
  envName?: string;
  /** One line: the offer, or why there is none and that the run goes on with the Python's versions. */
  line: string;
}

/** The decision: offer an environment with the spec's versions, or say plainly why there is none. */
export function versionsOffer(
  diffs: VersionDifference[],
  probes: VersionAvailability[],
  pythonVersion: string,
): VersionsOffer | undefined {
  if (!diffs.length) return undefined;
  const wanted = diffs.map((d) => `${d.pkg} ${d.want}`).join(' and ');
  const current = diffs.map((d) => (d.have ? `${d.pkg} ${d.have}` : `no ${d.pkg}`)).join(' and ');
  const probeOf = (d: VersionDifference) => probes.find((p) => p.pkg === d.pkg && p.want === d.want);
  const missing = diffs.map(
    (d) => probeOf(d) ?? { pkg: d.pkg, want: d.want, installable: undefined, reason: 'not checked' },
  );
  const blocked = missing.filter((p) => p.installable !== true) as Exclude<
    VersionAvailability,
    { installable: true }
  >[];
  if (!blocked.length) {
    const pins = diffs.map((d) => `${d.pkg}==${d.want}`);
    return {
      pins,
      envName: diffs.map((d) => `${d.pkg}-${d.want}`.replace(/[^\w.-]+/g, '_')).join('-'),
      line: `pip can install the spec's ${wanted} on Python ${pythonVersion}: an environment with them trains as the container would (this Python has ${current})`,
    };
  }
  const unchecked = blocked.every((p) => p.installable === undefined);
  return {
    line: unchecked
      ? `could not check whether pip can install the spec's ${wanted} on Python ${pythonVersion} (${blocked.map((p) => `${p.pkg}: ${p.reason}`).join('; ')}); the run goes on with ${current}`
      : `the spec's ${wanted} cannot be installed on this Python (${pythonVersion}): ${blocked
          .filter((p) => p.installable === false)
          .map((p) => p.reason)
          .join('; ')}; the run goes on with ${current}, so results may differ from the container's`,
  };
}
