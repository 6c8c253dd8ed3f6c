// sagemaker-hf train <spec> [--dry-run] [--wait]: starts the spec's SageMaker training job with the
// request the SageMaker Python SDK would send (src/core/training/trainingRequest.ts).
import { bucketNameProblem } from '../../core/sagemaker/apiChecks';
import { priceText, type PriceOptions } from '../../workflow/prices';
import { capPricePerHour } from '../../workflow/training/capPrice';
import { loadSpecFile } from '../../workflow/specFile';
import { COMPILER_NOTICE } from '../../core/training/trainingValidation';
import { instanceSummary } from '../../core/training/trainingRequest';
import { defaultBucketName } from '../../core/sagemaker/regions';
import { errorLine, UserError, isCancelled } from '../../core/errors';
import { describeApplied } from '../../core/sagemaker/sdkDefaults';
import { defaultS3Bucket } from '../../core/sagemaker/sdkDefaultsApply';
import { loadSdkDefaults } from '../../workflow/sdkDefaultsFiles';
import {
  dryRun,
  type PlannedTraining,
  localModelFiles,
  startTraining,
  TrainingJobStartedError,
  waitForTrainingJob,
} from '../../workflow/training/train';
import { describeListing, listSourceFiles } from '../../workflow/training/sourcePackage';
import { redactTrainingRequest, REDACTED } from '../../core/training/trainingOptions';
import { formatJobBilling, formatSpotEstimate, jobBilling } from '../../core/billing/billing';
import type { CliCommand } from '../context';
import { offerToEndTraining } from '../leftRunning';
import { trainLocal } from './trainLocal';

export const command: CliCommand<'train'> = {
  summary:
    "start the spec's SageMaker training job (--dry-run prints the request, --wait follows it), or train locally (--target local, --interrupt-after)",
  usage: ['<spec.sagemaker-hf.json>'],
  about: `Starts the spec's SageMaker training job with the request the SageMaker Python SDK would send.
training.pushToHub reads the Hugging Face token from HF_TOKEN; it is sent in the job's Environment and
printed as ${REDACTED}.
--target local (the default when training.instanceType is "local") prepares the dataset and runs the
entry point on this machine as the container would (jobs under DIR/.sagemaker-hf/jobs, DIR: --workdir),
after saying what does not apply locally (spot, warm pool, pushToHub, other library versions).
--interrupt-after SECONDS rehearses a spot interruption: SIGTERM after SECONDS, up to 120 s to exit, a
restart with the checkpoints folder kept, and whether the script resumed (exit 1 when it did not).
--install-requirements pip-installs what the tool's own environment lacks of sourceDir/requirements.txt
(your own Python is never installed into: the note prints the command). --spec-versions trains in an
environment with the spec's transformersVersion/pytorchVersion when pip can install them on this Python.`,
  async run(args, ctx) {
    const { values, positionals } = args;
    const file = positionals[0];
    if (!file) throw new UserError(`missing the spec file.\n${args.usage}`);
    // Checked before anything is created: a bad value must not surface only after the job started.
    const pollMs = args.number('poll-seconds') * 1000;
    const bucketProblem = values.bucket !== undefined ? bucketNameProblem(values.bucket) : undefined;
    if (bucketProblem) throw new UserError(`--bucket: '${values.bucket}' ${bucketProblem}`, 'bucket');
    const spec = await loadSpecFile(file);
    const maxCost = args.number('max-cost');
    if (maxCost !== undefined) spec.training.maxCostUsd = maxCost;
    const note = (line: string) => ctx.stderr(line);
    // Validation comes first: the one-line reason is the first stderr line; the long Training Compiler
    // note follows it (or follows the plan when the spec is fine).
    const compilerNote = spec.training.compiler === 'training-compiler' ? `note: ${COMPILER_NOTICE}` : undefined;
    const plan = (build: () => PlannedTraining): PlannedTraining | undefined => {
      try {
        const built = build();
        // What leaves the machine is checked here too (links out of sourceDir, a local model folder).
        if (built.localModel) localModelFiles(built.localModel.dir, built.localModel.s3Uri);
        const source = describeListing(listSourceFiles(spec.training.sourceDir, spec.training.entryPoint));
        for (const line of source) note(line);
        for (const w of built.validated.warnings) note(`warning: ${w}`);
        for (const n of built.validated.notes) note(`note: ${n}`);
        for (const a of built.sdkDefaults) note(`note: ${describeApplied(a)}`);
        if (compilerNote) note(compilerNote);
        return built;
      } catch (err) {
        if (!(compilerNote && err instanceof UserError)) throw err;
        ctx.stderr(`sagemaker-hf train: ${errorLine(err)}`);
        note(compilerNote);
        return undefined;
      }
    };
    const hubToken = process.env.HF_TOKEN || undefined;
    const target = values.target ?? (spec.training.instanceType === 'local' ? 'local' : 'sagemaker');
    if (target !== 'local' && target !== 'sagemaker')
      throw new UserError(`--target must be 'local' or 'sagemaker', got '${target}'`, 'target');
    const interruptAfter = args.number('interrupt-after');
    if (target === 'local') {
      if (values['dry-run'] || values.wait)
        throw new UserError('--dry-run and --wait are for --target sagemaker; a local run always waits', 'target');
      return trainLocal(spec, ctx, {
        python: values.python,
        workdir: values.workdir,
        interruptAfter,
        installRequirements: !!values['install-requirements'],
        specVersions: !!values['spec-versions'],
        quiet: !!values.quiet,
      });
    }
    for (const flag of ['install-requirements', 'spec-versions'] as const)
      if (values[flag]) throw new UserError(`--${flag} is for --target local`, flag);
    if (interruptAfter !== undefined)
      throw new UserError(
        '--interrupt-after rehearses a spot interruption locally: add --target local',
        'interrupt-after',
      );
    if (spec.training.instanceType === 'local')
      throw new UserError(
        `--target sagemaker: training.instanceType is 'local'; set an ml.* instance type or use --target local`,
        'training.instanceType',
      );
    // training.maxCostUsd becomes a runtime at the price the confirmation shows.
    const capPrice = async (region: string, prices: PriceOptions = {}) => {
      const perHour = await capPricePerHour(spec.training, region, prices);
      return perHour !== undefined ? { trainingPricePerHour: perHour } : {};
    };

    if (values['dry-run']) {
      const account = values.account;
      const offline = account && (ctx.role || spec.training.role);
      const conn = offline ? undefined : await ctx.connection();
      const region = conn?.region ?? ctx.target.region;
      const acct = conn?.account ?? account!;
      const defaults = conn?.sdkDefaults ?? (await loadSdkDefaults(ctx.target));
      const cap = await capPrice(region, { profile: conn?.profile, awsEndpoint: conn?.endpoint, signal: ctx.signal });
      const built = plan(() =>
        dryRun(
          spec,
          {
            account: acct,
            region,
            bucket: values.bucket ?? conn?.bucket ?? defaultS3Bucket(defaults) ?? defaultBucketName(region, acct),
            role: ctx.role ?? conn?.role,
            now: new Date(),
            // A dry run shows the request's shape without a token; the real run needs HF_TOKEN.
            hubToken: hubToken ?? (spec.training.pushToHub ? REDACTED : undefined),
            ...cap,
          },
          defaults,
        ),
      );
      if (!built) return 1;
      if (spec.training.pushToHub && !hubToken)
        note('warning: training.pushToHub: HF_TOKEN is not set; the real run needs it');
      ctx.stdout(JSON.stringify(redactTrainingRequest(built.request), null, 2));
      return 0;
    }

    const conn = await ctx.connection();
    const c = values.bucket ? { ...conn, bucket: values.bucket } : conn;
    const prices = { profile: c.profile, awsEndpoint: c.endpoint, signal: ctx.signal };
    const cap = await capPrice(c.region, prices);
    // One clock reading for the plan and the job, so the name said is the name created.
    const now = new Date();
    const planned = plan(() =>
      dryRun(
        spec,
        {
          account: c.account,
          region: c.region,
          bucket: c.bucket,
          role: c.role,
          now,
          partition: c.arn.split(':')[1] || undefined,
          ...(hubToken ? { hubToken } : {}),
          ...cap,
        },
        c.sdkDefaults,
      ),
    );
    if (!planned) return 1;
    const count = spec.training.instanceCount ?? 1;
    if (spec.training.spot) {
      ctx.stdout(
        `Training on ${instanceSummary(spec)} with managed spot capacity: ${formatSpotEstimate(spec.training.instanceType, count, c.region)}; runs at most ${spec.training.maxRuntimeInSeconds ?? 86400} s, waits for capacity up to ${spec.training.spot.maxWaitSeconds} s in all`,
      );
    } else {
      const price = await priceText(c.region, spec.training.instanceType, count, 'training', prices);
      ctx.stdout(
        `Training on ${instanceSummary(spec)}, ${price} while it runs (max ${spec.training.maxRuntimeInSeconds ?? 86400} s)`,
      );
    }
    if (planned.costCap) ctx.stdout(`Spending cap: ${planned.costCap.line}`);
    ctx.stdout(`  job ${planned.jobName}, image ${planned.request.AlgorithmSpecification?.TrainingImage}`);
    if (spec.bucket && planned.request.OutputDataConfig?.S3OutputPath?.startsWith(`s3://${spec.bucket}/`))
      ctx.stdout(`  bucket s3://${spec.bucket} (the spec's bucket; created when missing, as the SDK does)`);
    if (spec.training.keepAliveSeconds) {
      ctx.stdout(
        `Warm pool: the instances stay up to ${spec.training.keepAliveSeconds} s after the job, billed at ${await priceText(c.region, spec.training.instanceType, count, 'training', prices)}; release early with 'sagemaker-hf release-warm-pool <job>'`,
      );
    }
    if (spec.training.pushToHub)
      ctx.stdout(
        `Pushes the model to the Hugging Face Hub: ${spec.training.pushToHub.repo} (${spec.training.pushToHub.private === false ? 'public' : 'private'})`,
      );
    let started;
    try {
      started = await startTraining(spec, c, {
        signal: ctx.signal,
        onProgress: (m) => note(m),
        hubToken,
        now,
        ...cap,
      });
    } catch (err) {
      if (!(err instanceof TrainingJobStartedError)) throw err;
      await offerToEndTraining(ctx, c, err.jobName);
      // A lost answer (not a cancel) is still the failure it was.
      throw err.failure ?? err;
    }
    ctx.stdout(`Created training job ${started.jobName} (source ${started.sourceS3Uri})`);
    if (!values.wait) return 0;
    let final;
    try {
      final = await waitForTrainingJob(c, started.jobName, {
        signal: ctx.signal,
        pollMs,
        onStatus: (d) => {
          const msg = d.SecondaryStatusTransitions?.at(-1)?.StatusMessage;
          ctx.stdout(
            `${new Date().toISOString()} ${d.TrainingJobStatus} (${d.SecondaryStatus ?? ''})${msg ? `: ${msg}` : ''}`,
          );
        },
      });
    } catch (err) {
      // Ctrl-C ends the watching, not the job: say that it still bills and offer to stop it.
      if (isCancelled(err)) await offerToEndTraining(ctx, c, started.jobName);
      throw err;
    }
    const billed = formatJobBilling(jobBilling(final, c.region));
    if (billed) ctx.stdout(`Billing: ${billed}`);
    if (final.TrainingJobStatus === 'Completed') {
      ctx.stdout(`Completed: model at ${final.ModelArtifacts?.S3ModelArtifacts ?? '(unknown)'}`);
      for (const m of final.FinalMetricDataList ?? []) ctx.stdout(`  ${m.MetricName} = ${m.Value}`);
      return 0;
    }
    ctx.stderr(
      `Training job ${started.jobName} ${final.TrainingJobStatus}${final.FailureReason ? `: ${final.FailureReason}` : ''}`,
    );
    return 1;
  },
};
