import { UserError } from '../../core/errors';
import { trainingJobStillRunning } from '../../workflow/runs/leftRunning';
import { stopTrainingJob } from '../../workflow/training/train';
import { askYesNo, canAsk } from '../askYesNo';
import { parseCommandArgs, type CliContext } from '../context';

const USAGE = `Usage: sagemaker-hf stop <training-job> [--yes]

Stops a running SageMaker training job (StopTrainingJob): it goes Stopping, then Stopped, and billing
ends when it is Stopped. What the script has not saved is lost. Without --yes it asks first (and
refuses when there is no terminal).`;

export const command = {
  summary: 'stop a running SageMaker training job (billing ends when it is Stopped)',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { yes: { type: 'boolean', short: 'y' } });
    if (values.help) {
      ctx.stdout(USAGE);
      return 0;
    }
    const name = positionals[0];
    if (!name || positionals.length > 1) throw new UserError(`job: give exactly one training job name\n${USAGE}`, 'job');
    const conn = await ctx.connection();
    const running = await trainingJobStillRunning(conn, name);
    if (!running) {
      ctx.stderr(`Training job ${name} is not running; nothing to stop.`);
      return 0;
    }
    ctx.stderr(`Training job ${name} is ${running.status} on ${running.cost}.`);
    if (!values.yes) {
      if (!canAsk()) throw new UserError('stop: pass --yes to confirm (no terminal to ask on)', 'yes');
      if (!(await askYesNo('Stop it?', ctx.signal, { defaultYes: true }))) {
        ctx.stderr('Left running.');
        return 1;
      }
    }
    await stopTrainingJob(conn, name, { signal: ctx.signal });
    ctx.stdout(`Stop requested: ${name} is Stopping; billing ends when it is Stopped.`);
    return 0;
  },
};
