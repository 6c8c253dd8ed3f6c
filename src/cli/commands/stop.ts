// sagemaker-hf stop: ends a running training job (StopTrainingJob) after saying what it costs, so
// that a job started elsewhere, or left running by Ctrl-C, can be stopped from a terminal.
import { trainingJobStillRunning } from '../../workflow/runs/leftRunning';
import { stopTrainingJob } from '../../workflow/training/train';
import { confirmed } from '../askYesNo';
import { onePositional } from '../commandOptions';
import type { CliCommand } from '../context';

export const command: CliCommand<'stop'> = {
  summary: 'stop a running SageMaker training job (billing ends when it is Stopped)',
  usage: ['<training-job>'],
  about: `Stops a running SageMaker training job (StopTrainingJob): it goes Stopping, then Stopped, and billing
ends when it is Stopped. What the script has not saved is lost. Without --yes it asks first (and
refuses when there is no terminal).`,
  async run(args, ctx) {
    const name = onePositional(args, 'job', 'give exactly one training job name');
    const conn = await ctx.connection();
    const running = await trainingJobStillRunning(conn, name);
    if (!running) {
      ctx.stderr(`Training job ${name} is not running; nothing to stop.`);
      return 0;
    }
    ctx.stderr(`Training job ${name} is ${running.status} on ${running.cost}.`);
    if (
      !(await confirmed(args.flag('yes'), ctx, {
        ask: 'Stop it?',
        refuse: 'stop',
        declined: 'Left running.',
        defaultYes: true,
      }))
    )
      return 1;
    await stopTrainingJob(conn, name, { signal: ctx.signal });
    ctx.stdout(`Stop requested: ${name} is Stopping; billing ends when it is Stopped.`);
    return 0;
  },
};
