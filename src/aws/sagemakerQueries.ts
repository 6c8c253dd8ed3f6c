// Read-only SageMaker calls the trees make, as plain functions, so UI code never builds SDK commands
// (and the extension's UI bundle stays free of the SDK until one of these runs).
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeTrainingJobCommand,
  ListEndpointsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  SearchCommand,
  type DescribeEndpointCommandOutput,
  type DescribeEndpointConfigCommandOutput,
  type DescribeTrainingJobCommandOutput,
  type EndpointSummary,
  type ListTrainingJobsCommandInput,
  type ListTrainingJobsCommandOutput,
  type TrainingJob,
} from '@aws-sdk/client-sagemaker';
import { client, type AwsTarget } from './clients';

const sm = (target: AwsTarget) => client(SageMakerClient, target);

export async function listEndpoints(
  target: AwsTarget,
  maxResults = 100,
  signal?: AbortSignal,
): Promise<EndpointSummary[]> {
  const page = await sm(target).send(
    new ListEndpointsCommand({ SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: maxResults }),
    { abortSignal: signal },
  );
  return page.Endpoints ?? [];
}

export function describeEndpoint(
  target: AwsTarget,
  name: string,
  signal?: AbortSignal,
): Promise<DescribeEndpointCommandOutput> {
  return sm(target).send(new DescribeEndpointCommand({ EndpointName: name }), { abortSignal: signal });
}

export function describeEndpointConfig(
  target: AwsTarget,
  name: string,
  signal?: AbortSignal,
): Promise<DescribeEndpointConfigCommandOutput> {
  return sm(target).send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }), { abortSignal: signal });
}

export function describeTrainingJobRaw(
  target: AwsTarget,
  name: string,
  signal?: AbortSignal,
): Promise<DescribeTrainingJobCommandOutput> {
  return sm(target).send(new DescribeTrainingJobCommand({ TrainingJobName: name }), { abortSignal: signal });
}

export function listTrainingJobsPage(
  target: AwsTarget,
  input: ListTrainingJobsCommandInput,
  signal?: AbortSignal,
): Promise<ListTrainingJobsCommandOutput> {
  return sm(target).send(new ListTrainingJobsCommand({ SortBy: 'CreationTime', SortOrder: 'Descending', ...input }), {
    abortSignal: signal,
  });
}

/** Training jobs carrying a tag (SageMaker Search), newest first, with their full description. */
export async function searchTrainingJobsByTag(
  target: AwsTarget,
  tagKey: string,
  maxResults = 20,
  signal?: AbortSignal,
): Promise<TrainingJob[]> {
  const found = await sm(target).send(
    new SearchCommand({
      Resource: 'TrainingJob',
      SearchExpression: { Filters: [{ Name: `Tags.${tagKey}`, Operator: 'Exists' }] },
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: maxResults,
    }),
    { abortSignal: signal },
  );
  return (found.Results ?? []).flatMap((r) => (r.TrainingJob ? [r.TrainingJob] : []));
}
