// Which InService endpoints have answered nothing for longer than the idle setting: one GetMetricData call
// per region (Invocations, 5-minute sums, every variant of every endpoint asked at once, 500 queries a
// call as CloudWatch allows) read by the pure rules of src/core/endpoints/idle.ts, and the line the tree
// and the status bar show, with what the idle time cost at the endpoint's labelled price.
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { client, type AwsTarget } from '../../aws/clients';
import {
  IDLE_LOOKBACK_MS,
  IDLE_PERIOD_S,
  idleHours,
  idleStateOf,
  idleText,
  type IdleState,
} from '../../core/endpoints/idle';
import { formatPricedAmount, type ResolvedPrice } from '../prices';

export interface IdleCandidate {
  name: string;
  /** EndpointStatus; only InService endpoints are judged. */
  status?: string;
  variants: string[];
  created?: Date;
}

export interface IdleEndpoint {
  name: string;
  state: IdleState;
  hours: number;
}

/** CloudWatch's limit of queries in one GetMetricData request. */
const MAX_QUERIES = 500;

/** The InService endpoints idle longer than `thresholdHours` at `now`, keyed by name. */
export async function findIdleEndpoints(
  target: AwsTarget,
  endpoints: IdleCandidate[],
  opts: { thresholdHours: number; now?: Date; signal?: AbortSignal },
): Promise<Map<string, IdleEndpoint>> {
  const now = opts.now ?? new Date();
  const start = new Date(now.getTime() - IDLE_LOOKBACK_MS);
  const live = endpoints.filter((e) => e.status === 'InService' && e.variants.length);
  const queries: { q: MetricDataQuery; endpoint: string }[] = [];
  for (const e of live) {
    for (const v of e.variants) {
      queries.push({
        endpoint: e.name,
        q: {
          Id: `q${queries.length}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SageMaker',
              MetricName: 'Invocations',
              Dimensions: [
                { Name: 'EndpointName', Value: e.name },
                { Name: 'VariantName', Value: v },
              ],
            },
            Period: IDLE_PERIOD_S,
            Stat: 'Sum',
          },
        },
      });
    }
  }
  const points = new Map<string, { timestamps: Date[]; values: number[] }>();
  for (const e of live) points.set(e.name, { timestamps: [], values: [] });
  const cw = client(CloudWatchClient, target);
  for (let i = 0; i < queries.length; i += MAX_QUERIES) {
    const chunk = queries.slice(i, i + MAX_QUERIES);
    const byId = new Map(chunk.map((c) => [c.q.Id, c.endpoint]));
    let token: string | undefined;
    do {
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: now,
          MetricDataQueries: chunk.map((c) => c.q),
          NextToken: token,
        }),
        { abortSignal: opts.signal },
      );
      for (const r of out.MetricDataResults ?? []) {
        const p = points.get(byId.get(r.Id) ?? '');
        if (!p) continue;
        p.timestamps.push(...(r.Timestamps ?? []));
        p.values.push(...(r.Values ?? []));
      }
      token = out.NextToken;
    } while (token);
  }
  const idle = new Map<string, IdleEndpoint>();
  for (const e of live) {
    const state = idleStateOf(points.get(e.name)!, e.created, start);
    const hours = idleHours(state, now, opts.thresholdHours);
    if (hours !== undefined) idle.set(e.name, { name: e.name, state, hours });
  }
  return idle;
}

/** "idle 5 h, $3.70 (Price List, 2026-12-02) since its last request"; no sum when the price is unknown. */
export function idleLine(idle: IdleEndpoint, price: ResolvedPrice | undefined, count: number): string {
  const cost =
    price && price.unit === 'hour' ? formatPricedAmount(idle.hours * price.amount * (count || 1), price) : undefined;
  return idleText(idle.state, idle.hours, cost);
}

/** The candidate of a DescribeEndpoint answer (what the tree already holds per endpoint). */
export function idleCandidateOf(desc: {
  EndpointName?: string;
  EndpointStatus?: string;
  CreationTime?: Date;
  ProductionVariants?: { VariantName?: string }[];
}): IdleCandidate {
  return {
    name: desc.EndpointName ?? '',
    status: desc.EndpointStatus,
    created: desc.CreationTime,
    variants: (desc.ProductionVariants ?? []).flatMap((v) => (v.VariantName ? [v.VariantName] : [])),
  };
}
