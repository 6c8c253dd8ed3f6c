// Local training: train.py runs on this machine exactly as the SageMaker training toolkit runs it in the
// container (same arguments, same SM_* environment), with the container's /opt/ml layout mapped into a
// job folder in the workspace:
//
//   .sagemaker-hf/jobs/<jobName>/
//     job.json            status (InProgress/Completed/Failed/Stopped), times, exit code, args, SM_* env
//     train.log           everything the script printed
//     input/config/       hyperparameters.json, inputdataconfig.json, resourceconfig.json
//     model/              SM_MODEL_DIR
//     output/data/        SM_OUTPUT_DATA_DIR
//     output/model.tar.gz model/ packaged like SageMaker's (entries at the archive root)
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import { containerInvocation, decodeHyperparameters } from '../../core/training/containerContract';
import { buildHyperParameters } from '../../core/training/hyperparameters';
import { CancelledError, UserError } from '../../core/errors';
import { nameFromBase } from '../../core/sagemaker/jobName';
import type { JobSpec } from '../../core/spec/spec';
import { groupAlive, runCollect, spawnGroup, type GroupExit } from './processGroup';
import { localDifferences, requirementsAdvice } from '../../core/training/localDifferences';
import { pushToHubHyperparameters } from '../../core/training/trainingOptions';
import { unsatisfiedRequirements } from './requirementsCheck';
import { RehearsalTracker, rehearsalLine, SPOT_GRACE_SECONDS, type SpotRehearsal } from './spotRehearsal';

export type LocalJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopped';

export interface LocalJobRecord {
  jobName: string;
  status: LocalJobStatus;
  local: true;
  createdAt: string;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  failureReason?: string;
  /** The last lines the script printed, for a failed job. */
  lastLines?: string[];
  pid?: number;
  python: string;
  sourceDir: string;
  entryPoint: string;
  args: string[];
  /** Only the variables the contract sets (SM_*, SAGEMAKER_*): never the user's environment. */
  env: Record<string, string>;
  channels: Record<string, string>;
  hyperparameters: Record<string, unknown>;
  jobDir: string;
  modelDir: string;
  outputDataDir: string;
  modelArtifact?: string;
  specFile?: string;
  labelNames?: string[];
  /** What the local run does not do that the SageMaker job would (said before it started). */
  notApplied?: string[];
  /** The spot interruption rehearsal, when one was asked for. */
  spotRehearsal?: SpotRehearsal;
}

export const LOCAL_DIR = '.sagemaker-hf';

export function jobsDir(workspaceDir: string): string {
  return path.join(workspaceDir, LOCAL_DIR, 'jobs');
}

/**
 * SageMaker's naming rule (`name_from_base`): the base cut to fit 63 characters with a UTC timestamp
 * `YYYY-MM-DD-HH-MM-SS-mmm`. Characters the API refuses become '-'.
 */
export function localJobName(base: string, now = new Date()): string {
  const clean = base.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/^-+/, '') || 'local';
  return nameFromBase(clean, now);
}

/** GPUs nvidia-smi lists; 0 without nvidia-smi (what SM_NUM_GPUS says on a CPU instance). */
export async function countGpus(signal?: AbortSignal): Promise<number> {
  const r = await runCollect('nvidia-smi', ['-L'], { signal, timeoutMs: 15_000 });
  if (r.code !== 0) return 0;
  return r.stdout.split('\n').filter((l) => /^GPU \d+/.test(l)).length;
}

async function writeJson(file: string, data: unknown): Promise<void> {
  const tmp = `${file}.tmp`;
  // Hyperparameters may hold integers beyond 2^53 (bigint), which JSON.stringify refuses.
  await writeFile(tmp, JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n');
  await rename(tmp, file);
}

/** A job folder's record; a job.json that is missing is undefined, one that is corrupt is said through onNote. */
export async function readLocalJob(
  jobDir: string,
  onNote?: (message: string) => void,
): Promise<LocalJobRecord | undefined> {
  const file = path.join(jobDir, 'job.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const rec = JSON.parse(text) as LocalJobRecord;
    if (!rec || typeof rec !== 'object' || typeof rec.jobName !== 'string' || typeof rec.createdAt !== 'string')
      throw new Error('it has no jobName and createdAt');
    // A job whose process is gone without recording an end (editor or machine crashed) did not finish.
    if (rec.status === 'InProgress' && rec.pid && !groupAlive(rec.pid)) {
      return {
        ...rec,
        status: 'Failed',
        failureReason: 'the training process is no longer running (it ended without recording a result)',
      };
    }
    return rec;
  } catch (err) {
    onNote?.(`${file} is unreadable (${(err as Error).message}); local job ${path.basename(jobDir)} was skipped`);
    return undefined;
  }
}

/** Local jobs of a workspace, newest first; a corrupt job.json is said through onNote and skipped. */
export async function listLocalJobs(
  workspaceDir: string,
  onNote?: (message: string) => void,
): Promise<LocalJobRecord[]> {
  let names: string[];
  try {
    names = await readdir(jobsDir(workspaceDir));
  } catch {
    return [];
  }
  const jobs = (await Promise.all(names.map((n) => readLocalJob(path.join(jobsDir(workspaceDir), n), onNote)))).filter(
    (j): j is LocalJobRecord => !!j,
  );
  return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** model.tar.gz like SageMaker's: the contents of the model folder at the archive root. */
export async function packageModel(modelDir: string, file: string): Promise<void> {
  const entries = (await readdir(modelDir)).sort();
  if (entries.length === 0)
    throw new UserError(`packaging the model failed: ${modelDir} is empty (train.py saved nothing to SM_MODEL_DIR)`);
  await tar.c({ gzip: true, file, cwd: modelDir, portable: true }, entries);
}

/** The region a local job says it runs in (SAGEMAKER_REGION): the caller's connection, else the AWS variables. */
export function localRegion(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
}

/** sagemaker_submit_directory as the SDK uploads it, in a bucket named for the local target. */
export function localSubmitDirectory(region: string, jobName: string): string {
  return `s3://sagemaker-${region}-local/${jobName}/source/sourcedir.tar.gz`;
}

/**
 * The HyperParameters map a CreateTrainingJob of this spec would carry (the SDK's sagemaker_* keys and the
 * Training Compiler flags included), so the toolkit's view of it (SM_FRAMEWORK_PARAMS, SM_TRAINING_ENV,
 * SAGEMAKER_REGION) is the container's.
 */
export function localHyperParameters(
  spec: JobSpec,
  jobName: string,
  region: string,
  hfEndpoint?: string,
): Record<string, string> {
  const t = spec.training;
  // pushToHub is rehearsed only against a Hub of the user's own (HF_ENDPOINT), never the public one.
  const user = hfEndpoint ? pushToHubHyperparameters(t, { ...t.hyperparameters }) : { ...t.hyperparameters };
  if (t.compiler === 'torch-compile' && !('torch_compile' in user)) user['torch_compile'] = true;
  return buildHyperParameters(user, {
    submitDirectory: localSubmitDirectory(region, jobName),
    program: t.entryPoint,
    jobName,
    region,
    instanceType: 'local',
    trainingCompiler:
      t.compiler === 'training-compiler' ? { enabled: true, debug: t.compilerDebug === true } : undefined,
  });
}

export interface LocalTrainingOptions {
  python: string;
  /** Channel name -> a prepared dataset folder (datasets.save_to_disk). */
  channels: Record<string, string>;
  workspaceDir: string;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Called when the job folder exists and the process started, and at the end, with the record. */
  onStatus?: (job: LocalJobRecord) => void;
  jobName?: string;
  labelNames?: string[];
  /** SAGEMAKER_REGION for the script; default localRegion(). */
  region?: string;
  /** Whether the Python is the tool's own environment (said in the requirements note). */
  ownEnvironment?: boolean;
  /** The chosen Python's versions, to say where they differ from the spec's image. */
  pythonPackages?: Partial<Record<'torch' | 'transformers', string | null>>;
  /**
   * Spot interruption rehearsal: after this many seconds the script gets SIGTERM, as SageMaker sends it
   * when it reclaims a spot instance, has up to graceSeconds to exit, and is started again with its
   * checkpoints folder kept.
   */
  interruptAfterSeconds?: number;
  /** Default SPOT_GRACE_SECONDS (SageMaker's); tests shorten it. */
  interruptGraceSeconds?: number;
  /** HF_ENDPOINT (default: the environment's): pushToHub is rehearsed against it. */
  hfEndpoint?: string;
  /** HF_TOKEN for that push (default: the environment's), as the job's Environment carries it. */
  hubToken?: string;
}

const exitText = (e: GroupExit) => (e.signal ? `signal ${e.signal}` : `exit code ${e.code}`);

export class LocalTrainingFailedError extends UserError {
  constructor(
    message: string,
    readonly job: LocalJobRecord,
  ) {
    super(message);
  }
}

const TAIL = 20;

/**
 * Runs the spec's entry point locally. Resolves with the Completed record; throws
 * LocalTrainingFailedError (Failed: exit code or signal and the last lines) or CancelledError (Stopped).
 * The whole process group is gone when this settles, whatever happened.
 */
export async function runLocalTraining(spec: JobSpec, opts: LocalTrainingOptions): Promise<LocalJobRecord> {
  const t = spec.training;
  const entry = path.join(t.sourceDir, t.entryPoint);
  if (!existsSync(entry))
    throw new UserError(
      `training.entryPoint: ${entry} does not exist (training.sourceDir + training.entryPoint)`,
      'training.entryPoint',
    );
  for (const [c, d] of Object.entries(opts.channels)) {
    if (!existsSync(d))
      throw new UserError(`channel '${c}': ${d} does not exist; prepare the dataset first`, `dataset.splits.${c}`);
  }
  if (opts.signal?.aborted) throw new CancelledError();
  const jobName = opts.jobName ?? localJobName(t.baseJobName ?? 'huggingface-pytorch-training');
  const region = opts.region ?? localRegion();
  const hfEndpoint = opts.hfEndpoint ?? (process.env.HF_ENDPOINT || undefined);
  const interruptAfter = opts.interruptAfterSeconds;
  if (interruptAfter !== undefined && !(interruptAfter > 0))
    throw new UserError(
      `--interrupt-after must be a number of seconds above 0, got ${interruptAfter}`,
      'interrupt-after',
    );
  // The push is rehearsed as the job makes it: train.py reads HF_TOKEN and HF_ENDPOINT from its
  // environment. Without a token it would fail only after training, so it is said now (as a cloud run
  // refuses to start without one).
  const hubToken = opts.hubToken ?? (process.env.HF_TOKEN || undefined);
  if (t.pushToHub && hfEndpoint && !hubToken)
    throw new UserError(
      `training.pushToHub: the local run pushes ${t.pushToHub.repo} to HF_ENDPOINT ${hfEndpoint} as the job would, and needs a token with write access there: set HF_TOKEN (or unset HF_ENDPOINT to skip the push)`,
      'training.pushToHub',
    );
  const jobDir = path.join(jobsDir(opts.workspaceDir), jobName);
  const layout = {
    channels: opts.channels,
    modelDir: path.join(jobDir, 'model'),
    outputDir: path.join(jobDir, 'output'),
    outputDataDir: path.join(jobDir, 'output', 'data'),
    outputIntermediateDir: path.join(jobDir, 'output', 'intermediate'),
    inputDir: path.join(jobDir, 'input'),
    inputConfigDir: path.join(jobDir, 'input', 'config'),
    // In the container SM_MODULE_DIR is the S3 URI of sourcedir.tar.gz, not a folder: a script that
    // reads files through it fails here as it would there. Nothing is uploaded.
    moduleDir: localSubmitDirectory(region, jobName),
    entryPoint: t.entryPoint,
    jobName,
    numGpus: await countGpus(opts.signal),
    numCpus: os.cpus().length,
    instanceType: 'local',
    region,
  };
  const inv = containerInvocation(
    decodeHyperparameters(localHyperParameters(spec, jobName, region, hfEndpoint)),
    layout,
  );
  // The container's /opt/ml/checkpoints (CheckpointConfig): kept across the rehearsal's restart.
  const checkpointDir = path.join(jobDir, 'checkpoints');
  const resumable = !!t.spot || interruptAfter !== undefined;
  if (resumable) {
    inv.env['SM_HF_CHECKPOINT_DIR'] = checkpointDir;
    await mkdir(checkpointDir, { recursive: true });
  }
  const notApplied = localDifferences(spec, { packages: opts.pythonPackages, hfEndpoint, checkpointDir });
  const unmet = await unsatisfiedRequirements(opts.python, t.sourceDir, opts.signal);
  if (unmet.length)
    notApplied.push(
      requirementsAdvice({
        python: opts.python,
        file: path.join(t.sourceDir, 'requirements.txt'),
        unmet,
        ownEnvironment: !!opts.ownEnvironment,
      }).line,
    );
  for (const d of [layout.modelDir, layout.outputDataDir, layout.outputIntermediateDir, layout.inputConfigDir])
    await mkdir(d, { recursive: true });
  for (const [name, text] of Object.entries(inv.configFiles))
    await writeFile(path.join(layout.inputConfigDir, name), text + '\n');
  const record: LocalJobRecord = {
    jobName,
    status: 'InProgress',
    local: true,
    createdAt: new Date().toISOString(),
    python: opts.python,
    sourceDir: t.sourceDir,
    entryPoint: t.entryPoint,
    args: inv.args,
    env: inv.env,
    channels: opts.channels,
    hyperparameters: t.hyperparameters,
    jobDir,
    modelDir: layout.modelDir,
    outputDataDir: layout.outputDataDir,
    specFile: spec.file,
    labelNames: opts.labelNames,
    ...(notApplied.length ? { notApplied } : {}),
  };
  const jobFile = path.join(jobDir, 'job.json');
  const log = createWriteStream(path.join(jobDir, 'train.log'), { flags: 'a' });
  const tail: string[] = [];
  const rehearsal =
    interruptAfter !== undefined ? new RehearsalTracker({ interruptAfterSeconds: interruptAfter }) : undefined;
  const emit = (line: string) => {
    rehearsal?.line(line);
    log.write(line + '\n');
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
    opts.onLine?.(line);
  };
  emit(`[local] ${jobName}: ${opts.python} ${t.entryPoint} ${inv.args.join(' ')}`);
  emit(
    `[local] cwd ${t.sourceDir}; SM_MODEL_DIR=${layout.modelDir}; SM_NUM_GPUS=${layout.numGpus}; channels ${Object.entries(
      opts.channels,
    )
      .map(([c, d]) => `${c}=${d}`)
      .join(' ')}`,
  );

  // SageMaker stops a job at MaxRuntimeInSeconds; so does the local target.
  const maxRun = new AbortController();
  const timer = setTimeout(() => maxRun.abort(), t.maxRuntimeInSeconds * 1000);
  const stopSignal = opts.signal ? AbortSignal.any([opts.signal, maxRun.signal]) : maxRun.signal;
  for (const n of notApplied) emit(`[local] not applied locally: ${n}`);
  const start = async () => {
    const p = spawnGroup(opts.python, [t.entryPoint, ...inv.args], {
      cwd: t.sourceDir,
      env: {
        ...process.env,
        ...inv.env,
        ...(t.pushToHub && hfEndpoint && hubToken ? { HF_ENDPOINT: hfEndpoint, HF_TOKEN: hubToken } : {}),
      },
      signal: stopSignal,
      onLine: (l) => emit(l),
    });
    record.pid = p.pid;
    await writeJson(jobFile, record);
    opts.onStatus?.({ ...record });
    return p;
  };
  let proc = await start();
  if (rehearsal) {
    const due = await new Promise<boolean>((resolve) => {
      const at = setTimeout(() => resolve(true), interruptAfter! * 1000);
      void proc.exited.then(() => {
        clearTimeout(at);
        resolve(false);
      });
    });
    if (!due && !stopSignal.aborted) rehearsal.report.finishedFirst = true;
    else if (!stopSignal.aborted) {
      const grace = opts.interruptGraceSeconds ?? SPOT_GRACE_SECONDS;
      emit(
        `[local] spot rehearsal: SIGTERM to ${t.entryPoint} after ${interruptAfter} s, as SageMaker sends it when it reclaims a spot instance; it has ${grace} s to save a checkpoint`,
      );
      const first = await proc.stop(grace * 1000);
      rehearsal.report.firstExit = exitText(first);
      if (!stopSignal.aborted) {
        emit(
          `[local] spot rehearsal: ${t.entryPoint} ended (${exitText(first)}); starting it again with ${checkpointDir} kept, as SageMaker restarts a spot job on new capacity`,
        );
        rehearsal.restarted();
        proc = await start();
      }
    }
  }
  const exit = await proc.exited;
  clearTimeout(timer);
  if (rehearsal) {
    record.spotRehearsal = rehearsal.finish();
    emit(`[local] ${rehearsalLine(record.spotRehearsal)}`);
  }
  record.endedAt = new Date().toISOString();
  record.exitCode = exit.code;
  record.signal = exit.signal;
  let error: Error | undefined;
  if (opts.signal?.aborted) {
    record.status = 'Stopped';
    record.failureReason = 'stopped by the user';
    error = new CancelledError();
  } else if (maxRun.signal.aborted) {
    record.status = 'Stopped';
    record.failureReason = `MaxRuntimeExceeded: the job ran longer than training.maxRuntimeInSeconds (${t.maxRuntimeInSeconds} s)`;
    error = new LocalTrainingFailedError(`local training ${jobName} stopped: ${record.failureReason}`, record);
  } else if (exit.code === 0) {
    try {
      record.modelArtifact = path.join(layout.outputDir, 'model.tar.gz');
      await packageModel(layout.modelDir, record.modelArtifact);
      record.status = 'Completed';
      emit(`[local] model packaged: ${record.modelArtifact}`);
    } catch (err) {
      record.status = 'Failed';
      record.modelArtifact = undefined;
      record.failureReason = (err as Error).message;
      error = new LocalTrainingFailedError(`local training ${jobName} failed: ${record.failureReason}`, record);
    }
  } else {
    record.status = 'Failed';
    record.lastLines = tail.filter((l) => !l.startsWith('[local]')).slice(-10);
    const how = exit.signal
      ? `was killed by ${exit.signal}`
      : exit.code === 127
        ? `could not start ${opts.python}`
        : `exited with code ${exit.code}`;
    record.failureReason = `${t.entryPoint} ${how}`;
    const last = record.lastLines
      .filter((l) => l.trim())
      .slice(-3)
      .join(' | ');
    error = new LocalTrainingFailedError(
      `local training ${jobName} failed: ${record.failureReason}${last ? `; last lines: ${last}` : ''} (log: ${path.join(jobDir, 'train.log')})`,
      record,
    );
  }
  delete record.pid;
  emit(`[local] ${jobName} ${record.status}${record.failureReason ? `: ${record.failureReason}` : ''}`);
  await new Promise<void>((r) => log.end(r));
  await writeJson(jobFile, record);
  opts.onStatus?.({ ...record });
  if (error) throw error;
  return record;
}
