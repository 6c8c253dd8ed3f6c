// What the job details page lists about one training job, as the console does: instances, times and
// duration, training vs billable seconds and the spot saving, the secondary status history, the
// hyperparameters as sent, channels, output and checkpoint locations, the artifact, the image and the
// failure reason; the same page for a local job from its record. Pure: the page only renders the groups,
// and which actions it offers (Deploy, Stop, Copy ARN) is decided here from the same facts.
import {
  OFFLINE_LABEL,
  dollars,
  formatWarmPool,
  jobBilling,
  warmPoolOf,
  type JobBillingFields,
} from '../billing/billing';

export interface FactRow {
  label: string;
  value: string;
  /** A path, URI or identifier: shown in a monospace font and never wrapped mid-word by the page. */
  code?: boolean;
}

export interface FactGroup {
  title: string;
  rows: FactRow[];
}

/** What the page's buttons may do for this job; each is false when it would fail or mean nothing. */
export interface JobActions {
  deploy: boolean;
  stop: boolean;
  /** The job's ARN (SageMaker jobs); Copy ARN is shown only with one. */
  arn?: string;
}

/** The fields of DescribeTrainingJob read here (a subset, so the unit tests need no SDK types). */
export interface JobFactsFields extends JobBillingFields {
  TrainingJobName?: string;
  TrainingJobArn?: string;
  SecondaryStatus?: string;
  FailureReason?: string;
  CreationTime?: Date | string;
  TrainingStartTime?: Date | string;
  TrainingEndTime?: Date | string;
  HyperParameters?: Record<string, string>;
  AlgorithmSpecification?: { TrainingImage?: string; TrainingInputMode?: string };
  RoleArn?: string;
  InputDataConfig?: { ChannelName?: string; DataSource?: { S3DataSource?: { S3Uri?: string } } }[];
  OutputDataConfig?: { S3OutputPath?: string };
  CheckpointConfig?: { S3Uri?: string; LocalPath?: string };
  ModelArtifacts?: { S3ModelArtifacts?: string };
  StoppingCondition?: { MaxRuntimeInSeconds?: number; MaxWaitTimeInSeconds?: number };
  SecondaryStatusTransitions?: {
    Status?: string;
    StartTime?: Date | string;
    EndTime?: Date | string;
    StatusMessage?: string;
  }[];
  ResourceConfig?: JobBillingFields['ResourceConfig'] & { VolumeSizeInGB?: number };
}

/** "1h 02m 05s", "4m 10s", "12s": the page's durations, to the second as the console shows them. */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (h) return `${h}h ${two(m)}m ${two(sec)}s`;
  if (m) return `${m}m ${two(sec)}s`;
  return `${sec}s`;
}

/** An ISO-8601 UTC time without milliseconds: the same text in every locale and in the tests. */
export function formatTime(t: Date | string | undefined): string | undefined {
  if (t === undefined) return undefined;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return undefined;
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', ' ');
}

const ms = (t: Date | string | undefined) => (t === undefined ? undefined : new Date(t).getTime());

function row(rows: FactRow[], label: string, value: string | number | undefined, code?: boolean): void {
  if (value === undefined || value === '') return;
  rows.push({ label, value: String(value), ...(code ? { code: true } : {}) });
}

/** The groups of facts for a SageMaker job, in the console's order; empty groups are left out. */
export function sageMakerJobFacts(d: JobFactsFields, region: string, now = new Date()): FactGroup[] {
  const groups: FactGroup[] = [];
  const overview: FactRow[] = [];
  row(
    overview,
    'Status',
    d.SecondaryStatus && d.SecondaryStatus !== d.TrainingJobStatus
      ? `${d.TrainingJobStatus ?? '?'} (${d.SecondaryStatus})`
      : d.TrainingJobStatus,
  );
  row(overview, 'Failure reason', d.FailureReason);
  const rc = d.ResourceConfig;
  if (rc?.InstanceType)
    row(
      overview,
      'Instances',
      `${rc.InstanceType} × ${rc.InstanceCount ?? 1}${rc.VolumeSizeInGB ? ` · ${rc.VolumeSizeInGB} GB volume` : ''}`,
    );
  row(overview, 'Capacity', d.EnableManagedSpotTraining ? 'managed spot' : 'on-demand');
  row(overview, 'Created', formatTime(d.CreationTime));
  row(overview, 'Started', formatTime(d.TrainingStartTime));
  row(overview, 'Ended', formatTime(d.TrainingEndTime));
  const start = ms(d.TrainingStartTime) ?? ms(d.CreationTime);
  const end = ms(d.TrainingEndTime);
  if (start !== undefined) {
    const running = end === undefined && !/^(Completed|Failed|Stopped)$/.test(d.TrainingJobStatus ?? '');
    if (end !== undefined) row(overview, 'Duration', formatSeconds((end - start) / 1000));
    else if (running) row(overview, 'Duration', `${formatSeconds((now.getTime() - start) / 1000)} so far`);
  }
  if (d.StoppingCondition?.MaxRuntimeInSeconds)
    row(overview, 'Max runtime', formatSeconds(d.StoppingCondition.MaxRuntimeInSeconds));
  row(overview, 'Image', d.AlgorithmSpecification?.TrainingImage, true);
  row(overview, 'Role', d.RoleArn, true);
  row(overview, 'ARN', d.TrainingJobArn, true);
  groups.push({ title: 'Overview', rows: overview });

  const billing: FactRow[] = [];
  const b = jobBilling(d, region);
  if (b.trainingSeconds !== undefined)
    row(billing, 'Training time', `${b.trainingSeconds} s (${formatSeconds(b.trainingSeconds)})`);
  if (b.billableSeconds !== undefined)
    row(billing, 'Billable time', `${b.billableSeconds} s (${formatSeconds(b.billableSeconds)})`);
  if (b.billedDollars !== undefined)
    row(billing, 'Cost at the on-demand price', `about ${dollars(b.billedDollars)}, ${OFFLINE_LABEL}`);
  if (b.savingPercent !== undefined)
    row(
      billing,
      'Spot saving',
      `${b.savingPercent.toFixed(0)}%${b.savingDollars !== undefined ? ` (about ${dollars(b.savingDollars)}, ${OFFLINE_LABEL})` : ''}`,
    );
  if (d.StoppingCondition?.MaxWaitTimeInSeconds)
    row(billing, 'Max wait (spot)', formatSeconds(d.StoppingCondition.MaxWaitTimeInSeconds));
  const pool = warmPoolOf(d, region);
  if (pool?.requested) row(billing, 'Warm pool', `requested (keep alive ${formatSeconds(pool.keepAliveSeconds ?? 0)})`);
  else if (pool) row(billing, 'Warm pool', formatWarmPool(pool, now).replace(/^warm pool /, ''));
  groups.push({ title: 'Billing', rows: billing });

  const history: FactRow[] = [];
  for (const t of d.SecondaryStatusTransitions ?? []) {
    const from = ms(t.StartTime),
      to = ms(t.EndTime);
    const took = from !== undefined && to !== undefined ? ` · ${formatSeconds((to - from) / 1000)}` : '';
    row(
      history,
      t.Status ?? '?',
      `${formatTime(t.StartTime) ?? '?'}${took}${t.StatusMessage ? ` · ${t.StatusMessage}` : ''}`,
    );
  }
  groups.push({ title: 'Status history', rows: history });

  const hp: FactRow[] = [];
  for (const [k, v] of Object.entries(d.HyperParameters ?? {}).sort(([a], [b2]) => a.localeCompare(b2)))
    row(hp, k, v, true);
  groups.push({ title: 'Hyperparameters (as sent)', rows: hp });

  const channels: FactRow[] = [];
  for (const c of d.InputDataConfig ?? [])
    row(channels, c.ChannelName ?? '?', c.DataSource?.S3DataSource?.S3Uri ?? '?', true);
  groups.push({ title: 'Input channels', rows: channels });

  const output: FactRow[] = [];
  row(output, 'Output path', d.OutputDataConfig?.S3OutputPath, true);
  row(output, 'Model artifact', d.ModelArtifacts?.S3ModelArtifacts, true);
  row(output, 'Checkpoints', d.CheckpointConfig?.S3Uri, true);
  groups.push({ title: 'Output', rows: output });
  return groups.filter((g) => g.rows.length > 0);
}

/** The fields of a local job's record read here. */
export interface LocalJobFactsFields {
  status: string;
  createdAt: string;
  endedAt?: string;
  failureReason?: string;
  entryPoint: string;
  args: string[];
  channels: Record<string, string>;
  modelArtifact?: string;
  jobDir: string;
  hyperparameters?: Record<string, unknown>;
}

export function localJobFacts(j: LocalJobFactsFields, now = new Date()): FactGroup[] {
  const overview: FactRow[] = [];
  row(overview, 'Status', j.status);
  row(overview, 'Failure reason', j.failureReason);
  row(overview, 'Where', 'this machine (local)');
  row(overview, 'Created', formatTime(j.createdAt));
  row(overview, 'Ended', formatTime(j.endedAt));
  const start = ms(j.createdAt);
  const end = ms(j.endedAt);
  if (start !== undefined && !Number.isNaN(start))
    row(
      overview,
      'Duration',
      end !== undefined
        ? formatSeconds((end - start) / 1000)
        : `${formatSeconds((now.getTime() - start) / 1000)} so far`,
    );
  row(overview, 'Command', `python ${j.entryPoint} ${j.args.join(' ')}`.trim(), true);
  const hp: FactRow[] = [];
  for (const [k, v] of Object.entries(j.hyperparameters ?? {}))
    row(hp, k, typeof v === 'string' ? v : JSON.stringify(v), true);
  const channels: FactRow[] = [];
  for (const [c, dir] of Object.entries(j.channels)) row(channels, c, dir, true);
  const output: FactRow[] = [];
  row(output, 'Job folder', j.jobDir, true);
  row(output, 'Model artifact', j.modelArtifact, true);
  return [
    { title: 'Overview', rows: overview },
    { title: 'Hyperparameters (as sent)', rows: hp },
    { title: 'Input channels', rows: channels },
    { title: 'Output', rows: output },
  ].filter((g) => g.rows.length > 0);
}

/** Deploy needs a finished job with a model; Stop a job still running. */
export function jobActions(status: string, hasModel: boolean, arn?: string): JobActions {
  const s = status.replace(/^Local job:\s*/, '');
  return {
    deploy: s === 'Completed' && hasModel,
    stop: s === 'InProgress',
    ...(arn ? { arn } : {}),
  };
}
