// Guards against billing that nobody watches, against a real moto_server: a training job's spending cap
// (training.maxCostUsd / train --max-cost) reaches SageMaker as MaxRuntimeInSeconds at the price the
// confirmation shows; deploy --delete-after creates the EventBridge Scheduler schedule that deletes the
// endpoint (and the scheduler role, after showing its policies); cancelling, deleting the endpoint and a
// vanished endpoint remove it; what a scheduled deletion leaves is found by its tags.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { resetClients } from '../../src/aws/clients';
import { connect, ensureDefaultBucket, type Connection } from '../../src/workflow/connect';
import { MANIFEST_NAME } from '../../src/core/dataset/manifest';
import { describeTrainingJob } from '../../src/workflow/training/train';
import { GetScheduleCommand, ListTagsForResourceCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { DeleteEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  DELETE_ENDPOINT_TARGET,
  SCHEDULER_ROLE_NAME,
  SCHEDULER_ROLE_POLICY_NAME,
  instantOfAt,
} from '../../src/core/endpoints/deleteAfter';
import {
  cancelEndpointDeletion,
  getEndpointDeletion,
  leftoversOfScheduledDeletions,
  listEndpointDeletions,
  removeOrphanSchedules,
  scheduleEndpointDeletion,
} from '../../src/workflow/endpoints/deleteSchedule';

const repo = path.resolve(__dirname, '../../..');
const example = path.join(repo, 'examples/emotion.sagemaker-hf.json');
const cli = path.join(repo, 'dist/cli.js');
const run = promisify(execFile);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
let moto: Moto;
let restore: () => void;
let conn: Connection;
let tmp: string;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  resetClients();
  conn = await connect({ region: 'us-east-1', role: ROLE });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'forgotten-it-'));
  await ensureDefaultBucket(conn);
  await putDataset('samples/datasets/emotion');
});
after(async () => {
  restore?.();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function specFile(name: string, edit: (raw: Record<string, any>) => void): string {
  const dir = path.join(tmp, 'scripts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train.py'), 'print("hi")\n');
  const raw = JSON.parse(fs.readFileSync(example, 'utf8'));
  delete raw.$schema;
  raw.training.sourceDir = dir;
  edit(raw);
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
  fs.writeFileSync(file, JSON.stringify(raw));
  return file;
}

async function putDataset(prefix: string): Promise<void> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true });
  await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${MANIFEST_NAME}`, Body: '{}' }));
  for (const ch of ['train', 'test'])
    await s3.send(new PutObjectCommand({ Bucket: conn.bucket, Key: `${prefix}/${ch}/dataset_info.json`, Body: '{}' }));
}

test('train --max-cost 20 on ml.p3.2xlarge: MaxRuntimeInSeconds 18798 at the $3.83/h the confirmation shows', async () => {
  const file = specFile('capped', (raw) => (raw.training.baseJobName = 'capped'));
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const out = await run(process.execPath, [cli, 'train', file, '--max-cost', '20'], { env });
  // The price line and the cap line show the same rate.
  assert.match(out.stdout, /about \$3\.83\/h, offline table/);
  assert.match(out.stdout, /Spending cap: stops after 5 h 13 min: \$20\.00 at \$3\.83\/h x 1/);
  const job = /Created training job (\S+)/.exec(out.stdout)![1]!;
  const d = await describeTrainingJob(conn, job);
  assert.equal(d.StoppingCondition?.MaxRuntimeInSeconds, 18798);
});

test('training.maxCostUsd in the spec with a lower maxRuntimeInSeconds: the runtime wins and the confirmation says so', async () => {
  const file = specFile('bounded', (raw) => {
    raw.training.baseJobName = 'bounded';
    raw.training.maxCostUsd = 20;
    raw.training.maxRuntimeInSeconds = 7200;
  });
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const out = await run(process.execPath, [cli, 'train', file], { env });
  assert.match(
    out.stdout,
    /Spending cap: stops after 2 h: training\.maxRuntimeInSeconds \(7200 s\) is the lower bound; the cap of \$20\.00 at \$3\.83\/h x 1 would allow 5 h 13 min/,
  );
  const job = /Created training job (\S+)/.exec(out.stdout)![1]!;
  assert.equal((await describeTrainingJob(conn, job)).StoppingCondition?.MaxRuntimeInSeconds, 7200);
});

test('a cap that does not buy one minute is refused before anything is created', async () => {
  const file = specFile('tiny', (raw) => (raw.training.baseJobName = 'tiny'));
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const err = await run(process.execPath, [cli, 'train', file, '--max-cost', '0.05'], { env }).then(
    () => assert.fail('expected a refusal'),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  assert.equal(err.code, 1);
  assert.match(err.stderr, /training\.maxCostUsd: \$0\.05 buys 46 s at \$3\.83\/h x 1, less than one minute/);
  assert.doesNotMatch(err.stdout, /Created training job/);
});

const HUB = ['--hub', 'distilbert/distilbert-base-uncased-finetuned-sst-2-english', '--task', 'text-classification'];
const schedulerClient = () =>
  new SchedulerClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
const iamClient = () =>
  new IAMClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
const smClient = () =>
  new SageMakerClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

async function deployHub(name: string, extra: string[] = [], tz = 'Europe/Berlin') {
  return run(
    process.execPath,
    [cli, 'deploy', ...HUB, '--instance-type', 'ml.m5.xlarge', '--endpoint-name', name, '--yes', ...extra],
    { env: { ...moto.env, TZ: tz, SAGEMAKER_ROLE_ARN: ROLE } },
  );
}

test('deploy --delete-after 4h: exactly the schedule (target, input, time in the user zone, role, action, tags) and the role', async () => {
  const before = Date.now();
  const r = await deployHub('fg-hub', ['--delete-after', '4h']);
  const after = Date.now();
  // The role is shown (trust and policy) before it is created, then used.
  assert.match(r.stderr, /also creates IAM role SageMakerHfEndpointScheduler/);
  assert.match(r.stderr, /"Service": "scheduler\.amazonaws\.com"/);
  assert.match(r.stderr, /"aws:ResourceTag\/sagemaker-hf:created-by": "sagemaker-hf"/);
  assert.match(r.stderr, /deletes itself (on \w+ \d+ )?at \d\d:\d\d \(in (3 h 59 min|4 h)\) \(Europe\/Berlin\)/);
  assert.match(r.stderr, /Scheduled: endpoint fg-hub deletes itself/);

  const s = await schedulerClient().send(new GetScheduleCommand({ GroupName: 'sagemaker-hf', Name: 'fg-hub' }));
  assert.equal(s.Target?.Arn, DELETE_ENDPOINT_TARGET);
  assert.equal(s.Target?.Arn, 'arn:aws:scheduler:::aws-sdk:sagemaker:deleteEndpoint');
  assert.deepEqual(JSON.parse(s.Target!.Input!), { EndpointName: 'fg-hub' });
  assert.equal(s.Target?.RoleArn, `arn:aws:iam::${MOTO_ACCOUNT}:role/${SCHEDULER_ROLE_NAME}`);
  assert.equal(s.ActionAfterCompletion, 'DELETE');
  assert.equal(s.FlexibleTimeWindow?.Mode, 'OFF');
  assert.equal(s.ScheduleExpressionTimezone, 'Europe/Berlin');
  assert.match(s.ScheduleExpression!, /^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);
  const at = instantOfAt(s.ScheduleExpression, s.ScheduleExpressionTimezone)!.getTime();
  assert.ok(at >= before + 4 * 3600_000 - 1000 && at <= after + 4 * 3600_000, `at ${new Date(at).toISOString()}`);
  // Berlin is ahead of UTC: the wall time in the expression is not the UTC one.
  assert.notEqual(s.ScheduleExpression, `at(${new Date(at).toISOString().slice(0, 19)})`);
  const tags = await schedulerClient().send(
    new ListTagsForResourceCommand({
      ResourceArn: `arn:aws:scheduler:us-east-1:${MOTO_ACCOUNT}:schedule-group/sagemaker-hf`,
    }),
  );
  assert.deepEqual(tags.Tags, [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }]);

  const role = await iamClient().send(new GetRoleCommand({ RoleName: SCHEDULER_ROLE_NAME }));
  const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!));
  assert.deepEqual(trust.Statement[0].Principal, { Service: 'scheduler.amazonaws.com' });
  assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { 'aws:SourceAccount': MOTO_ACCOUNT } });
  const policy = await iamClient().send(
    new GetRolePolicyCommand({ RoleName: SCHEDULER_ROLE_NAME, PolicyName: SCHEDULER_ROLE_POLICY_NAME }),
  );
  const doc = JSON.parse(decodeURIComponent(policy.PolicyDocument!));
  assert.deepEqual(doc.Statement, [
    {
      Effect: 'Allow',
      Action: 'sagemaker:DeleteEndpoint',
      Resource: `arn:aws:sagemaker:*:${MOTO_ACCOUNT}:endpoint/*`,
      Condition: { StringEquals: { 'aws:ResourceTag/sagemaker-hf:created-by': 'sagemaker-hf' } },
    },
  ]);
  // Read back for the tree.
  const d = await getEndpointDeletion(conn, 'fg-hub');
  assert.equal(d?.at.getTime(), at);
});

test('a second deploy finds the role among those the scheduler may assume; cancelling removes the schedule', async () => {
  const r = await deployHub('fg-cancel', ['--delete-after', '90m']);
  assert.doesNotMatch(r.stderr, /also creates IAM role/);
  assert.ok(await getEndpointDeletion(conn, 'fg-cancel'));
  assert.equal(await cancelEndpointDeletion(conn, 'fg-cancel'), true);
  assert.equal(await getEndpointDeletion(conn, 'fg-cancel'), undefined);
  await assert.rejects(
    schedulerClient().send(new GetScheduleCommand({ GroupName: 'sagemaker-hf', Name: 'fg-cancel' })),
    /ResourceNotFound|does not exist/,
  );
  assert.equal(await cancelEndpointDeletion(conn, 'fg-cancel'), false);
});

test('deleting the endpoint by hand removes its schedule; a schedule whose endpoint is gone is removed', async () => {
  await deployHub('fg-hand', ['--delete-after', '2h']);
  assert.ok(await getEndpointDeletion(conn, 'fg-hand'));
  const del = await run(process.execPath, [cli, 'delete', 'fg-hand', '--yes'], { env: moto.env });
  assert.match(del.stderr + del.stdout, /removed the schedule that would have deleted fg-hand/);
  assert.equal(await getEndpointDeletion(conn, 'fg-hand'), undefined);

  const role = `arn:aws:iam::${MOTO_ACCOUNT}:role/${SCHEDULER_ROLE_NAME}`;
  await scheduleEndpointDeletion(conn, {
    endpointName: 'fg-gone',
    at: new Date(Date.now() + 3600_000),
    timeZone: 'UTC',
    roleArn: role,
  });
  const all = await listEndpointDeletions(conn);
  assert.ok(all.some((d) => d.endpointName === 'fg-gone'));
  const removed = await removeOrphanSchedules(conn, all, new Set(['fg-hub']));
  assert.ok(removed.includes('fg-gone'));
  assert.ok(!removed.includes('fg-hub'));
  assert.equal(await getEndpointDeletion(conn, 'fg-gone'), undefined);
  assert.ok(await getEndpointDeletion(conn, 'fg-hub'));
});

test('after a scheduled deletion the endpoint config and model are found by their tags', async () => {
  await deployHub('fg-left');
  const role = `arn:aws:iam::${MOTO_ACCOUNT}:role/${SCHEDULER_ROLE_NAME}`;
  // A time already past stands for a schedule that ran; the DeleteEndpoint below is what its target does.
  await scheduleEndpointDeletion(conn, {
    endpointName: 'fg-left',
    at: new Date(Date.now() - 1000),
    timeZone: 'UTC',
    roleArn: role,
  });
  assert.deepEqual(
    (await leftoversOfScheduledDeletions(conn)).map((l) => l.name),
    [],
    'nothing is left while the endpoint exists',
  );
  await smClient().send(new DeleteEndpointCommand({ EndpointName: 'fg-left' }));
  const left = await leftoversOfScheduledDeletions(conn);
  assert.deepEqual(
    left.map((l) => l.name),
    ['fg-left'],
  );
});
