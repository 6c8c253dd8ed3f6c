// The whole workflow on SageMaker: prepare (and upload) → training job → endpoint → predict the
// notebook's sentence → delete. Used by `sagemaker-hf run --target sagemaker`. Everything it creates
// is billable, so whatever ends the run (an error, Ctrl-C) it stops the training job it started and
// deletes the endpoint, config and model it created, unless the caller keeps the endpoint.
import * as path from 'node:path';
import type { DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { CancelledError, UserError, errorLine, isCancelled } from '../../core/errors';
import type { JobSpec } from '../../core/spec/spec';
import { ensureDefaultBucket, withSpecBucket, type Connection } from '../connect';
import { executeDeletePlan, planEndpointDelete } from '../endpoints/deleteEndpoint';
import { deployFromJob, type DeployResult, type DeployStatus } from '../endpoints/deploy';
import { scheduleEndpointDeletion } from '../endpoints/deleteSchedule';
import { deletesItselfText } from '../../core/endpoints/deleteAfter';
import { NOTEBOOK_SENTENCE, stepRunner, type StepEvent, type StepResult } from './workflowSteps';
import { sageMakerPredictor, type PredictResult } from '../endpoints/predictor';
import { prepareDataset, type PrepareResult } from '../dataset/prepare';
import { startTraining, stopTrainingJob, TrainingJobStartedError, waitForTrainingJob } from '../training/train';

export interface CloudRunOptions {
  /** Local dataset folders go under DIR/.sagemaker-hf/datasets/<spec>/. */
  workspaceDir: string;
  keepEndpoint?: boolean;
  signal?: AbortSignal;
  onStep?: (event: StepEvent) => void;
  /** Progress of the steps (upload, job status changes, endpoint status, cleanup). */
  onLine?: (line: string) => void;
  hubToken?: string;
  /** deploy.deleteAfter with --keep-endpoint: the schedule that deletes the kept endpoint. */
  deletion?: { at: Date; timeZone: string; roleArn: string };
  /** The on-demand price per instance-hour the confirmation showed (training.maxCostUsd). */
  trainingPricePerHour?: number;
  /** Milliseconds between DescribeTrainingJob / DescribeEndpoint polls (SageMaker SDK: 30 s). */
  pollMs?: number;
}

export interface CloudRunResult {
  steps: StepResult[];
  prepared: PrepareResult;
  jobName: string;
  job: DescribeTrainingJobCommandOutput;
  endpointName: string;
  prediction: PredictResult;
  /** True when the endpoint is still running (--keep-endpoint). */
  endpointKept: boolean;
  totalMs: number;
}

/** The training job ended Failed or Stopped: the run ends with its reason. */
export class TrainingJobFailedError extends UserError {
  constructor(
    readonly jobName: string,
    readonly status: string,
    readonly reason?: string,
  ) {
    super(`Training job ${jobName} ${status}${reason ? `: ${reason}` : ''}`, 'training');
  }
}

export async function runCloudWorkflow(
  spec: JobSpec,
  session: Connection,
  opts: CloudRunOptions,
): Promise<CloudRunResult> {
  const conn = withSpecBucket(session, spec);
  const { signal } = opts;
  const line = (l: string) => opts.onLine?.(l);
  if (!conn.role) {
    throw new UserError(
      'training.role: no execution role: pass --role, set SAGEMAKER_ROLE_ARN or training.role in the spec (a role SageMaker may assume)',
      'training.role',
    );
  }
  const steps: StepResult[] = [];
  const t0 = performance.now();
  const step = stepRunner(steps, opts.onStep, signal);

  // What this run created and must not leave behind.
  let runningJob: string | undefined;
  let endpointName: string | undefined;
  let endpointDeleted = false;

  const deleteEndpoint = async (name: string, cleanupSignal?: AbortSignal) => {
    const info = await planEndpointDelete(conn, name, { signal: cleanupSignal });
    const done = await executeDeletePlan(conn, info.plan, {
      signal: cleanupSignal,
      pollMs: opts.pollMs,
      onProgress: (p) => line(p.message),
    });
    endpointDeleted = true;
    return done;
  };

  try {
    const bucket = await ensureDefaultBucket(conn, signal);
    if (bucket.created) line(`created bucket s3://${conn.bucket}`);
    const specName = spec.file ? path.basename(spec.file).replace(/\.sagemaker-hf\.json$/, '') : 'spec';
    const outDir = path.join(opts.workspaceDir, '.sagemaker-hf', 'datasets', specName);
    let lastStage = '';
    const prepared = await step(
      'prepare',
      () =>
        prepareDataset(spec, {
          outDir,
          upload: conn,
          signal,
          hubToken: opts.hubToken,
          onProgress: (p) => {
            if (p.stage !== lastStage) line(`${p.stage}: ${p.message}`);
            lastStage = p.stage;
          },
        }),
      (r) =>
        `${Object.entries(r.channels)
          .map(([c, x]) => `${c} ${x.rows} rows`)
          .join(', ')}; ${r.labelNames.length} labels -> s3://${conn.bucket}/${spec.dataset.s3Prefix}/`,
    );

    const job = await step(
      'train',
      async () => {
        const started = await startTraining(spec, conn, {
          signal,
          onProgress: line,
          hubToken: opts.hubToken,
          trainingPricePerHour: opts.trainingPricePerHour,
        });
        runningJob = started.jobName;
        for (const w of started.warnings) line(`warning: ${w}`);
        line(`created training job ${started.jobName}`);
        const final = await waitForTrainingJob(conn, started.jobName, {
          signal,
          pollMs: opts.pollMs,
          onStatus: (d) => {
            const msg = d.SecondaryStatusTransitions?.at(-1)?.StatusMessage;
            line(`${d.TrainingJobStatus} (${d.SecondaryStatus ?? ''})${msg ? `: ${msg}` : ''}`);
          },
        });
        runningJob = undefined;
        if (final.TrainingJobStatus !== 'Completed')
          throw new TrainingJobFailedError(started.jobName, final.TrainingJobStatus ?? 'unknown', final.FailureReason);
        return final;
      },
      (d) => `${d.TrainingJobName} Completed -> ${d.ModelArtifacts?.S3ModelArtifacts ?? '(no model artifact)'}`,
    );
    const jobName = job.TrainingJobName!;

    let lastStatus = '';
    const deployed: DeployResult = await step(
      'deploy',
      () =>
        deployFromJob(conn, jobName, {
          instanceType: spec.deploy?.instanceType ?? 'ml.g4dn.xlarge',
          initialInstanceCount: spec.deploy?.initialInstanceCount ?? 1,
          endpointName: spec.deploy?.endpointName,
          ...(spec.deploy?.serverless ? { serverless: spec.deploy.serverless } : {}),
          ...(spec.deploy?.kmsKeyId ? { kmsKeyId: spec.deploy.kmsKeyId } : {}),
          ...(spec.tags ? { tags: spec.tags } : {}),
          signal,
          pollMs: opts.pollMs,
          afterCreate: async () => {
            const d = opts.keepEndpoint ? opts.deletion : undefined;
            // Set by the 'endpoint' status, which comes before this.
            const name = endpointName;
            if (!d || !name) return;
            try {
              const s = await scheduleEndpointDeletion(conn, { endpointName: name, ...d });
              line(`endpoint ${s.endpointName} ${deletesItselfText(s.at, new Date(), s.timeZone)}`);
            } catch (err) {
              line(`warning: the endpoint does NOT delete itself: ${errorLine(err)}`);
            }
          },
          onStatus: (s: DeployStatus) => {
            // From 'endpoint' on the endpoint exists (deployFromJob rolls back what came before itself).
            if (s.step === 'endpoint' || s.step === 'waiting' || s.step === 'done') endpointName = s.endpointName;
            if (s.step === 'failed' || s.step === 'rolled-back') endpointName = undefined;
            if (s.message !== lastStatus) line(s.message);
            lastStatus = s.message;
          },
        }),
      (r) => `endpoint ${r.endpointName} ${r.endpointStatus}`,
    );
    endpointName = deployed.endpointName;

    const prediction = await step(
      'predict',
      () => sageMakerPredictor(conn, deployed.endpointName).predict(NOTEBOOK_SENTENCE, signal),
      (r) => {
        const top = r.predictions[0]?.[0];
        return `"${NOTEBOOK_SENTENCE}" -> ${top ? `${top.label} (${top.score.toFixed(3)})` : JSON.stringify(r.raw)} in ${Math.round(r.latencyMs)} ms`;
      },
    );

    if (!opts.keepEndpoint) {
      await step(
        'delete',
        () => deleteEndpoint(deployed.endpointName, signal),
        (r) =>
          `deleted ${r.deleted.map((s) => `${s.kind} ${s.name}`).join(', ')}${r.kept.length ? `; kept ${r.kept.map((k) => `${k.kind} (${k.reason})`).join(', ')}` : ''}`,
      );
    }
    return {
      steps,
      prepared,
      jobName,
      job,
      endpointName: deployed.endpointName,
      prediction,
      endpointKept: !!opts.keepEndpoint,
      totalMs: performance.now() - t0,
    };
  } catch (err) {
    // Cleanup runs without the caller's signal: Ctrl-C is what often brings us here.
    if (err instanceof TrainingJobStartedError) runningJob = err.jobName;
    if (runningJob) {
      try {
        await stopTrainingJob(conn, runningJob);
        line(`stopped training job ${runningJob} (billing ends when it is Stopped)`);
      } catch (e) {
        line(
          `stopping training job ${runningJob} failed: ${errorLine(e)}; stop it with: aws sagemaker stop-training-job --training-job-name ${runningJob}`,
        );
      }
    }
    if (endpointName && !endpointDeleted) {
      if (opts.keepEndpoint) {
        line(`endpoint ${endpointName} kept (--keep-endpoint); delete it with: sagemaker-hf delete ${endpointName}`);
      } else {
        try {
          await deleteEndpoint(endpointName);
          line(`deleted endpoint ${endpointName}, its config and model (created by this run)`);
        } catch (e) {
          line(
            `deleting endpoint ${endpointName} failed: ${errorLine(e)}; delete it with: sagemaker-hf delete ${endpointName}`,
          );
        }
      }
    }
    if (signal?.aborted && !isCancelled(err)) throw new CancelledError();
    throw err;
  }
}
