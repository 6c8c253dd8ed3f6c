// The CreateTrainingJob request of HuggingFace(..., compiler_config=TrainingCompilerConfig()).fit({...})
// (SageMaker Python SDK v2.257, no SageMaker config file), built from a job spec without any AWS call.
//
// Field for field the SDK's request, plus two documented additions that only help the user:
//  - Tags: {sagemaker-hf:created-by = sagemaker-hf} marks resources this extension created, and
//    {sagemaker-hf:spec = <spec file name>} names the spec they came from (the tree and cleanup use them).
//  - AlgorithmSpecification.MetricDefinitions: regexes for the `[metrics] k=v` lines train.py prints
//    (src/core/training/metrics.ts), so SageMaker charts loss/accuracy in the console and DescribeTrainingJob
//    returns FinalMetricDataList.
// torch-compile path: a plain Hugging Face PyTorch 2.x image, no compiler keys, and `torch_compile: true`
// as an ordinary hyperparameter that train.py reads.
import * as path from 'node:path';
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';
import { checkRoleArn, crossAccountNote } from '../sagemaker/apiChecks';
import { buildHyperParameters } from './hyperparameters';
import { checkJobName, nameFromBase } from '../sagemaker/jobName';
import { metricDefinitions } from './metrics';
import { executionRoleArn, jobTags, sessionBucket, type RequestContext } from '../sagemaker/requestContext';
import { isLocalPath, type HyperparameterValue, type JobSpec } from '../spec/spec';
import { validateTraining, type ValidatedTraining } from './trainingValidation';
import { applyCostCap, planCostCap, type CostCapPlan } from './costCap';
import {
  applyHubToken,
  applySpotAndWarmPool,
  pushToHubHyperparameters,
  validateTrainingOptions,
} from './trainingOptions';
import {
  applyAccountOptions,
  codeChannel,
  CONTAINER_CODE_SOURCEDIR,
  networkIsolationProblems,
  sourceLocation,
} from './accountOptions';
import { userTags } from '../sagemaker/tags';

export interface TrainingRequest {
  jobName: string;
  request: CreateTrainingJobRequest;
  sourceS3Uri: string;
  /** SSEKMSKeyId of the source upload (training.outputKmsKeyId when the source goes to the output bucket). */
  sourceKmsKeyId?: string;
  validated: ValidatedTraining;
  /** A local model_id folder: uploaded here as the "model" channel; the path itself is never sent. */
  localModel?: { dir: string; s3Uri: string };
  /** training.maxCostUsd turned into MaxRuntimeInSeconds, with the confirmation's line. */
  costCap?: CostCapPlan;
}

/** A local model_id folder reaches the container as this channel (SM_CHANNEL_MODEL). */
export const LOCAL_MODEL_CHANNEL = 'model';
export const CONTAINER_MODEL_DIR = `/opt/ml/input/data/${LOCAL_MODEL_CHANNEL}`;

export function buildTrainingRequest(spec: JobSpec, context: RequestContext): TrainingRequest {
  const ctx = { ...context, bucket: sessionBucket(spec, context.bucket, context.region, context.account) };
  const t = spec.training;
  const validated = validateTraining(spec, ctx.region);
  validated.warnings.push(...validateTrainingOptions(t));
  const arn = executionRoleArn(spec, ctx);
  checkRoleArn(
    arn,
    t.role ? 'training.role' : 'role (--role, SAGEMAKER_ROLE_ARN or the sagemakerHf.executionRole setting)',
  );
  const otherAccount = crossAccountNote(arn, ctx.account);
  if (otherAccount) validated.warnings.push(otherAccount);
  // The SDK names the job after the image repository when no base name is given.
  const base = t.baseJobName ?? validated.image.entry.repository;
  const jobName = nameFromBase(base, ctx.now);
  checkJobName(jobName);
  const outputPath = t.outputPath ?? `s3://${ctx.bucket}/`;
  const source = sourceLocation(t, outputPath, jobName);
  const sourceS3Uri = source.uri;

  const user: Record<string, HyperparameterValue> = pushToHubHyperparameters(t, { ...t.hyperparameters });
  if (t.compiler === 'torch-compile' && !('torch_compile' in user)) user['torch_compile'] = true;
  const channels = Object.keys(spec.dataset.splits);
  // A local model folder would reach AWS as this machine's path and fail once the instances run: it goes
  // up as an input channel instead, and the script gets the channel's path in the container.
  let localModel: TrainingRequest['localModel'];
  const modelId = user['model_id'];
  if (typeof modelId === 'string' && isLocalPath(modelId)) {
    if (channels.includes(LOCAL_MODEL_CHANNEL)) {
      throw new UserError(
        `dataset.splits.${LOCAL_MODEL_CHANNEL}: the channel name '${LOCAL_MODEL_CHANNEL}' is taken by the local model_id folder; rename the dataset channel`,
        `dataset.splits.${LOCAL_MODEL_CHANNEL}`,
      );
    }
    localModel = { dir: modelId, s3Uri: `s3://${ctx.bucket}/${jobName}/input/${LOCAL_MODEL_CHANNEL}/` };
    user['model_id'] = CONTAINER_MODEL_DIR;
    validated.notes.push(
      `model_id is the local folder ${modelId}: it is uploaded to ${localModel.s3Uri} as input channel '${LOCAL_MODEL_CHANNEL}', and the script gets --model_id ${CONTAINER_MODEL_DIR} (the local path is not sent)`,
    );
  }
  validated.warnings.push(...networkIsolationProblems(spec, localModel !== undefined));
  const hyperParameters = buildHyperParameters(user, {
    submitDirectory: t.networkIsolation ? CONTAINER_CODE_SOURCEDIR : sourceS3Uri,
    program: t.entryPoint,
    jobName,
    region: ctx.region,
    distribution: validated.distribution,
    instanceType: t.instanceType,
    trainingCompiler:
      t.compiler === 'training-compiler' ? { enabled: true, debug: t.compilerDebug === true } : undefined,
  });

  if (channels.length === 0) throw new UserError('dataset.splits: no channel to train on', 'dataset.splits');
  const request: CreateTrainingJobRequest = {
    AlgorithmSpecification: {
      TrainingInputMode: 'File',
      TrainingImage: validated.image.uri,
      EnableSageMakerMetricsTimeSeries: true,
      MetricDefinitions: metricDefinitions(),
    },
    OutputDataConfig: { S3OutputPath: outputPath },
    TrainingJobName: jobName,
    StoppingCondition: { MaxRuntimeInSeconds: t.maxRuntimeInSeconds ?? 86400 },
    ResourceConfig: {
      VolumeSizeInGB: t.volumeSizeInGB ?? 30,
      InstanceCount: t.instanceCount ?? 1,
      InstanceType: t.instanceType as never,
    },
    RoleArn: arn,
    InputDataConfig: channels.map((channel) => ({
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: `s3://${ctx.bucket}/${spec.dataset.s3Prefix}/${channel}`,
          S3DataDistributionType: 'FullyReplicated',
        },
      },
      ChannelName: channel,
    })),
    HyperParameters: hyperParameters,
  };
  // debugger_hook_config=False sends nothing; the SDK's default (None) sends a hook to the output path.
  if (t.debuggerHookConfig !== false)
    request.DebugHookConfig = { S3OutputPath: outputPath, CollectionConfigurations: [] };
  request.ProfilerConfig = t.disableProfiler
    ? { DisableProfiler: true }
    : { S3OutputPath: outputPath, DisableProfiler: false };
  applySpotAndWarmPool(request, t, jobName);
  applyAccountOptions(request, t);
  const costCap =
    t.maxCostUsd === undefined
      ? undefined
      : planCostCap({
          capUsd: t.maxCostUsd,
          perInstanceHour: ctx.trainingPricePerHour,
          instanceType: t.instanceType,
          count: t.instanceCount ?? 1,
          maxRuntimeInSeconds: t.maxRuntimeInSeconds,
          spot: !!t.spot,
        });
  if (costCap) applyCostCap(request, costCap);
  applyHubToken(request, t, ctx.hubToken);
  // The estimator's tags first (format_tags keeps their order), then the tool's own.
  request.Tags = [...userTags(spec), ...jobTags(spec.file ? path.basename(spec.file) : undefined)];
  if (localModel) {
    request.InputDataConfig!.push({
      DataSource: {
        S3DataSource: { S3DataType: 'S3Prefix', S3Uri: localModel.s3Uri, S3DataDistributionType: 'FullyReplicated' },
      },
      ChannelName: LOCAL_MODEL_CHANNEL,
    });
  }
  if (t.networkIsolation) request.InputDataConfig!.push(codeChannel(sourceS3Uri));
  return {
    jobName,
    request,
    sourceS3Uri,
    ...(source.kmsKeyId ? { sourceKmsKeyId: source.kmsKeyId } : {}),
    validated,
    ...(localModel ? { localModel } : {}),
    ...(costCap ? { costCap } : {}),
  };
}

/** "ml.p3.2xlarge x1" */
export function instanceSummary(spec: JobSpec): string {
  return `${spec.training.instanceType} x${spec.training.instanceCount ?? 1}`;
}
