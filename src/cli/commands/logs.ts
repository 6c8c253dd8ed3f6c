// sagemaker-hf logs: a training job's CloudWatch log streams merged in time order, optionally followed
// to the job's end so that a script can wait on the exit code.
import { UserError } from '../../core/errors';
import { tailTrainingJob } from '../../workflow/jobLogTail';
import type { CliCommand } from '../context';

export const command: CliCommand<'logs'> = {
  summary: "print a training job's CloudWatch logs, merged across instances (--follow: until the job ends)",
  usage: ['<training-job-name>'],
  about: "Prints the job's CloudWatch log streams (one per instance) merged in time order.",
  async run({ values, positionals }, ctx) {
    const job = positionals[0];
    if (!job)
      throw new UserError('logs: the training job name is missing (sagemaker-hf logs <training-job-name>)', 'job');
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
