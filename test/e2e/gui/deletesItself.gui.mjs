// GUI: an endpoint with an EventBridge Scheduler deletion schedule (seeded in moto as deploy
// --delete-after leaves it: the sagemaker-hf schedule group, the universal DeleteEndpoint target) shows
// "deletes itself at HH:MM (in 3 h 12 min)" on its tree row, and offers Extend and Cancel in its menu.
// Screenshot: test-output/e2e/deletes-itself.png.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const title = 'endpoint that deletes itself: the row says when, and in how long';

const ENDPOINT = 'gui-deletes-itself';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const TAGS = [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }];

async function seed(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const require = createRequire(join(repoRoot, 'package.json'));
  const sm = require('@aws-sdk/client-sagemaker');
  const sch = require('@aws-sdk/client-scheduler');
  const cfg = {
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  const s = new sm.SageMakerClient(cfg);
  await s.send(
    new sm.CreateModelCommand({
      ModelName: ENDPOINT,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1' },
      Tags: TAGS,
    }),
  );
  await s.send(
    new sm.CreateEndpointConfigCommand({
      EndpointConfigName: ENDPOINT,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: ENDPOINT, InstanceType: 'ml.g4dn.xlarge', InitialInstanceCount: 1 },
      ],
      Tags: TAGS,
    }),
  );
  await s.send(new sm.CreateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: ENDPOINT, Tags: TAGS }));
  const c = new sch.SchedulerClient(cfg);
  await c
    .send(new sch.GetScheduleGroupCommand({ Name: 'sagemaker-hf' }))
    .catch(() => c.send(new sch.CreateScheduleGroupCommand({ Name: 'sagemaker-hf', Tags: TAGS })));
  // 3 h 12 min from now, whole minutes, in UTC (the row shows the schedule's own zone).
  const at = new Date(Math.ceil((Date.now() + (3 * 60 + 12) * 60_000) / 60_000) * 60_000 + 30_000);
  await c.send(
    new sch.CreateScheduleCommand({
      Name: ENDPOINT,
      GroupName: 'sagemaker-hf',
      ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:scheduler:::aws-sdk:sagemaker:deleteEndpoint',
        RoleArn: 'arn:aws:iam::123456789012:role/SageMakerHfEndpointScheduler',
        Input: JSON.stringify({ EndpointName: ENDPOINT }),
      },
      ActionAfterCompletion: 'DELETE',
    }),
  );
  return at;
}

export async function run(wb) {
  const at = await seed(wb.opts.repoRoot);
  const hhmm = at.toISOString().slice(11, 16);
  // Three hours ahead may be tomorrow (code-server runs in UTC here): the row then names the day, as users read it.
  const day =
    at.toISOString().slice(0, 10) === new Date().toISOString().slice(0, 10)
      ? ''
      : `on ${new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' }).format(at)} `;
  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  const row = await wb.waitForTreeRow(ENDPOINT, { view: 'SageMaker', timeoutMs: 60_000 });
  await wb.step(
    `row says "deletes itself ${day}at ${hhmm} (in 3 h 1x min)"`,
    async () => {
      for (;;) {
        const text = (await row.textContent()) ?? '';
        if (new RegExp(`deletes itself ${day}at ${hhmm} \\(in 3 h 1\\d min\\)`).test(text)) return;
        await wb.page.waitForTimeout(300);
      }
    },
    60_000,
  );
  await wb.widenSideBar(900);
  await wb.clearNotifications();
  await row.scrollIntoViewIfNeeded();
  await wb.screenshot('deletes-itself');
}
