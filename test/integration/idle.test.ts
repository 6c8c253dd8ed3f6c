// Idle endpoints against a real moto_server: Invocations data put into CloudWatch 3 h ago marks an
// endpoint idle (default 2 h), data 10 minutes ago does not, and an endpoint just created with no data is
// not idle either (idle at least since its creation). Through findIdleEndpoints, which the tree uses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { client, resetClients } from '../../src/aws/clients';
import { DEFAULT_IDLE_HOURS } from '../../src/core/endpoints/idle';
import { findIdleEndpoints, idleCandidateOf, idleLine } from '../../src/workflow/endpoints/idle';

const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
const target = { region: 'us-east-1' };
let moto: Moto;
let restore: () => void;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  resetClients();
});
after(async () => {
  restore?.();
  await moto?.stop();
});

async function endpoint(sm: SageMakerClient, name: string) {
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1.0' },
    }),
  );
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
    }),
  );
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  return idleCandidateOf(await sm.send(new DescribeEndpointCommand({ EndpointName: name })));
}

test('an endpoint whose last Invocations are older than the setting is idle; recent ones and new ones are not', async () => {
  const sm = client(SageMakerClient, target);
  const cw = client(CloudWatchClient, target);
  const now = new Date();
  const candidates = [await endpoint(sm, 'quiet'), await endpoint(sm, 'busy'), await endpoint(sm, 'fresh')];
  assert.deepEqual(
    candidates.map((c) => [c.status, c.variants]),
    candidates.map(() => ['InService', ['AllTraffic']]),
  );
  for (const [name, agoMs] of [
    ['quiet', 3 * 3600_000],
    ['busy', 10 * 60_000],
  ] as const) {
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/SageMaker',
        MetricData: [
          {
            MetricName: 'Invocations',
            Dimensions: [
              { Name: 'EndpointName', Value: name },
              { Name: 'VariantName', Value: 'AllTraffic' },
            ],
            Timestamp: new Date(now.getTime() - agoMs),
            Value: 3,
          },
        ],
      }),
    );
  }
  const idle = await findIdleEndpoints(target, candidates, { thresholdHours: DEFAULT_IDLE_HOURS, now });
  assert.deepEqual([...idle.keys()], ['quiet']);
  const quiet = idle.get('quiet')!;
  assert.ok(quiet.state.lastRequest, 'the last request comes from the metric');
  assert.ok(quiet.hours > 2.5 && quiet.hours < 3.1, `idle ${quiet.hours} h`);
  assert.match(
    idleLine(quiet, { amount: 0.115, unit: 'hour', source: 'offline-table', region: 'us-east-1' }, 1),
    /^idle 2 h, about \$0\.3\d \(offline table \(us-east-1 prices\)\) since its last request$/,
  );
});
