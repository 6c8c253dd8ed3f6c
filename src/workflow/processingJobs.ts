// The Processing job calls the prepare steps and the editor share: tail its log, describe, stop, and list the
// jobs this tool started. Beside jobLogTail.ts because the tail and the listing serve more than the prepare.
import {
  DescribeProcessingJobCommand,
  ListProcessingJobsCommand,
  SageMakerClient,
  StopProcessingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { client } from '../aws/clients';
import { awsErrorName, describeAwsError } from '../aws/errors';
import type { Connection } from './connect';
import { PROCESSING_JOB, tailJob, type ProcessingJobDescription, type TailApi, type TailLine } from './jobLogTail';

/** Tails a Processing job's log until it ends (or once). */
export function tailProcessingJob(
  conn: Connection,
  jobName: string,
  opts: {
    follow: boolean;
    signal?: AbortSignal;
    onLine: (l: TailLine) => void;
    api?: TailApi<ProcessingJobDescription>;
  },
): Promise<string> {
  return tailJob(conn, PROCESSING_JOB, jobName, opts);
}

export async function describeProcessingJob(
  conn: Connection,
  name: string,
  signal?: AbortSignal,
): Promise<ProcessingJobDescription> {
  try {
    return await client(SageMakerClient, conn).send(new DescribeProcessingJobCommand({ ProcessingJobName: name }), {
      abortSignal: signal,
    });
  } catch (err) {
    throw describeAwsError(err, conn, `Describing Processing job ${name}`);
  }
}

export async function stopProcessingJob(conn: Connection, name: string): Promise<void> {
  try {
    await client(SageMakerClient, conn).send(new StopProcessingJobCommand({ ProcessingJobName: name }));
  } catch (err) {
    if (awsErrorName(err) === 'ValidationException') return; // already ended
    throw describeAwsError(err, conn, `Stopping Processing job ${name}`);
  }
}

export interface ProcessingJobRow {
  name: string;
  status: string;
  created?: Date;
  ended?: Date;
  failureReason?: string;
}

/** Recent Processing jobs this tool starts (their names begin with "prep-"), newest first. */
export async function listPrepareJobs(conn: Connection, max = 10, signal?: AbortSignal): Promise<ProcessingJobRow[]> {
  try {
    const out = await client(SageMakerClient, conn).send(
      new ListProcessingJobsCommand({
        NameContains: 'prep-',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: max,
      }),
      { abortSignal: signal },
    );
    return (out.ProcessingJobSummaries ?? [])
      .filter((j) => j.ProcessingJobName?.startsWith('prep-'))
      .map((j) => ({
        name: j.ProcessingJobName!,
        status: j.ProcessingJobStatus ?? 'Unknown',
        created: j.CreationTime,
        ended: j.ProcessingEndTime,
        failureReason: j.FailureReason,
      }));
  } catch (err) {
    throw describeAwsError(err, conn, 'Listing Processing jobs');
  }
}
