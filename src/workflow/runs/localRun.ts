// The whole workflow on this machine: prepare (no upload) → train locally → deploy locally → predict
// the notebook's sentence → delete. Shared by `sagemaker-hf run --target local` and the extension's
// "Run Whole Workflow Locally". Nothing is left running when it settles, whatever happened, unless the
// caller keeps the endpoint.
import * as path from 'node:path';
import { errorLine } from '../../core/errors';
import { parseMetricsLine, type MetricRecord } from '../../core/training/metrics';
import { plannedSteps, StepMeter, type StepProgress } from '../../core/training/stepProgress';
import { accuracyBesideBaseline, majorityBaseline, type MajorityBaseline } from '../../core/training/baseline';
import type { JobSpec } from '../../core/spec/spec';
import { inferenceImage } from '../../core/images/inferenceImages';
import { startLocalEndpoint, type LocalEndpoint } from '../local/localEndpoint';
import { LOCAL_DIR, runLocalTraining, type LocalJobRecord } from '../local/localTraining';
import { httpPredictor, type PredictResult } from '../endpoints/predictor';
import { prepareDataset, type PrepareResult } from '../dataset/prepare';
import { NOTEBOOK_SENTENCE, stepRunner, type StepEvent, type StepResult } from './workflowSteps';

export interface LocalRunOptions {
  python: string;
  workspaceDir: string;
  /** training-scripts/ shipped with the tool (serve.py lives there). */
  scriptsDir: string;
  keepEndpoint?: boolean;
  signal?: AbortSignal;
  /** Progress lines (step starts and ends). */
  onStep?: (event: StepEvent) => void;
  /** Output of the steps (training log lines, server start). */
  onLine?: (line: string) => void;
  onJob?: (job: LocalJobRecord) => void;
  /** Each logged training step: the step, of how many, and the samples per second. */
  onProgress?: (p: StepProgress) => void;
  hubToken?: string;
  /** The Python's torch/transformers versions: the run says where they differ from the spec's. */
  pythonPackages?: Partial<Record<'torch' | 'transformers', string | null>>;
  /** The Python is the tool's own environment (what is missing of requirements.txt is said apart). */
  ownEnvironment?: boolean;
}

export interface LocalRunResult {
  steps: StepResult[];
  prepared: PrepareResult;
  job: LocalJobRecord;
  prediction: PredictResult;
  /** Set (and running) when the endpoint was kept. */
  endpoint?: LocalEndpoint;
  finalMetrics: MetricRecord;
  /** Always answering the training split's most frequent label, scored on the evaluation split. */
  baseline?: MajorityBaseline;
  totalMs: number;
}

/** transformers of the inference image that deploying this spec's training would use. */
export function deployedTransformers(spec: JobSpec): string {
  const t = spec.training;
  const versions =
    t.transformersVersion && t.pytorchVersion
      ? { transformers: t.transformersVersion, pytorch: t.pytorchVersion }
      : undefined;
  return inferenceImage(versions, 'ml.m5.xlarge', 'us-east-1').transformers;
}

export async function runLocalWorkflow(spec: JobSpec, opts: LocalRunOptions): Promise<LocalRunResult> {
  const steps: StepResult[] = [];
  const t0 = performance.now();
  const step = stepRunner(steps, opts.onStep, opts.signal);
  const specName = spec.file ? path.basename(spec.file).replace(/\.sagemaker-hf\.json$/, '') : 'spec';
  const outDir = path.join(opts.workspaceDir, LOCAL_DIR, 'datasets', specName);
  const prepared = await step(
    'prepare',
    () =>
      prepareDataset(spec, {
        outDir,
        signal: opts.signal,
        hubToken: opts.hubToken,
        onProgress: (p) => opts.onLine?.(`${p.stage}: ${p.message}`),
      }),
    (r) =>
      `${Object.entries(r.channels)
        .map(([c, x]) => `${c} ${x.rows} rows`)
        .join(', ')}; ${r.labelNames.length} labels -> ${r.outDir}`,
  );
  const metrics: MetricRecord = {};
  const baseline = majorityBaseline(prepared.report);
  const hps = spec.training.hyperparameters as Record<string, unknown>;
  const meter = new StepMeter(
    Number(hps['train_batch_size'] ?? 32),
    plannedSteps(prepared.channels['train']?.rows ?? 0, hps),
  );
  const job = await step(
    'train',
    () =>
      runLocalTraining(spec, {
        python: opts.python,
        pythonPackages: opts.pythonPackages,
        ownEnvironment: opts.ownEnvironment,
        channels: Object.fromEntries(Object.entries(prepared.channels).map(([c, x]) => [c, x.dir])),
        workspaceDir: opts.workspaceDir,
        signal: opts.signal,
        labelNames: prepared.labelNames,
        onStatus: opts.onJob,
        onLine: (l) => {
          const m = parseMetricsLine(l);
          if (m) Object.assign(metrics, m);
          if (m?.step !== undefined && m.loss !== undefined) opts.onProgress?.(meter.step(m.step, performance.now()));
          opts.onLine?.(l);
        },
      }),
    (j) =>
      `${j.jobName} ${j.status}${metrics.eval_accuracy !== undefined ? `, ${accuracyBesideBaseline(metrics.eval_accuracy, baseline)}` : ''} -> ${j.modelArtifact}`,
  );
  let endpoint: LocalEndpoint | undefined;
  try {
    endpoint = await step(
      'deploy',
      () =>
        startLocalEndpoint({
          python: opts.python,
          model: job.modelArtifact!,
          workspaceDir: opts.workspaceDir,
          serveScript: path.join(opts.scriptsDir, 'serve.py'),
          jobName: job.jobName,
          labelNames: prepared.labelNames,
          signal: opts.signal,
          onLine: opts.onLine,
          keepAfterExit: opts.keepEndpoint,
          // The image `deploy` would pick for this spec; serve.py answers as its transformers does.
          imageTransformers: deployedTransformers(spec),
        }),
      (e) => `${e.name} at ${e.url}`,
    );
    const ep = endpoint;
    const prediction = await step(
      'predict',
      () =>
        httpPredictor(ep.url, `local endpoint ${ep.name}`, { token: ep.token }).predict(NOTEBOOK_SENTENCE, opts.signal),
      (p) => {
        const top = p.predictions[0]?.[0];
        return `"${NOTEBOOK_SENTENCE}" -> ${top ? `${top.label} (${top.score.toFixed(3)})` : '(no label)'}`;
      },
    );
    if (!opts.keepEndpoint) {
      await step(
        'delete',
        () => ep.stop(),
        () => `endpoint ${ep.name} stopped`,
      );
      endpoint = undefined;
    }
    return {
      steps,
      prepared,
      job,
      prediction,
      endpoint,
      finalMetrics: metrics,
      baseline,
      totalMs: performance.now() - t0,
    };
  } catch (err) {
    if (endpoint) {
      try {
        await endpoint.stop();
      } catch (e) {
        opts.onLine?.(`[local] stopping the endpoint failed: ${errorLine(e)}`);
      }
    }
    throw err;
  }
}
