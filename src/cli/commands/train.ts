// sagemaker-hf train <spec> [--dry-run] [--wait]: starts the spec's SageMaker training job with the
// request the SageMaker Python SDK would send (src/core/trainingRequest.ts).
import { formatPrice } from '../../core/pricing';
import { loadSpecFile } from '../../core/spec';
import { COMPILER_NOTICE } from '../../core/trainingValidation';
import { instanceSummary } from '../../core/trainingRequest';
import { defaultBucketName } from '../../core/regions';
import { UserError } from '../../core/errors';
import { dryRun, startTraining, waitForTrainingJob } from '../../workflow/train';
import { redactTrainingRequest, REDACTED } from '../../core/trainingOptions';
import { formatJobBilling, formatSpotEstimate, jobBilling } from '../../core/billing';
import { parseCommandArgs, type CliContext } from '../context';

const USAGE = `Usage: sagemaker-hf train <spec.sagemaker-hf.json> [--dry-run] [--wait] [--account ID] [--bucket NAME] [--role ARN]
  --dry-run   print the CreateTrainingJob request (JSON) on stdout; upload and create nothing.
              With --account and --role (and optionally --bucket) no AWS call is made; else STS tells the account.
  --wait      poll the job until it ends; exit 0 when Completed, 1 when Failed or Stopped.
training.pushToHub reads the Hugging Face token from HF_TOKEN; it is sent in the job's Environment and
printed as ${REDACTED}.`;

export const command = {
  summary: 'start the spec\'s SageMaker training job (--dry-run prints the request, --wait follows it)',
  async run(argv: string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      'dry-run': { type: 'boolean' },
      wait: { type: 'boolean' },
      account: { type: 'string' },
      bucket: { type: 'string' },
      'poll-seconds': { type: 'string' },
    });
    if (values.help) {
      ctx.stdout(USAGE);
      return 0;
    }
    const file = positionals[0];
    if (!file) throw new UserError(`missing the spec file.\n${USAGE}`);
    const spec = await loadSpecFile(file);
    const note = (line: string) => ctx.stderr(line);
    if (spec.training.compiler === 'training-compiler') note(`note: ${COMPILER_NOTICE}`);
    const hubToken = process.env.HF_TOKEN || undefined;

    if (values['dry-run']) {
      const account = values.account as string | undefined;
      const offline = account && (ctx.role || spec.training.role);
      const conn = offline ? undefined : await ctx.connection();
      const region = conn?.region ?? ctx.target.region;
      const acct = conn?.account ?? account!;
      const built = dryRun(spec, {
        account: acct, region, bucket: (values.bucket as string | undefined) ?? conn?.bucket ?? defaultBucketName(region, acct),
        role: ctx.role ?? conn?.role, now: new Date(),
        // A dry run shows the request's shape without a token; the real run needs HF_TOKEN.
        hubToken: hubToken ?? (spec.training.pushToHub ? REDACTED : undefined),
      });
      if (spec.training.pushToHub && !hubToken) note('warning: training.pushToHub: HF_TOKEN is not set; the real run needs it');
      for (const w of built.validated.warnings) note(`warning: ${w}`);
      ctx.stdout(JSON.stringify(redactTrainingRequest(built.request), null, 2));
      return 0;
    }

    const conn = await ctx.connection();
    const c = values.bucket ? { ...conn, bucket: values.bucket as string } : conn;
    const count = spec.training.instanceCount ?? 1;
    if (spec.training.spot) {
      ctx.stdout(`Training on ${instanceSummary(spec)} with managed spot capacity: ${formatSpotEstimate(spec.training.instanceType, count, c.region)}; runs at most ${spec.training.maxRuntimeInSeconds ?? 86400} s, waits for capacity up to ${spec.training.spot.maxWaitSeconds} s in all`);
    } else {
      ctx.stdout(`Training on ${instanceSummary(spec)}, ${formatPrice(spec.training.instanceType, count, 'training', c.region)} while it runs (max ${spec.training.maxRuntimeInSeconds ?? 86400} s)`);
    }
    if (spec.training.keepAliveSeconds) {
      ctx.stdout(`Warm pool: the instances stay up to ${spec.training.keepAliveSeconds} s after the job, billed at ${formatPrice(spec.training.instanceType, count, 'training', c.region)}; release early with 'sagemaker-hf release-warm-pool <job>'`);
    }
    if (spec.training.pushToHub) ctx.stdout(`Pushes the model to the Hugging Face Hub: ${spec.training.pushToHub.repo} (${spec.training.pushToHub.private === false ? 'public' : 'private'})`);
    const started = await startTraining(spec, c, { signal: ctx.signal, onProgress: (m) => note(m), hubToken });
    for (const w of started.warnings) note(`warning: ${w}`);
    ctx.stdout(`Created training job ${started.jobName} (source ${started.sourceS3Uri})`);
    if (!values.wait) return 0;
    const pollMs = Math.max(1, Number(values['poll-seconds'] ?? 30)) * 1000;
    const final = await waitForTrainingJob(c, started.jobName, {
      signal: ctx.signal, pollMs,
      onStatus: (d) => {
        const msg = d.SecondaryStatusTransitions?.at(-1)?.StatusMessage;
        ctx.stdout(`${new Date().toISOString()} ${d.TrainingJobStatus} (${d.SecondaryStatus ?? ''})${msg ? `: ${msg}` : ''}`);
      },
    });
    const billed = formatJobBilling(jobBilling(final, c.region));
    if (billed) ctx.stdout(`Billing: ${billed}`);
    if (final.TrainingJobStatus === 'Completed') {
      ctx.stdout(`Completed: model at ${final.ModelArtifacts?.S3ModelArtifacts ?? '(unknown)'}`);
      for (const m of final.FinalMetricDataList ?? []) ctx.stdout(`  ${m.MetricName} = ${m.Value}`);
      return 0;
    }
    ctx.stderr(`Training job ${started.jobName} ${final.TrainingJobStatus}${final.FailureReason ? `: ${final.FailureReason}` : ''}`);
    return 1;
  },
};
