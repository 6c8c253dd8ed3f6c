import { UserError, isCancelled } from '../../core/errors';
import { priceText } from '../../workflow/prices';
import { executeDeploy, planDeploy } from '../../workflow/deploy';
import { askYesNo, canAsk } from '../askYesNo';
import { parseCommandArgs, type CliContext } from '../context';
import { numberOption } from '../options';
import { offerDeleteEndpoint } from '../afterCancel';

const USAGE = `Usage: sagemaker-hf deploy <training-job> [--instance-type ml.g4dn.xlarge] [--count 1] [--endpoint-name NAME] [--dry-run] [--yes]

Creates a SageMaker model, endpoint config and real-time endpoint for a completed training job (billed
per instance-hour until deleted) and waits until it is InService. --dry-run prints the three requests
as JSON and creates nothing. Without --yes it asks first (and refuses when there is no terminal).
Ctrl-C while it waits says the endpoint still bills and offers to delete it (default: delete).
--poll-seconds N   seconds between DescribeEndpoint calls (default 30).`;

export const command = {
  summary: 'deploy a completed training job as a real-time endpoint (--dry-run prints the requests)',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      'instance-type': { type: 'string' },
      count: { type: 'string' },
      'endpoint-name': { type: 'string' },
      'dry-run': { type: 'boolean' },
      'poll-seconds': { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
    });
    if (values.help) {
      ctx.stdout(USAGE);
      return 0;
    }
    const job = positionals[0];
    if (!job || positionals.length > 1) throw new UserError(`job: give exactly one training job name\n${USAGE}`, 'job');
    const instanceType = (values['instance-type'] as string | undefined) ?? 'ml.g4dn.xlarge';
    const initialInstanceCount = numberOption(values, 'count', 1, { integer: true, min: 1 });
    const pollMs = numberOption(values, 'poll-seconds', 30, { min: 0.1, max: 3600 }) * 1000;
    const conn = await ctx.connection();
    const plan = await planDeploy(conn, job, { instanceType, initialInstanceCount, endpointName: values['endpoint-name'] as string | undefined, signal: ctx.signal });
    if (values['dry-run']) {
      if (plan.image.note) ctx.stderr(`note: image ${plan.image.uri}: ${plan.image.note}`);
      ctx.stdout(JSON.stringify({ CreateModel: plan.requests.createModel, CreateEndpointConfig: plan.requests.createEndpointConfig, CreateEndpoint: plan.requests.createEndpoint }, null, 2));
      return 0;
    }
    const price = await priceText(conn.region, instanceType, initialInstanceCount, 'inference', { profile: conn.profile, awsEndpoint: conn.endpoint, signal: ctx.signal });
    ctx.stderr(`Creates model, endpoint config and endpoint ${plan.endpointName} in ${conn.region}: ${initialInstanceCount} x ${instanceType}, ${price} until deleted.`);
    ctx.stderr(`  image ${plan.image.uri}${plan.image.note ? ` (${plan.image.note})` : ''}`);
    ctx.stderr(`  model ${plan.modelDataUrl}`);
    if (!values.yes) {
      if (!canAsk()) throw new UserError('deploy creates a billable endpoint: pass --yes to confirm (no terminal to ask on)', 'yes');
      if (!(await askYesNo('Create it?', ctx.signal))) {
        ctx.stderr('Nothing created.');
        return 1;
      }
    }
    let last = '';
    let endpointCreated = false;
    let result;
    try {
      result = await executeDeploy(conn, plan, {
        signal: ctx.signal, pollMs,
        onStatus: (s) => {
          if (s.step === 'endpoint' || s.step === 'waiting') endpointCreated = true;
          if (s.message !== last) ctx.stderr(`${new Date().toISOString().slice(11, 19)} ${s.message}`);
          last = s.message;
        },
      });
    } catch (err) {
      // Before the endpoint exists executeDeploy removes what it made; after, Ctrl-C ends only the waiting.
      if (isCancelled(err) && endpointCreated) await offerDeleteEndpoint(ctx, conn, plan.endpointName);
      throw err;
    }
    ctx.stdout(result.endpointName);
    ctx.stderr(`Endpoint ${result.endpointName} is ${result.endpointStatus} (${price}). Try it: sagemaker-hf predict ${result.endpointName} "Winter is coming and it will be dark soon." · delete it: sagemaker-hf delete ${result.endpointName}`);
    return 0;
  },
};
