import { UserError, isCancelled } from '../../core/errors';
import { priceText } from '../../workflow/prices';
import { executeDeploy, planDeploy, planHubDeploy, type DeployPlan } from '../../workflow/endpoints/deploy';
import { redactDeployRequests, type ServerlessConfig } from '../../core/endpoints/deployRequests';
import { formatServerlessPrice } from '../../core/billing/billing';
import { askYesNo, canAsk } from '../askYesNo';
import { parseCommandArgs, type CliContext } from '../context';
import { numberOption } from '../options';
import { offerDeleteEndpoint } from '../leftRunning';

const USAGE = `Usage: sagemaker-hf deploy <training-job> [--instance-type ml.g4dn.xlarge] [--count 1] [--endpoint-name NAME] [--dry-run] [--yes]
       sagemaker-hf deploy --hub <model-id> --task <task> [...the same options]
       add --serverless [--memory 2048] [--max-concurrency 5] for a serverless endpoint

Creates a SageMaker model, endpoint config and real-time endpoint for a completed training job (billed
per instance-hour until deleted) and waits until it is InService. --dry-run prints the three requests
as JSON and creates nothing. Without --yes it asks first (and refuses when there is no terminal).
--hub deploys a Hugging Face Hub model without training (HF_MODEL_ID, HF_TASK; HF_TOKEN from the
environment for gated or private models, printed as <redacted>). --serverless creates a serverless
endpoint instead of instances: CPU image, billed per use (compute seconds by memory size, plus data),
cold starts after idle; memory 1024-6144 MB in 1024 steps, max concurrency 1-200.
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
      hub: { type: 'string' },
      task: { type: 'string' },
      serverless: { type: 'boolean' },
      memory: { type: 'string' },
      'max-concurrency': { type: 'string' },
    });
    if (values.help) {
      ctx.stdout(USAGE);
      return 0;
    }
    const hub = values.hub as string | undefined;
    const job = positionals[0];
    if (hub) {
      if (positionals.length) throw new UserError(`job: --hub deploys a Hub model; give no training job as well\n${USAGE}`, 'job');
      if (!values.task) throw new UserError('task: --hub needs --task (e.g. text-classification), the pipeline the container serves (HF_TASK)', 'task');
    } else {
      if (!job || positionals.length > 1) throw new UserError(`job: give exactly one training job name (or --hub <model-id>)\n${USAGE}`, 'job');
      if (values.task) throw new UserError('task: --task goes with --hub; a trained job is served as text-classification', 'task');
    }
    const instanceType = (values['instance-type'] as string | undefined) ?? 'ml.g4dn.xlarge';
    const initialInstanceCount = numberOption(values, 'count', 1, { integer: true, min: 1 });
    const pollMs = numberOption(values, 'poll-seconds', 30, { min: 0.1, max: 3600 }) * 1000;
    const serverless = serverlessOf(values as Record<string, unknown>);
    const conn = await ctx.connection();
    const endpointName = values['endpoint-name'] as string | undefined;
    const plan: DeployPlan = hub
      ? planHubDeploy(conn, { modelId: hub, task: values.task as string, token: process.env.HF_TOKEN || undefined, instanceType, initialInstanceCount, endpointName, ...(serverless ? { serverless } : {}) })
      : await planDeploy(conn, job!, { instanceType, initialInstanceCount, endpointName, ...(serverless ? { serverless } : {}), signal: ctx.signal });
    if (values['dry-run']) {
      if (plan.image.note) ctx.stderr(`note: image ${plan.image.uri}: ${plan.image.note}`);
      const r = redactDeployRequests(plan.requests);
      ctx.stdout(JSON.stringify({ CreateModel: r.createModel, CreateEndpointConfig: r.createEndpointConfig, CreateEndpoint: r.createEndpoint }, null, 2));
      return 0;
    }
    const price = serverless
      ? formatServerlessPrice(serverless.memorySizeInMB, conn.region)
      : await priceText(conn.region, instanceType, initialInstanceCount, 'inference', { profile: conn.profile, awsEndpoint: conn.endpoint, signal: ctx.signal });
    const size = serverless ? `serverless, ${serverless.memorySizeInMB} MB, up to ${serverless.maxConcurrency} concurrent` : `${initialInstanceCount} x ${instanceType}`;
    ctx.stderr(`Creates model, endpoint config and endpoint ${plan.endpointName} in ${conn.region}: ${size}, ${price}${serverless ? '' : ' until deleted'}.`);
    ctx.stderr(`  image ${plan.image.uri}${plan.image.note ? ` (${plan.image.note})` : ''}`);
    if (plan.hubModelId) ctx.stderr(`  model ${plan.hubModelId} from the Hugging Face Hub, task ${values.task as string}${process.env.HF_TOKEN ? ', with HF_TOKEN' : ''}`);
    else ctx.stderr(`  model ${plan.modelDataUrl}`);
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

/** --serverless [--memory MB] [--max-concurrency N]; memory and concurrency alone are a mistake worth naming. */
function serverlessOf(values: Record<string, unknown>): ServerlessConfig | undefined {
  const memory = values.memory as string | undefined;
  const conc = values['max-concurrency'] as string | undefined;
  if (!values.serverless) {
    if (memory !== undefined || conc !== undefined) throw new UserError('--memory and --max-concurrency go with --serverless', 'serverless');
    return undefined;
  }
  if (values['instance-type'] !== undefined || values.count !== undefined) throw new UserError('--serverless has no instances: drop --instance-type and --count', 'serverless');
  const num = (text: string, flag: string) => {
    if (!/^\d+$/.test(text)) throw new UserError(`--${flag}: '${text}' is not a whole number`, flag);
    return Number(text);
  };
  return { memorySizeInMB: num(memory ?? '2048', 'memory'), maxConcurrency: num(conc ?? '5', 'max-concurrency') };
}
