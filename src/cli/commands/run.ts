// sagemaker-hf run: the whole workflow (prepare, train, deploy, predict, delete) in one command, on this
// machine (--target local) or on SageMaker, where it prices and confirms everything it creates first.
import * as path from 'node:path';
import { UserError } from '../../core/errors';
import { priceText, serverlessPriceText } from '../../workflow/prices';
import { formatSpotEstimate } from '../../core/billing/billing';
import { capPricePerHour } from '../../workflow/training/capPrice';
import { planCostCap } from '../../core/training/costCap';
import { deletesItselfText, localTimeZone, parseDeleteAfter } from '../../core/endpoints/deleteAfter';
import { createSchedulerRole } from '../../workflow/endpoints/deleteSchedule';
import { pickSchedulerRole } from '../schedulerRole';
import { accuracyBesideBaseline } from '../../core/training/baseline';
import { loadSpecFile } from '../../workflow/specFile';
import { runCloudWorkflow } from '../../workflow/runs/cloudRun';
import type { StepEvent, StepResult } from '../../workflow/runs/workflowSteps';
import { runLocalWorkflow } from '../../workflow/runs/localRun';
import { LOCAL_DIR } from '../../workflow/local/localTraining';
import { resolvePython, workspaceVenvDirs } from '../../workflow/local/pythonEnv';
import { localEnvironment, sayPython } from './trainLocal';
import { confirmed } from '../askYesNo';
import type { CliCommand, CliContext } from '../context';

const fmt = (ms: number) =>
  ms < 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms < 120_000
      ? `${Math.round(ms / 1000)} s`
      : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

/** Both targets say each step the same way: "[2/5] train" as it starts, its time and summary as it ends. */
function stepLine(ctx: CliContext): (e: StepEvent) => void {
  return (e) => {
    if (e.phase === 'start') ctx.stdout(`\n[${e.index}/5] ${e.step}`);
    else ctx.stdout(`[${e.index}/5] ${e.step} done in ${fmt(e.result!.ms)}: ${e.result!.summary}`);
  };
}

/** The closing table of step times, then what the target says about where its results are. */
function printSummary(ctx: CliContext, result: { steps: StepResult[]; totalMs: number }, where: string[]): void {
  ctx.stdout('\nSummary');
  for (const s of result.steps) ctx.stdout(`  ${s.step.padEnd(8)} ${fmt(s.ms).padStart(9)}  ${s.summary}`);
  ctx.stdout(`  ${'total'.padEnd(8)} ${fmt(result.totalMs).padStart(9)}`);
  for (const line of where) ctx.stdout(line);
}

export const command: CliCommand<'run'> = {
  summary:
    'the whole workflow in one go: prepare, train, deploy, predict, delete (--target local runs it on this machine)',
  usage: ['<spec.sagemaker-hf.json>'],
  about: `Runs the whole workflow: prepare the dataset, train, deploy, predict the notebook's sentence, delete.
--target local (the default when training.instanceType is "local") runs everything on this machine, no
AWS account needed: train.py with the SageMaker container's arguments and SM_* environment, and
serve.py as the endpoint on a free 127.0.0.1 port. Jobs and datasets go under DIR/.sagemaker-hf/
(DIR: --workdir, default the current folder).
--target sagemaker (the default otherwise) uploads the dataset to the default bucket, runs the training
job, deploys its model as a real-time endpoint, predicts the sentence and deletes the endpoint, its config
and model. It is billed: it prints the instances and their on-demand prices first and asks (without a
terminal --yes is required). An error or Ctrl-C stops a running training job and deletes what the run
deployed. The role: --role, SAGEMAKER_ROLE_ARN, training.role or the connection's.`,
  async run(args, ctx) {
    const { values, positionals } = args;
    if (positionals.length !== 1)
      throw new UserError(`run takes one spec file, got ${positionals.length}\n${args.usage}`);
    const spec = await loadSpecFile(positionals[0]!);
    const target = values.target ?? (spec.training.instanceType === 'local' ? 'local' : 'sagemaker');
    if (target !== 'local' && target !== 'sagemaker')
      throw new UserError(`--target must be 'local' or 'sagemaker', got '${target}'`, 'target');
    if (target === 'sagemaker')
      for (const flag of ['install-requirements', 'spec-versions'] as const)
        if (values[flag]) throw new UserError(`--${flag} is for --target local`, flag);
    if (target === 'sagemaker' && spec.training.instanceType === 'local') {
      throw new UserError(
        `--target sagemaker: training.instanceType is 'local'; set an ml.* instance type or use --target local`,
        'training.instanceType',
      );
    }
    const workspaceDir = path.resolve(values.workdir ?? process.cwd());
    // dist/cli.js -> training-scripts/ of this installation (serve.py is the tool's, not the spec's).
    const scriptsDir = path.resolve(__dirname, '..', 'training-scripts');

    // SIGTERM/SIGHUP end the run like Ctrl-C: children live in their own process groups and would
    // otherwise survive this process.
    const abort = new AbortController();
    const onCtx = () => abort.abort();
    ctx.signal.addEventListener('abort', onCtx, { once: true });
    const onTerm = () => abort.abort();
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onTerm);
    const quiet = !!values.quiet;
    try {
      if (target === 'sagemaker')
        return await runOnSageMaker(spec, ctx, {
          workspaceDir,
          keepEndpoint: !!values['keep-endpoint'],
          yes: !!values.yes,
          quiet,
          signal: abort.signal,
        });
      const found = await resolvePython({
        explicit: values.python,
        specPython: spec.training.pythonPath,
        specDir: path.dirname(spec.file!),
        // A .venv / venv / .cache/venv beside the spec or above it (up to the work folder's parent), as the editor looks.
        workspaceVenvs: workspaceVenvDirs(path.dirname(spec.file!), path.dirname(workspaceDir)),
        venvDirs: [path.join(workspaceDir, LOCAL_DIR, 'venv')],
        signal: abort.signal,
      });
      sayPython(ctx, found);
      const py = await localEnvironment(
        spec,
        found,
        workspaceDir,
        { installRequirements: !!values['install-requirements'], specVersions: !!values['spec-versions'], quiet },
        ctx,
        abort.signal,
      );
      const result = await runLocalWorkflow(spec, {
        python: py.python,
        pythonPackages: py.packages,
        ownEnvironment: py.source === 'venv',
        workspaceDir,
        scriptsDir,
        keepEndpoint: !!values['keep-endpoint'],
        signal: abort.signal,
        hubToken: process.env.HF_TOKEN || undefined,
        onStep: stepLine(ctx),
        onLine: (l) => {
          if (!quiet) ctx.stdout(`    ${l}`);
        },
      });
      printSummary(ctx, result, [
        ...(result.finalMetrics.eval_accuracy !== undefined
          ? [`  accuracy   ${accuracyBesideBaseline(result.finalMetrics.eval_accuracy, result.baseline)}`]
          : []),
        `  job folder ${result.job.jobDir}`,
        `  model      ${result.job.modelArtifact}`,
        `  prediction ${JSON.stringify(result.prediction.raw)}`,
        ...(result.endpoint
          ? [
              `  endpoint   ${result.endpoint.url} still running (process group ${result.endpoint.pid}); stop it with: sagemaker-hf delete ${result.endpoint.url}${values.workdir ? ` (from ${values.workdir})` : ''}`,
            ]
          : []),
      ]);
      return 0;
    } finally {
      ctx.signal.removeEventListener('abort', onCtx);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onTerm);
    }
  },
};

async function runOnSageMaker(
  spec: Awaited<ReturnType<typeof loadSpecFile>>,
  ctx: CliContext,
  o: { workspaceDir: string; keepEndpoint: boolean; yes: boolean; quiet: boolean; signal: AbortSignal },
): Promise<number> {
  const base = await ctx.connection();
  const role = ctx.role ?? spec.training.role ?? base.role;
  if (!role)
    throw new UserError(
      'training.role: no execution role for the training job and the model: pass --role ARN, set SAGEMAKER_ROLE_ARN or training.role in the spec',
      'training.role',
    );
  const conn = { ...base, role };
  const t = spec.training;
  const d = spec.deploy;
  const trainCount = t.instanceCount ?? 1;
  // deploy.deleteAfter guards the endpoint --keep-endpoint keeps; checked before anything is created.
  const timeZone = localTimeZone();
  const deleteAt = o.keepEndpoint && d.deleteAfter ? parseDeleteAfter(d.deleteAfter, new Date(), timeZone) : undefined;
  // Nothing is created before this is printed and confirmed.
  ctx.stderr(`Runs the whole workflow on SageMaker in ${conn.region} (account ${conn.account}), billed:`);
  ctx.stderr(`  dataset   s3://${conn.bucket}/${spec.dataset.s3Prefix}/ (S3 storage, by the GB-month)`);
  const prices = { profile: conn.profile, awsEndpoint: conn.endpoint, signal: o.signal };
  ctx.stderr(
    `  training  ${trainCount} x ${t.instanceType}, ${t.spot ? `managed spot: ${formatSpotEstimate(t.instanceType, trainCount, conn.region)}` : await priceText(conn.region, t.instanceType, trainCount, 'training', prices)} while it runs (max ${t.maxRuntimeInSeconds ?? 86400} s)`,
  );
  // training.maxCostUsd becomes a runtime at the price shown; a cap that buys nothing is refused here.
  const trainingPricePerHour = await capPricePerHour(t, conn.region, prices);
  if (t.maxCostUsd !== undefined)
    ctx.stderr(
      `  spending cap: ${
        planCostCap({
          capUsd: t.maxCostUsd,
          perInstanceHour: trainingPricePerHour,
          instanceType: t.instanceType,
          count: trainCount,
          maxRuntimeInSeconds: t.maxRuntimeInSeconds,
          spot: !!t.spot,
        }).line
      }`,
    );
  if (t.keepAliveSeconds)
    ctx.stderr(
      `  warm pool up to ${t.keepAliveSeconds} s after the job, ${await priceText(conn.region, t.instanceType, trainCount, 'training', prices)} while kept`,
    );
  if (d.serverless)
    ctx.stderr(
      `  endpoint  serverless ${d.serverless.memorySizeInMB} MB, ${await serverlessPriceText(conn.region, d.serverless.memorySizeInMB, prices)}, ${o.keepEndpoint ? 'until you delete it (--keep-endpoint)' : 'until the run deletes it'}`,
    );
  else
    ctx.stderr(
      `  endpoint  ${d.initialInstanceCount} x ${d.instanceType}, ${await priceText(conn.region, d.instanceType, d.initialInstanceCount, 'inference', prices)} ${o.keepEndpoint ? 'until you delete it (--keep-endpoint)' : 'until the run deletes it'}`,
    );
  ctx.stderr(`  role      ${role}`);
  const schedulerRole = deleteAt ? await pickSchedulerRole(undefined, ctx, conn, 'deploy.deleteAfter') : undefined;
  if (deleteAt && schedulerRole)
    ctx.stderr(
      `  the kept endpoint ${deletesItselfText(deleteAt, new Date(), timeZone)} (${timeZone}), by an EventBridge Scheduler schedule as ${schedulerRole.arn}`,
    );
  if (
    !(await confirmed(
      o.yes,
      { signal: o.signal, stderr: ctx.stderr },
      {
        ask: 'Create them?',
        refuse: 'run --target sagemaker creates billable resources',
        declined: 'Nothing created.',
      },
    ))
  )
    return 1;
  const schedulerRoleArn = schedulerRole?.create ? await createSchedulerRole(conn, o.signal) : schedulerRole?.arn;
  const result = await runCloudWorkflow(spec, conn, {
    ...(deleteAt && schedulerRoleArn ? { deletion: { at: deleteAt, timeZone, roleArn: schedulerRoleArn } } : {}),
    workspaceDir: o.workspaceDir,
    keepEndpoint: o.keepEndpoint,
    signal: o.signal,
    hubToken: process.env.HF_TOKEN || undefined,
    trainingPricePerHour,
    onStep: stepLine(ctx),
    onLine: (l) => {
      if (!o.quiet) ctx.stdout(`    ${new Date().toISOString().slice(11, 19)} ${l}`);
    },
  });
  printSummary(ctx, result, [
    `  job        ${result.jobName}`,
    `  model      ${result.job.ModelArtifacts?.S3ModelArtifacts ?? '(none)'}`,
    `  prediction ${JSON.stringify(result.prediction.raw)}`,
    ...(result.endpointKept
      ? [
          `  endpoint   ${result.endpointName} still running (${await priceText(conn.region, d.instanceType, d.initialInstanceCount, 'inference', prices)}); delete it with: sagemaker-hf delete ${result.endpointName}`,
        ]
      : []),
  ]);
  return 0;
}
