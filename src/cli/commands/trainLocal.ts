// sagemaker-hf train --target local: prepares the spec's dataset on this machine (no upload) and runs the
// entry point as the SageMaker container would (src/workflow/local/localTraining.ts), saying first what
// does not apply locally. --interrupt-after rehearses a spot interruption and says whether the script
// resumed; a script that did not resume fails the command, so a CI job can hold a script to it.
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { accuracyBesideBaseline, majorityBaseline } from '../../core/training/baseline';
import { parseMetricsLine, type MetricRecord } from '../../core/training/metrics';
import type { JobSpec } from '../../core/spec/spec';
import { prepareDataset } from '../../workflow/dataset/prepare';
import { LOCAL_DIR, runLocalTraining } from '../../workflow/local/localTraining';
import { rehearsalLine } from '../../workflow/local/spotRehearsal';
import { resolvePython, workspaceVenvDirs } from '../../workflow/local/pythonEnv';
import type { CliContext } from '../context';

export interface TrainLocalOptions {
  python?: string;
  workdir?: string;
  interruptAfter?: number;
  quiet: boolean;
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
    const py = await resolvePython({
      explicit: o.python,
      specPython: spec.training.pythonPath,
      specDir: path.dirname(spec.file),
      workspaceVenvs: workspaceVenvDirs(path.dirname(spec.file), path.dirname(workspaceDir)),
      venvDirs: [path.join(workspaceDir, LOCAL_DIR, 'venv')],
      signal: abort.signal,
    });
    ctx.stdout(
      `python   ${py.python} (Python ${py.version}, torch ${py.packages.torch}, transformers ${py.packages.transformers}, datasets ${py.packages.datasets})`,
    );
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
    const job = await runLocalTraining(spec, {
      python: py.python,
      pythonPackages: py.packages,
      channels: Object.fromEntries(Object.entries(prepared.channels).map(([c, x]) => [c, x.dir])),
      workspaceDir,
      labelNames: prepared.labelNames,
      signal: abort.signal,
      interruptAfterSeconds: o.interruptAfter,
      onLine: (l) => {
        const m = parseMetricsLine(l);
        if (m) Object.assign(metrics, m);
        // The notes and the rehearsal's lines are shown even with --quiet.
        if (!o.quiet || /^\[local\] (not applied|spot rehearsal)/.test(l)) ctx.stdout(`    ${l}`);
      },
    });
    ctx.stdout(`\nLocal training ${job.jobName} ${job.status}`);
    if (metrics.eval_accuracy !== undefined)
      ctx.stdout(`  accuracy   ${accuracyBesideBaseline(metrics.eval_accuracy, majorityBaseline(prepared.report))}`);
    ctx.stdout(`  job folder ${job.jobDir}`);
    ctx.stdout(`  model      ${job.modelArtifact}`);
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
