// sagemaker-hf release-warm-pool <job> [--yes]: ends a training job's warm pool now instead of when its
// keep-alive period runs out (UpdateTrainingJob, KeepAlivePeriodInSeconds 0). Billing for the retained
// instances stops; the next matching job then starts cold.
import { UserError } from '../../core/errors';
import { formatWarmPool } from '../../core/billing/billing';
import { readWarmPool, releaseWarmPool } from '../../workflow/training/warmPool';
import { confirmed } from '../askYesNo';
import { onePositional } from '../commandOptions';
import type { CliCommand } from '../context';

export const command: CliCommand<'release-warm-pool'> = {
  summary: "release a training job's warm pool now (stops its billing)",
  usage: ['<training-job>'],
  about: `Releases the job's warm pool (the instances SageMaker keeps after a job with training.keepAliveSeconds):
they are terminated and no longer billed; the next job starts cold. Without --yes it asks first (and
refuses when there is no terminal).`,
  async run(args, ctx) {
    const job = onePositional(args, 'job', 'give exactly one training job name');
    const pool = await readWarmPool(ctx.target, job, ctx.signal);
    if (!pool)
      throw new UserError(
        `job: training job '${job}' has no warm pool (it was started without training.keepAliveSeconds, or is still running)`,
        'job',
      );
    if (!pool.billing) {
      ctx.stdout(`Nothing to release: ${formatWarmPool(pool)}.`);
      return 0;
    }
    ctx.stderr(
      `Releases the warm pool of ${job} (${formatWarmPool(pool)}): its instances are terminated; the next job starts cold.`,
    );
    if (
      !(await confirmed(args.flag('yes'), ctx, {
        ask: 'Release it?',
        refuse: 'release-warm-pool',
        declined: 'Nothing released.',
      }))
    )
      return 1;
    await releaseWarmPool(ctx.target, job, { signal: ctx.signal });
    const after = await readWarmPool(ctx.target, job, ctx.signal).catch(() => undefined);
    ctx.stdout(`Released the warm pool of ${job}${after ? ` (now ${after.status})` : ''}.`);
    return 0;
  },
};
