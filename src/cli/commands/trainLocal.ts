// sagemaker-hf train --target local: prepares the spec's dataset on this machine (no upload) and runs the
// entry point as the SageMaker container would (src/workflow/local/localTraining.ts), saying first what
// does not apply locally. --interrupt-after rehearses a spot interruption and says whether the script
// resumed; a script that did not resume fails the command, so a CI job can hold a script to it. Before
// training it checks sourceDir/requirements.txt (--install-requirements fills the tool's own environment)
// and the spec's library versions (--spec-versions trains in an environment with them, where pip can).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { accuracyBesideBaseline, majorityBaseline } from '../../core/training/baseline';
import { parseMetricsLine, type MetricRecord } from '../../core/training/metrics';
import type { JobSpec } from '../../core/spec/spec';
import { prepareDataset } from '../../workflow/dataset/prepare';
import { LOCAL_DIR, runLocalTraining } from '../../workflow/local/localTraining';
import { rehearsalLine } from '../../workflow/local/spotRehearsal';
import {
  checkPython,
  createVenv,
  describeSource,
  resolvePython,
  venvPython,
  workspaceVenvDirs,
  type PythonCheck,
} from '../../workflow/local/pythonEnv';
import { installRequirements, probeVersions, unsatisfiedRequirements } from '../../workflow/local/requirementsCheck';
import { requirementsAdvice, versionDifferences, versionsOffer } from '../../core/training/localDifferences';
import type { CliContext } from '../context';

export interface TrainLocalOptions {
  python?: string;
  workdir?: string;
  interruptAfter?: number;
  installRequirements?: boolean;
  specVersions?: boolean;
  quiet: boolean;
}

/**
 * When the Python's transformers/torch are not the spec's: asks pip whether the spec's can be installed
 * on it, and says so; with --spec-versions trains in an environment with them (made once, reused).
 */
async function specVersionsPython(
  spec: JobSpec,
  py: PythonCheck,
  workspaceDir: string,
  o: Pick<TrainLocalOptions, 'specVersions' | 'quiet'>,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<PythonCheck> {
  const diffs = versionDifferences(spec, py.packages);
  if (!diffs.length) return py;
  const offer = versionsOffer(diffs, await probeVersions(py.python, diffs, { signal }), py.version)!;
  if (!offer.pins || !offer.envName || !o.specVersions) {
    ctx.stdout(`versions ${offer.line}${offer.pins ? '; add --spec-versions to train in one' : ''}`);
    return py;
  }
  const venvDir = path.join(workspaceDir, LOCAL_DIR, 'venvs', offer.envName);
  const existing = await checkPython({ python: venvPython(venvDir), source: 'venv' }, signal);
  if (existing && !existing.missing.length && !versionDifferences(spec, existing.packages).length) {
    ctx.stdout(`versions the spec's ${offer.pins.join(', ')}: using ${venvDir}`);
    return existing;
  }
  ctx.stdout(`versions ${offer.line}; creating ${venvDir}`);
  const reqs = path.join(spec.training.sourceDir, 'requirements.txt');
  return createVenv({
    venvDir,
    // dist/cli.js -> training-scripts/ of this installation: what train.py and serve.py need.
    requirements: path.resolve(__dirname, '..', 'training-scripts', 'requirements.txt'),
    extraArgs: [...(existsSync(reqs) ? ['-r', reqs] : []), ...offer.pins],
    basePython: py.python,
    signal,
    onLine: (l) => !o.quiet && ctx.stdout(`    [pip] ${l}`),
  });
}

/**
 * The container pip-installs sourceDir/requirements.txt before the script. With --install-requirements
 * the tool does the same, but only into its own environment: a user's interpreter is never changed by
 * this tool (the note names the command to run there).
 */
async function meetRequirements(
  spec: JobSpec,
  py: PythonCheck,
  o: Pick<TrainLocalOptions, 'installRequirements' | 'quiet'>,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<void> {
  const file = path.join(spec.training.sourceDir, 'requirements.txt');
  const unmet = await unsatisfiedRequirements(py.python, spec.training.sourceDir, signal);
  if (!unmet.length || unmet[0]!.startsWith('could not be checked')) return;
  const advice = requirementsAdvice({ python: py.python, file, unmet, ownEnvironment: py.source === 'venv' });
  if (!o.installRequirements) {
    if (advice.installHere) ctx.stdout(`needs    ${unmet.join(', ')}: add --install-requirements to pip-install them`);
    return;
  }
  if (!advice.installHere)
    throw new UserError(
      `--install-requirements installs only into the tool's own environment (DIR/.sagemaker-hf/venv), and ${py.python} is ${describeSource(py.source)}: install into it yourself (${advice.command}), or use --python DIR/.sagemaker-hf/venv/bin/python`,
      'install-requirements',
    );
  ctx.stdout(`install  ${unmet.join(', ')} into ${py.python}`);
  await installRequirements(py.python, file, { signal, onLine: (l) => !o.quiet && ctx.stdout(`    [pip] ${l}`) });
}

/**
 * What the container does to the Python before the script, for train and run --target local alike: the
 * spec's versions (an environment with them under --spec-versions), then sourceDir/requirements.txt
 * (installed into the tool's own environment under --install-requirements). Returns the Python to use.
 */
export async function localEnvironment(
  spec: JobSpec,
  py: PythonCheck,
  workspaceDir: string,
  o: Pick<TrainLocalOptions, 'installRequirements' | 'specVersions' | 'quiet'>,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<PythonCheck> {
  const chosen = await specVersionsPython(spec, py, workspaceDir, o, ctx, signal);
  if (chosen.python !== py.python) sayPython(ctx, chosen);
  await meetRequirements(spec, chosen, o, ctx, signal);
  return chosen;
}

/** The interpreter line both commands print. */
export function sayPython(ctx: CliContext, p: PythonCheck): void {
  ctx.stdout(
    `python   ${p.python} (Python ${p.version}, torch ${p.packages.torch}, transformers ${p.packages.transformers}, datasets ${p.packages.datasets})`,
  );
}

export async function trainLocal(spec: JobSpec, ctx: CliContext, o: TrainLocalOptions): Promise<number> {
  if (!spec.file) throw new UserError('train --target local needs a spec file');
  const workspaceDir = path.resolve(o.workdir ?? process.cwd());
  const abort = new AbortController();
  const onCtx = () => abort.abort();
  ctx.signal.addEventListener('abort', onCtx, { once: true });
  // SIGTERM/SIGHUP end it like Ctrl-C: the script's process group would otherwise outlive this process.
  process.on('SIGTERM', onCtx);
  process.on('SIGHUP', onCtx);
  try {
    let py = await resolvePython({
      explicit: o.python,
      specPython: spec.training.pythonPath,
      specDir: path.dirname(spec.file),
      workspaceVenvs: workspaceVenvDirs(path.dirname(spec.file), path.dirname(workspaceDir)),
      venvDirs: [path.join(workspaceDir, LOCAL_DIR, 'venv')],
      signal: abort.signal,
    });
    sayPython(ctx, py);
    py = await localEnvironment(spec, py, workspaceDir, o, ctx, abort.signal);
    const name = path.basename(spec.file).replace(/\.sagemaker-hf\.json$/, '');
    const prepared = await prepareDataset(spec, {
      outDir: path.join(workspaceDir, LOCAL_DIR, 'datasets', name),
      signal: abort.signal,
      hubToken: process.env.HF_TOKEN || undefined,
    });
    ctx.stdout(
      `dataset  ${Object.entries(prepared.channels)
        .map(([c, x]) => `${c} ${x.rows} rows`)
        .join(', ')} -> ${prepared.outDir}`,
    );
    const metrics: MetricRecord = {};
    // train.py's own line after a push (the rehearsal against HF_ENDPOINT), for the summary.
    let pushed: string | undefined;
    const job = await runLocalTraining(spec, {
      python: py.python,
      pythonPackages: py.packages,
      ownEnvironment: py.source === 'venv',
      channels: Object.fromEntries(Object.entries(prepared.channels).map(([c, x]) => [c, x.dir])),
      workspaceDir,
      labelNames: prepared.labelNames,
      signal: abort.signal,
      interruptAfterSeconds: o.interruptAfter,
      onLine: (l) => {
        const m = parseMetricsLine(l);
        if (m) Object.assign(metrics, m);
        pushed ??= /pushed the model, tokenizer and label names to the Hub: (.*)$/.exec(l)?.[1];
        // The notes and the rehearsal's lines are shown even with --quiet.
        if (!o.quiet || /^\[local\] (not applied|spot rehearsal)/.test(l)) ctx.stdout(`    ${l}`);
      },
    });
    ctx.stdout(`\nLocal training ${job.jobName} ${job.status}`);
    if (metrics.eval_accuracy !== undefined)
      ctx.stdout(`  accuracy   ${accuracyBesideBaseline(metrics.eval_accuracy, majorityBaseline(prepared.report))}`);
    ctx.stdout(`  job folder ${job.jobDir}`);
    ctx.stdout(`  model      ${job.modelArtifact}`);
    if (spec.training.pushToHub && process.env.HF_ENDPOINT)
      ctx.stdout(
        pushed
          ? `  hub        pushed to HF_ENDPOINT ${process.env.HF_ENDPOINT}: ${pushed}`
          : metrics['hub_push_failed']
            ? `  hub        the push to HF_ENDPOINT ${process.env.HF_ENDPOINT} failed (see the job's train.log); the job would keep its model.tar.gz as here`
            : `  hub        nothing was pushed to HF_ENDPOINT ${process.env.HF_ENDPOINT} (${spec.training.entryPoint} did not say so)`,
      );
    const r = job.spotRehearsal;
    if (r) {
      ctx.stdout(`  ${rehearsalLine(r)}`);
      if (r.resumed === false) return 1;
    }
    return 0;
  } finally {
    ctx.signal.removeEventListener('abort', onCtx);
    process.off('SIGTERM', onCtx);
    process.off('SIGHUP', onCtx);
  }
}
