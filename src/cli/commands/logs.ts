import { UserError } from '../../core/errors';
import { tailTrainingJob } from '../../workflow/jobLogTail';
import { parseCommandArgs, type CliContext } from '../context';

export const command = {
  summary: "print a training job's CloudWatch logs, merged across instances (--follow: until the job ends)",
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      follow: { type: 'boolean', short: 'f' },
    });
    if (values.help) {
      ctx.stdout('Usage: sagemaker-hf logs <training-job-name> [--follow] [--profile P] [--region R]');
      ctx.stdout('  --follow, -f   keep tailing until the job ends; exit 0 when it Completed, 1 when it Failed or was Stopped');
      return 0;
    }
    const job = positionals[0];
    if (!job) throw new UserError('logs: the training job name is missing (sagemaker-hf logs <training-job-name>)', 'job');
    if (positionals.length > 1) throw new UserError(`logs: one job at a time (got ${positionals.join(', ')})`, 'job');
    // Log lines go to stdout; the tail's own notes and the status transitions too, in order, so that a
    // redirected file reads like the console.
    const status = await tailTrainingJob(ctx.target, job, {
      follow: !!values.follow,
      signal: ctx.signal,
      onLine: (l) => ctx.stdout(l.text),
    });
    if (!values.follow) return 0;
    return status === 'Completed' ? 0 : 1;
  },
};
