// sagemaker-hf deploy: a completed training job (or a Hub model) as a real-time or serverless endpoint,
// its price said and confirmed before anything billable exists.
import { UserError, errorLine, isCancelled } from '../../core/errors';
import { priceOptionsFor, priceText, serverlessPriceText } from '../../workflow/prices';
import { describeApplied } from '../../core/sagemaker/sdkDefaults';
import { deletesItselfText, localTimeZone, parseDeleteAfter } from '../../core/endpoints/deleteAfter';
import {
  cancelEndpointDeletion,
  createSchedulerRole,
  scheduleEndpointDeletion,
} from '../../workflow/endpoints/deleteSchedule';
import { pickSchedulerRole } from '../schedulerRole';
import { executeDeploy, planDeploy, planHubDeploy, type DeployPlan } from '../../workflow/endpoints/deploy';
import { redactDeployRequests, type ServerlessConfig } from '../../core/endpoints/deployRequests';
import { confirmed } from '../askYesNo';
import { onePositional, type CommandArgs } from '../commandOptions';
import type { CliCommand } from '../context';
import { offerToEndEndpoint } from '../leftRunning';

export const command: CliCommand<'deploy'> = {
  summary: 'deploy a completed training job as a real-time endpoint (--dry-run prints the requests)',
  usage: [
    '<training-job>',
    '--hub <model-id> --task <task>',
    '<training-job | --hub ...> --serverless [--memory MB] [--max-concurrency N]',
  ],
  about: `Creates a SageMaker model, endpoint config and real-time endpoint for a completed training job (billed
per instance-hour until deleted) and waits until it is InService. --dry-run prints the three requests
as JSON and creates nothing. Without --yes it asks first (and refuses when there is no terminal).
--hub deploys a Hugging Face Hub model without training (HF_MODEL_ID, HF_TASK; HF_TOKEN from the
environment for gated or private models, printed as <redacted>); --transformers-version,
--pytorch-version and --py-version (all three) pick HuggingFaceModel's exact image, else the current one.
--serverless creates a serverless endpoint instead of instances: CPU image, billed per use (compute
seconds by memory size, plus data),
cold starts after idle; memory 1024-6144 MB in 1024 steps, max concurrency 1-200.
Ctrl-C while it waits says the endpoint still bills and offers to delete it (default: delete).`,
  async run(args, ctx) {
    const { values, positionals } = args;
    const hub = values.hub;
    let job: string | undefined;
    if (hub) {
      if (positionals.length)
        throw new UserError(`job: --hub deploys a Hub model; give no training job as well\n${args.usage}`, 'job');
      if (!values.task)
        throw new UserError(
          'task: --hub needs --task (e.g. text-classification), the pipeline the container serves (HF_TASK)',
          'task',
        );
    } else {
      job = onePositional(args, 'job', 'give exactly one training job name (or --hub <model-id>)');
      if (values.task)
        throw new UserError('task: --task goes with --hub; a trained job is served as text-classification', 'task');
      for (const f of ['transformers-version', 'pytorch-version', 'py-version'] as const)
        if (values[f] !== undefined)
          throw new UserError(`${f}: --${f} goes with --hub; a trained job's image follows its training versions`, f);
    }
    const instanceType = args.text('instance-type');
    const initialInstanceCount = args.number('count');
    const pollMs = args.number('poll-seconds') * 1000;
    const serverless = serverlessOf(args);
    // Checked before any AWS call: a typo must not surface after the endpoint bills.
    const timeZone = localTimeZone();
    const deleteAfterText = values['delete-after'];
    const deleteAt =
      deleteAfterText === undefined
        ? undefined
        : parseDeleteAfter(deleteAfterText, new Date(), timeZone, '--delete-after');
    const conn = await ctx.connection();
    const endpointName = values['endpoint-name'];
    const kmsKeyId = values['kms-key-id'];
    if (kmsKeyId !== undefined && !/^[a-zA-Z0-9:/_-]{1,2048}$/.test(kmsKeyId))
      throw new UserError(
        `kms-key-id: '${kmsKeyId}' is not a KMS key id, alias or ARN (letters, digits and :/_- only)`,
        'kms-key-id',
      );
    const plan: DeployPlan = hub
      ? planHubDeploy(conn, {
          modelId: hub,
          task: values.task!,
          token: process.env.HF_TOKEN || undefined,
          versions: {
            transformers: values['transformers-version'],
            pytorch: values['pytorch-version'],
            py: values['py-version'],
          },
          instanceType,
          initialInstanceCount,
          endpointName,
          ...(serverless ? { serverless } : {}),
          ...(kmsKeyId ? { kmsKeyId } : {}),
        })
      : await planDeploy(conn, job!, {
          instanceType,
          initialInstanceCount,
          endpointName,
          ...(serverless ? { serverless } : {}),
          ...(kmsKeyId ? { kmsKeyId } : {}),
          signal: ctx.signal,
        });
    for (const a of plan.sdkDefaults ?? []) ctx.stderr(`note: ${describeApplied(a)}`);
    for (const n of plan.notes) ctx.stderr(n.startsWith('warning: ') ? n : `note: ${n}`);
    if (args.flag('dry-run')) {
      if (plan.image.note) ctx.stderr(`note: image ${plan.image.uri}: ${plan.image.note}`);
      const r = redactDeployRequests(plan.requests);
      ctx.stdout(
        JSON.stringify(
          {
            CreateModel: r.createModel,
            CreateEndpointConfig: r.createEndpointConfig,
            CreateEndpoint: r.createEndpoint,
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const prices = priceOptionsFor(conn, { signal: ctx.signal });
    const price = serverless
      ? await serverlessPriceText(conn.region, serverless.memorySizeInMB, prices)
      : await priceText(conn.region, instanceType, initialInstanceCount, 'inference', prices);
    const size = serverless
      ? `serverless, ${serverless.memorySizeInMB} MB, up to ${serverless.maxConcurrency} concurrent`
      : `${initialInstanceCount} x ${instanceType}`;
    ctx.stderr(
      `Creates model, endpoint config and endpoint ${plan.endpointName} in ${conn.region}: ${size}, ${price}${serverless ? '' : ' until deleted'}.`,
    );
    ctx.stderr(`  image ${plan.image.uri}${plan.image.note ? ` (${plan.image.note})` : ''}`);
    if (plan.hubModelId)
      ctx.stderr(
        `  model ${plan.hubModelId} from the Hugging Face Hub, task ${values.task}${process.env.HF_TOKEN ? ', with HF_TOKEN' : ''}`,
      );
    else ctx.stderr(`  model ${plan.modelDataUrl}`);
    const role = deleteAt ? await pickSchedulerRole(values['scheduler-role'], ctx, conn, '--delete-after') : undefined;
    let schedulerRole = role?.arn;
    if (deleteAt && role)
      ctx.stderr(
        `  ${deletesItselfText(deleteAt, new Date(), timeZone)} (${timeZone}): an EventBridge Scheduler schedule runs DeleteEndpoint as ${role.arn}`,
      );
    if (
      !(await confirmed(args.flag('yes'), ctx, {
        ask: 'Create it?',
        refuse: 'deploy creates a billable endpoint',
        declined: 'Nothing created.',
      }))
    )
      return 1;
    if (role?.create) schedulerRole = await createSchedulerRole(conn, ctx.signal);
    let last = '';
    let endpointCreated = false;
    let scheduled = false;
    let result;
    try {
      result = await executeDeploy(conn, plan, {
        signal: ctx.signal,
        pollMs,
        // The schedule exists as soon as the endpoint does, so a cut-off wait leaves nothing unguarded.
        afterCreate: async () => {
          if (!deleteAt || !schedulerRole) return;
          try {
            await scheduleEndpointDeletion(conn, {
              endpointName: plan.endpointName,
              at: deleteAt,
              timeZone,
              roleArn: schedulerRole,
            });
            scheduled = true;
            ctx.stderr(`Scheduled: endpoint ${plan.endpointName} ${deletesItselfText(deleteAt, new Date(), timeZone)}`);
          } catch (err) {
            ctx.stderr(
              `warning: endpoint ${plan.endpointName} does NOT delete itself: ${errorLine(err)}; delete it by hand ('sagemaker-hf delete ${plan.endpointName}')`,
            );
          }
        },
        onStatus: (s) => {
          if (s.step === 'endpoint' || s.step === 'waiting') endpointCreated = true;
          if (s.message !== last) ctx.stderr(`${new Date().toISOString().slice(11, 19)} ${s.message}`);
          last = s.message;
        },
      });
    } catch (err) {
      // Before the endpoint exists executeDeploy removes what it made; after, Ctrl-C ends only the waiting.
      if (isCancelled(err) && endpointCreated) await offerToEndEndpoint(ctx, conn, plan.endpointName);
      // A failed endpoint was deleted by the deploy; its schedule goes with it.
      else if (scheduled) await cancelEndpointDeletion(conn, plan.endpointName).catch(() => undefined);
      throw err;
    }
    ctx.stdout(result.endpointName);
    ctx.stderr(
      `Endpoint ${result.endpointName} is ${result.endpointStatus} (${price}). Try it: sagemaker-hf predict ${result.endpointName} "Winter is coming and it will be dark soon." · delete it: sagemaker-hf delete ${result.endpointName}`,
    );
    return 0;
  },
};

/** --serverless [--memory MB] [--max-concurrency N]; memory and concurrency alone are a mistake worth naming. */
function serverlessOf(args: CommandArgs<'deploy'>): ServerlessConfig | undefined {
  const { values } = args;
  if (!values.serverless) {
    if (values.memory !== undefined || values['max-concurrency'] !== undefined)
      throw new UserError('--memory and --max-concurrency go with --serverless', 'serverless');
    return undefined;
  }
  if (values['instance-type'] !== undefined || values.count !== undefined)
    throw new UserError('--serverless has no instances: drop --instance-type and --count', 'serverless');
  return { memorySizeInMB: args.number('memory'), maxConcurrency: args.number('max-concurrency') };
}
