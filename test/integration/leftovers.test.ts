// What endpoints that deleted themselves left, against a real moto_server: the endpoint config and model a
// deploy tagged (created-by and the delete-at time) are offered once their endpoint is gone and the time
// has passed, and deleting the offer removes exactly those: not an untagged model named after the
// endpoint, not a config whose endpoint still runs, not one whose time has not come, not someone else's.
// `sagemaker-hf connect` lists them with the command that deletes them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, startMoto, useMotoEnv, type Moto } from '../helpers/moto';
import { resetClients } from '../../src/aws/clients';
import { connect, type Connection } from '../../src/workflow/connect';
import { DELETE_AT_TAG } from '../../src/core/endpoints/deleteAfter';
import { deleteLeftovers, findLeftovers } from '../../src/workflow/endpoints/leftovers';

const repo = path.resolve(__dirname, '../../..');
const cli = path.join(repo, 'dist/cli.js');
const run = promisify(execFile);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
const IMAGE = '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1';
const OURS: Tag = { Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' };
const past = { Key: DELETE_AT_TAG, Value: new Date(Date.now() - 3600_000).toISOString() };
const future = { Key: DELETE_AT_TAG, Value: new Date(Date.now() + 3600_000).toISOString() };
let moto: Moto;
let restore: () => void;
let conn: Connection;
let sm: SageMakerClient;

async function model(name: string, tags: Tag[]) {
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: IMAGE },
      ...(tags.length ? { Tags: tags } : {}),
    }),
  );
}
async function config(name: string, models: string[], tags: Tag[]) {
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: models.map((m, i) => ({
        VariantName: `v${i}`,
        ModelName: m,
        InstanceType: 'ml.m5.xlarge',
        InitialInstanceCount: 1,
      })),
      ...(tags.length ? { Tags: tags } : {}),
    }),
  );
}
const configNames = async () =>
  ((await sm.send(new ListEndpointConfigsCommand({}))).EndpointConfigs ?? []).map((c) => c.EndpointConfigName).sort();
const modelNames = async () => ((await sm.send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName).sort();

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
  resetClients();
  conn = await connect({ region: 'us-east-1', role: ROLE });
  sm = new SageMakerClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  // Left by a scheduled deletion: the config and its two models, all tagged (as the deploy tags them).
  await model('left-a', [OURS, past]);
  await model('left-a-extra', [OURS, past]);
  await config('left-a', ['left-a', 'left-a-extra'], [OURS, past]);
  // Left too, but one model is not the tool's (no created-by tag), though named after the endpoint.
  await model('left-b', []);
  await config('left-b', ['left-b'], [OURS, past]);
  // Still running: its config is in use.
  await model('running', [OURS, past]);
  await config('running', ['running'], [OURS, past]);
  await sm.send(new CreateEndpointCommand({ EndpointName: 'running', EndpointConfigName: 'running', Tags: [OURS] }));
  // Gone before its time: deleted by hand (a half-done delete is the delete command's to finish).
  await model('early', [OURS, future]);
  await config('early', ['early'], [OURS, future]);
  // Someone else's, with a delete-at tag of its own.
  await model('foreign', [past]);
  await config('foreign', ['foreign'], [past]);
});
after(async () => {
  restore?.();
  await moto?.stop();
});

test('the offer: the tagged config and models of endpoints gone after their time, and nothing else', async () => {
  const offer = await findLeftovers(conn);
  assert.deepEqual(offer.endpoints.sort(), ['left-a', 'left-b']);
  assert.deepEqual(offer.steps.map((s) => `${s.kind} ${s.name}`).sort(), [
    'endpointConfig left-a',
    'endpointConfig left-b',
    'model left-a',
    'model left-a-extra',
  ]);
});

test('sagemaker-hf connect lists them with the command that deletes them', async () => {
  const r = await run(process.execPath, [cli, 'connect'], { env: { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE } });
  assert.match(
    r.stdout,
    /leftovers 4 leftovers of 2 endpoints that deleted themselves: endpoint config left-a, model left-a, model left-a-extra and endpoint config left-b\. They cost nothing/,
  );
  assert.match(r.stdout, /delete with: sagemaker-hf delete left-a\n/);
  assert.match(r.stdout, /delete with: sagemaker-hf delete left-b\n/);
  const json = JSON.parse((await run(process.execPath, [cli, 'connect', '--json'], { env: moto.env })).stdout);
  assert.deepEqual(json.leftovers.endpoints.sort(), ['left-a', 'left-b']);
});

test('deleting the offer removes exactly those; a step gone meanwhile is reported as not deleted', async () => {
  const offer = await findLeftovers(conn);
  // Another window's cleanup took model left-a-extra in between.
  await sm.send(new DeleteModelCommand({ ModelName: 'left-a-extra' }));
  const { deleted, skipped } = await deleteLeftovers(conn, offer);
  assert.deepEqual(deleted.map((s) => `${s.kind} ${s.name}`).sort(), [
    'endpointConfig left-a',
    'endpointConfig left-b',
    'model left-a',
  ]);
  assert.deepEqual(
    skipped.map((s) => `${s.kind} ${s.name}`),
    ['model left-a-extra'],
  );
  assert.deepEqual(await configNames(), ['early', 'foreign', 'running']);
  assert.deepEqual(await modelNames(), ['early', 'foreign', 'left-b', 'running']);
  assert.deepEqual((await findLeftovers(conn)).steps, [], 'nothing is offered again');
});
