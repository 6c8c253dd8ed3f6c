// The estimator arguments a locked-down company account needs (environment=, subnets= /
// security_group_ids=, enable_network_isolation=, encrypt_inter_container_traffic=, output_path=,
// output_kms_key=, volume_kms_key=, code_location=), added to CreateTrainingJob exactly as SageMaker Python
// SDK v2.257 adds them (sagemaker/job.py _load_config, session.py _get_train_request, estimator.py
// _stage_user_code_in_s3). Each value here is an explicit one: a defaults file applies only where these
// leave a field unset, so they are kept apart from the rest of the request.
import type { CreateTrainingJobRequest, VpcConfig } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';
import type { JobSpec, TrainingSpec, VpcSpec } from '../spec/spec';

/** estimator.py CONTAINER_CODE_CHANNEL_SOURCEDIR_PATH: where the "code" channel puts the source. */
export const CODE_CHANNEL = 'code';
export const CONTAINER_CODE_SOURCEDIR = `/opt/ml/input/data/${CODE_CHANNEL}/sourcedir.tar.gz`;

/** s3.s3_path_join: the parts joined by one "/", empty parts dropped, "s3://" kept. */
export function s3PathJoin(...parts: string[]): string {
  const [first = '', ...rest] = parts;
  const head = first.startsWith('s3://') ? 's3://' : '';
  const items = [first.slice(head.length), ...rest].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  return head + items.join('/');
}

export function parseS3Url(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new UserError(`'${uri}' is not an s3:// URI`);
  return { bucket: m[1]!, key: m[2]! };
}

/** vpc_utils.to_dict(subnets, security_group_ids): both lists, or nothing. */
export function vpcConfigOf(vpc: VpcSpec | undefined): VpcConfig | undefined {
  if (!vpc) return undefined;
  return { Subnets: [...vpc.subnets], SecurityGroupIds: [...vpc.securityGroupIds] };
}

export interface SourceLocation {
  /** s3://bucket/key/sourcedir.tar.gz */
  uri: string;
  /** SSEKMSKeyId of the upload (output_kms_key when the source goes to the output bucket). */
  kmsKeyId?: string;
}

/**
 * _stage_user_code_in_s3: with code_location, {code_location}/{job}/source and the output KMS key only when
 * that bucket is the output bucket; without it, the output path's bucket, keeping its key prefix only when the
 * output path is the session's default (an explicit output_path's prefix is dropped), and the output KMS key.
 */
export function sourceLocation(t: TrainingSpec, outputPath: string, jobName: string): SourceLocation {
  const output = parseS3Url(outputPath);
  let bucket: string;
  let prefix: string;
  let kms: string | undefined;
  if (t.codeLocation) {
    ({ bucket, key: prefix } = parseS3Url(t.codeLocation));
    kms = bucket === output.bucket ? t.outputKmsKeyId : undefined;
  } else {
    bucket = output.bucket;
    prefix = t.outputPath ? '' : output.key;
    kms = t.outputKmsKeyId;
  }
  const uri = s3PathJoin(`s3://${bucket}`, prefix, jobName, 'source', 'sourcedir.tar.gz');
  return { uri, ...(kms ? { kmsKeyId: kms } : {}) };
}

/** Environment, VpcConfig, EnableNetworkIsolation, inter-container encryption and the two KMS keys. */
export function applyAccountOptions(request: CreateTrainingJobRequest, t: TrainingSpec): void {
  if (t.outputKmsKeyId !== undefined)
    request.OutputDataConfig = { ...request.OutputDataConfig!, KmsKeyId: t.outputKmsKeyId };
  if (t.volumeKmsKeyId !== undefined)
    request.ResourceConfig = { ...request.ResourceConfig!, VolumeKmsKeyId: t.volumeKmsKeyId };
  if (t.environment !== undefined) request.Environment = { ...t.environment };
  const vpc = vpcConfigOf(t.vpc);
  if (vpc) request.VpcConfig = vpc;
  if (t.networkIsolation) request.EnableNetworkIsolation = true;
  if (t.interContainerEncryption) request.EnableInterContainerTrafficEncryption = true;
}

/** With network isolation the source is the input channel "code" (the SDK's code_channel_name), last. */
export function codeChannel(sourceUri: string): NonNullable<CreateTrainingJobRequest['InputDataConfig']>[number] {
  return {
    DataSource: {
      S3DataSource: { S3DataType: 'S3Prefix', S3Uri: sourceUri, S3DataDistributionType: 'FullyReplicated' },
    },
    ChannelName: CODE_CHANNEL,
  };
}

/** What an isolated container cannot do, said before anything is created. */
export function networkIsolationProblems(spec: JobSpec, modelIdIsLocal: boolean): string[] {
  const t = spec.training;
  if (!t.networkIsolation) return [];
  if (CODE_CHANNEL in spec.dataset.splits) {
    throw new UserError(
      `dataset.splits.${CODE_CHANNEL}: with training.networkIsolation the channel name '${CODE_CHANNEL}' carries the source (as the SDK does); rename the dataset channel`,
      `dataset.splits.${CODE_CHANNEL}`,
    );
  }
  if (t.pushToHub) {
    throw new UserError(
      'training.pushToHub: an isolated container (training.networkIsolation) cannot reach the Hugging Face Hub; drop one of the two',
      'training.pushToHub',
    );
  }
  return modelIdIsLocal
    ? []
    : [
        'training.networkIsolation: the container has no network, so a Hub model_id cannot be downloaded there; give hyperparameters.model_id as a local folder (uploaded as the "model" channel)',
      ];
}
