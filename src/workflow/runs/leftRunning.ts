// After a cancel (Ctrl-C, the Cancel button) the resource a step created may still run and bill: a
// training job that was being watched, an endpoint still Creating. This says which, at what price, and
// the one command that stops or deletes it; the CLI and the extension then offer to do it.
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { client, type AwsTarget } from '../../aws/clients';
import { awsErrorName } from '../../aws/errors';
import { priceOptionsFor, priceText } from '../prices';
import { isTerminalStatus } from '../../core/sagemaker/jobStatus';
import { describeTrainingJob } from '../training/train';
import type { Connection } from '../connect';

export interface StillRunning {
  kind: 'training job' | 'endpoint';
  name: string;
  status: string;
  /** "1 x ml.p3.2xlarge, $3.83/h" */
  cost: string;
  /** The CLI command that stops or deletes it. */
  command: string;
  /** One line for the user. */
  line: string;
}

/** Ctrl-C: the price the confirmation read is cached; a Price List that does not answer soon is not waited for. */
function ctrlCPrices(conn: AwsTarget) {
  return priceOptionsFor(conn, { timeoutMs: 3_000 });
}

/** The training job when it is still running (not Completed/Failed/Stopped), else undefined. */
export async function trainingJobStillRunning(conn: Connection, name: string): Promise<StillRunning | undefined> {
  // No signal: the caller's was just cancelled, and this answer is what the user needs now.
  const d = await describeTrainingJob(conn, name);
  const status = d.TrainingJobStatus ?? 'Unknown';
  if (isTerminalStatus(status) || status === 'Stopping') return undefined;
  const type = d.ResourceConfig?.InstanceType ?? 'unknown instance';
  const count = d.ResourceConfig?.InstanceCount ?? 1;
  const cost = `${count} x ${type}, ${await priceText(conn.region, type, count, 'training', ctrlCPrices(conn))}`;
  const max = d.StoppingCondition?.MaxRuntimeInSeconds;
  const command = `sagemaker-hf stop ${name}`;
  return {
    kind: 'training job',
    name,
    status,
    cost,
    command,
    line: `Training job ${name} is still ${status} on ${cost}, billed until it ends${max ? ` (at most ${Math.round(max / 360) / 10} h)` : ''}. Stop it with: ${command}`,
  };
}

/** The endpoint when it exists (any status but Deleting), else undefined. */
export async function endpointStillRunning(conn: AwsTarget, name: string): Promise<StillRunning | undefined> {
  const sm = client(SageMakerClient, conn);
  let status: string;
  let configName: string | undefined;
  try {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    status = d.EndpointStatus ?? 'Unknown';
    configName = d.EndpointConfigName;
  } catch (err) {
    if (awsErrorName(err) === 'ValidationException') return undefined;
    throw err;
  }
  if (status === 'Deleting') return undefined;
  let cost = 'its instances';
  try {
    const v = configName
      ? (await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }))).ProductionVariants?.[0]
      : undefined;
    if (v?.InstanceType)
      cost = `${v.InitialInstanceCount ?? 1} x ${v.InstanceType}, ${await priceText(conn.region, v.InstanceType, v.InitialInstanceCount ?? 1, 'inference', ctrlCPrices(conn))}`;
  } catch {
    /* the price is a courtesy; the name and the command are what matter */
  }
  const command = `sagemaker-hf delete ${name}`;
  return {
    kind: 'endpoint',
    name,
    status,
    cost,
    command,
    line: `Endpoint ${name} is still ${status} on ${cost}, billed until deleted. Delete it with: ${command}`,
  };
}
