// The last lines an endpoint wrote to CloudWatch (/aws/sagemaker/Endpoints/<name>, streams
// AllTraffic/<instance>), for failure messages. Never throws: logs are a help, not a requirement.
import { CloudWatchLogsClient, DescribeLogStreamsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { client, type AwsTarget } from '../../aws/clients';
import { awsErrorName } from '../../aws/errors';
import { errorLine } from '../../core/errors';

export const endpointLogGroup = (endpointName: string) => `/aws/sagemaker/Endpoints/${endpointName}`;

export async function lastEndpointLogLines(
  target: AwsTarget,
  endpointName: string,
  count = 20,
  signal?: AbortSignal,
): Promise<{ lines: string[]; note?: string }> {
  const logs = client(CloudWatchLogsClient, target, { maxAttempts: 2 });
  const group = endpointLogGroup(endpointName);
  try {
    const streams = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 5 }),
      { abortSignal: signal },
    );
    const newest = streams.logStreams?.[0]?.logStreamName;
    if (!newest) return { lines: [], note: `no log streams in ${group} yet` };
    const events = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: newest, limit: count, startFromHead: false }),
      { abortSignal: signal },
    );
    return { lines: (events.events ?? []).map((e) => (e.message ?? '').replace(/\s+$/, '')) };
  } catch (err) {
    if (awsErrorName(err) === 'ResourceNotFoundException')
      return { lines: [], note: `no log group ${group}: the container wrote no logs` };
    return { lines: [], note: `could not read ${group}: ${errorLine(err)}` };
  }
}
