// Release a training job's warm pool: UpdateTrainingJob with ResourceConfig.KeepAlivePeriodInSeconds 0
// (what the SDK's estimator.update_training_job(keep_alive_period_in_seconds=0) sends). The instances
// are then terminated and billing for them stops.
import { SageMakerClient, UpdateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { client, type AwsTarget } from '../../aws/clients';
import { awsErrorName, describeAwsError, trainingJobReadError } from '../../aws/errors';
import { UserError } from '../../core/errors';
import { warmPoolOf, type WarmPool } from '../../core/billing/billing';
import { describeTrainingJobRaw } from '../../aws/sagemakerQueries';

type Sender = Pick<SageMakerClient, 'send'>;

/** The job's warm pool now (DescribeTrainingJob), or undefined when it has none. */
export async function readWarmPool(
  conn: AwsTarget,
  jobName: string,
  signal?: AbortSignal,
): Promise<WarmPool | undefined> {
  try {
    return warmPoolOf(await describeTrainingJobRaw(conn, jobName, signal), conn.region);
  } catch (err) {
    throw trainingJobReadError(err, conn, jobName);
  }
}

export async function releaseWarmPool(
  conn: AwsTarget,
  jobName: string,
  opts: { signal?: AbortSignal; sagemaker?: Sender } = {},
): Promise<void> {
  const sm = opts.sagemaker ?? client(SageMakerClient, conn);
  try {
    await sm.send(
      new UpdateTrainingJobCommand({ TrainingJobName: jobName, ResourceConfig: { KeepAlivePeriodInSeconds: 0 } }),
      { abortSignal: opts.signal },
    );
  } catch (err) {
    if (awsErrorName(err) === 'ValidationException') {
      throw new UserError(`Releasing the warm pool of ${jobName} failed: ${(err as Error).message}`, 'job', {
        cause: err,
      });
    }
    throw describeAwsError(err, conn, `Releasing the warm pool of ${jobName}`);
  }
}
