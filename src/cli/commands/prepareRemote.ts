// `sagemaker-hf prepare <spec> --on sagemaker`: the Processing-job path of prepare (src/workflow/dataset/prepareRemote.ts).
// Prints instance type, count and price before anything billable is created; needs --yes without a terminal.
import * as path from 'node:path';
import { describeApplied } from '../../core/sagemaker/sdkDefaults';
import { UserError } from '../../core/errors';
import { reportSummary } from '../../core/dataset/prepareReport';
import { redactProcessingRequest } from '../../core/dataset/processingRequest';
import type { JobSpec } from '../../core/spec/spec';
import { planRemotePrepare, prepareOnSageMaker } from '../../workflow/dataset/prepareRemote';
import { priceOptionsFor, priceText } from '../../workflow/prices';
import { confirmed } from '../askYesNo';
import type { CommandArgs } from '../commandOptions';
import type { CliContext } from '../context';

export async function runRemotePrepare(spec: JobSpec, args: CommandArgs<'prepare'>, ctx: CliContext): Promise<number> {
  const { values } = args;
  if (values['no-upload'])
    throw new UserError(
      '--no-upload: a Processing job always writes to S3; drop --no-upload or --on sagemaker',
      'no-upload',
    );
  // The defaults (DEFAULT_PROCESSING_INSTANCE, DEFAULT_PROCESSING_MAX_RUNTIME) are declared with the options.
  const opts = {
    instanceType: args.text('instance-type'),
    instanceCount: args.number('instance-count'),
    volumeSizeInGB: args.number('volume-gb'),
    maxRuntimeInSeconds: args.number('max-runtime'),
  };
  const hubToken = process.env.HF_TOKEN || undefined;
  const conn = await ctx.connection();
  const conn2 = ctx.role ? { ...conn, role: ctx.role } : conn;
  // One clock reading for the plan shown and the job launched, so the name confirmed is the name created.
  const now = new Date();
  const plan = planRemotePrepare(spec, conn2, { ...opts, hubToken, now });
  for (const a of plan.sdkDefaults) ctx.stderr(`note: ${describeApplied(a)}`);
  if (values['dry-run']) {
    ctx.stdout(JSON.stringify(redactProcessingRequest(plan.request), null, 2));
    return 0;
  }
  const quiet = !!values.quiet || !!values.json;
  const price = await priceText(
    conn.region,
    opts.instanceType,
    opts.instanceCount,
    'processing',
    priceOptionsFor(conn, { signal: ctx.signal }),
  );
  ctx.stderr(
    `Creates SageMaker Processing job ${plan.jobName} in ${conn.region}: ${opts.instanceCount} x ${opts.instanceType}, ${price} while it runs (at most ${opts.maxRuntimeInSeconds} s).`,
  );
  ctx.stderr(`  image  ${plan.request.AppSpecification?.ImageUri}`);
  ctx.stderr(
    `  writes s3://${conn.bucket}/${spec.dataset.s3Prefix}/ (staging under ${plan.jobS3Uri}/, removed afterwards)`,
  );
  for (const w of plan.warnings) ctx.stderr(`warning: ${w}`);
  if (
    !(await confirmed(!!values.yes, ctx, {
      ask: 'Start it?',
      refuse: 'prepare --on sagemaker creates a billable Processing job',
      declined: 'Nothing created.',
    }))
  )
    return 1;
  const scriptsDir = path.resolve(__dirname, '..', 'training-scripts');
  let lastStage = '';
  const result = await prepareOnSageMaker(spec, conn2, {
    ...opts,
    scriptsDir,
    hubToken,
    now,
    signal: ctx.signal,
    pollMs: Number(process.env.SAGEMAKER_HF_POLL_MS) || undefined,
    onProgress: (p) => {
      if (quiet) return;
      if (p.stage !== lastStage || p.stage === 'launch') ctx.stderr(`${p.stage}: ${p.message}`);
      lastStage = p.stage;
    },
    onLog: (l) => {
      if (!quiet) ctx.stderr(l.kind === 'log' ? `  ${l.text}` : l.text);
    },
  });
  if (values.json) {
    ctx.stdout(
      JSON.stringify(
        {
          jobName: result.jobName,
          channels: result.channels,
          labelNames: result.labelNames,
          manifestUri: result.manifestUri,
          report: result.report,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  for (const line of reportSummary(result.report)) ctx.stdout(line);
  for (const [channel, c] of Object.entries(result.channels))
    ctx.stdout(`${channel.padEnd(10)} ${c.rows} rows  ->  ${c.s3Uri}`);
  ctx.stdout(`manifest   ${result.manifestUri}`);
  ctx.stdout(`job        ${result.jobName}`);
  return 0;
}
