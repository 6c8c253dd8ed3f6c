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
  for (const [field, pkg] of [
    ['transformersVersion', 'transformers'],
    ['pytorchVersion', 'torch'],
  ] as const) {
    const want = t[field];
    if (!want || !facts.packages) continue;
    const have = facts.packages[pkg];
    if (!have) out.push(`training.${field} ${want}: this Python has no ${pkg}`);
    else if (have.split('+')[0] !== want)
      out.push(`training.${field} ${want}: this Python has ${pkg} ${have} (the container runs ${want})`);
  }
  return out;
}
