// Deploy, predict and delete against a real moto_server: the SDK's three requests, moto's queued
// InvokeEndpoint results, the delete order and that nothing is left behind; plus the bad inputs.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateEndpointCommand,
  CreateTrainingJobCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { startMoto, useMotoEnv, type Moto, queueEndpointResults, sageMakerLeftovers } from '../helpers/moto';
import { resetClients } from '../../src/aws/clients';
import { connect, type Connection } from '../../src/workflow/connect';
import { deployFromJob, planDeploy, type DeployStatus } from '../../src/workflow/endpoints/deploy';
import { executeDeletePlan, planEndpointDelete } from '../../src/workflow/endpoints/deleteEndpoint';
import { httpPredictor, sageMakerPredictor } from '../../src/workflow/endpoints/predictor';
import { evaluate } from '../../src/workflow/endpoints/evaluate';
import { UserError } from '../../src/core/errors';
import { CREATED_BY_TAG } from '../../src/core/endpoints/deployRequests';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}
const cli = path.join(repoRoot(), 'dist/cli.js');
const run = promisify(execFile);
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const SEED_IMAGE =
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04';
const SENTENCE = 'Winter is coming and it will be dark soon.';
const SIX = [
  { label: 'sadness', score: 0.962 },
  { label: 'joy', score: 0.008 },
  { label: 'love', score: 0.003 },
  { label: 'anger', score: 0.012 },
  { label: 'fear', score: 0.013 },
  { label: 'surprise', score: 0.002 },
];

let moto: Moto;
let restore: () => void;
let conn: Connection;
let sm: SageMakerClient;

before(async () => {
  moto = await startMoto();
  restore = useMotoEnv(moto);
});
after(async () => {
  restore?.();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  resetClients();
  conn = { ...(await connect({ region: 'us-east-1' })), role: ROLE };
  sm = new SageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint, maxAttempts: 1 });
});

async function trainingJob(name: string): Promise<void> {
  await sm.send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      AlgorithmSpecification: { TrainingImage: SEED_IMAGE, TrainingInputMode: 'File' },
      RoleArn: ROLE,
      OutputDataConfig: { S3OutputPath: `s3://${conn.bucket}/output` },
      ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
}

const queueResults = (bodies: unknown[]) => queueEndpointResults(moto, bodies);
const leftovers = () => sageMakerLeftovers(sm);

test('deploy, describe, predict, evaluate, delete: nothing left afterwards', async () => {
  await trainingJob('emotion-2026-11-26-01-02-03-004');
  const statuses: DeployStatus[] = [];
  const result = await deployFromJob(conn, 'emotion-2026-11-26-01-02-03-004', {
    instanceType: 'ml.g4dn.xlarge',
    initialInstanceCount: 1,
    pollMs: 10,
    onStatus: (s) => statuses.push(s),
  });
  const name = result.endpointName;
  assert.match(
    name,
    /^emotion-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}$/,
    'SDK naming: base job name + fresh timestamp',
  );
  assert.deepEqual(
    statuses.map((s) => s.step),
    ['model', 'config', 'endpoint', 'waiting', 'done'],
  );
  assert.equal(result.endpointStatus, 'InService');

  const ep = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
  assert.equal(ep.EndpointStatus, 'InService');
  assert.equal(ep.EndpointConfigName, name);
  const model = await sm.send(new DescribeModelCommand({ ModelName: name }));
  assert.equal(
    model.PrimaryContainer?.Image,
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04',
  );
  assert.equal(
    model.PrimaryContainer?.ModelDataUrl,
    `s3://${conn.bucket}/output/emotion-2026-11-26-01-02-03-004/output/model.tar.gz`,
  );
  assert.equal(model.PrimaryContainer?.Environment?.HF_TASK, 'text-classification');
  const tags = await sm.send(new ListTagsCommand({ ResourceArn: ep.EndpointArn }));
  assert.ok(
    tags.Tags?.some((t) => t.Key === CREATED_BY_TAG),
    'endpoint tagged as ours',
  );

  // The 4.11 image knows return_all_scores, not top_k: the predictor reads the image tag to choose.
  await queueResults([[SIX]]);
  const predictor = sageMakerPredictor(conn, name);
  const answer = await predictor.predict(SENTENCE);
  assert.deepEqual(
    answer.predictions[0]!.map((p) => p.label),
    ['sadness', 'fear', 'anger', 'joy', 'love', 'surprise'],
  );
  assert.deepEqual(answer.raw, [SIX]);
  assert.ok(answer.latencyMs >= 0);

  // moto answers a request it has no queued result for with the literal placeholder "body".
  await assert.rejects(predictor.predict('another text'), /non-JSON \(content_type\): "body"/);

  await queueResults([
    [SIX],
    [
      [
        { ...SIX[0]!, score: 0.1 },
        { label: 'joy', score: 0.9 },
      ],
    ],
  ]);
  const ev = await evaluate(
    predictor,
    [
      { text: 'sad one', label: 'sadness' },
      { text: 'happy one', label: 'sadness' },
    ],
    { concurrency: 1 },
  );
  assert.equal(ev.evaluated, 2);
  assert.equal(ev.accuracy, 0.5);

  const info = await planEndpointDelete(conn, name);
  assert.deepEqual(
    info.plan.steps.map((s) => `${s.kind}:${s.name}`),
    [`endpoint:${name}`, `endpointConfig:${name}`, `model:${name}`],
  );
  assert.equal(info.instanceType, 'ml.g4dn.xlarge');
  const order: string[] = [];
  const done = await executeDeletePlan(conn, info.plan, { pollMs: 10, onProgress: (p) => order.push(p.step.kind) });
  assert.deepEqual([...new Set(order)], ['endpoint', 'endpointConfig', 'model']);
  assert.equal(done.deleted.length, 3);
  assert.deepEqual(await leftovers(), { models: [], configs: [], endpoints: [] });
});

test('a config and model shared with another endpoint are kept until the last user goes', async () => {
  await trainingJob('shared-job');
  const { endpointName: first, requests } = await deployFromJob(conn, 'shared-job', {
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    endpointName: 'first-ep',
    pollMs: 10,
  });
  // endpoint_name= names the endpoint and its config; the model keeps the default name (as the SDK).
  const model = requests.createModel.ModelName!;
  assert.match(model, /^shared-job-\d{4}(-\d{2}){5}-\d{3}$/);
  await sm.send(new CreateEndpointCommand({ EndpointName: 'second-ep', EndpointConfigName: first }));
  const a = await planEndpointDelete(conn, 'first-ep');
  assert.deepEqual(
    a.plan.steps.map((s) => s.kind),
    ['endpoint'],
  );
  assert.deepEqual(
    a.plan.kept.map((k) => `${k.kind}:${k.reason}`),
    ['endpointConfig:still used by endpoint second-ep', 'model:still used by endpoint second-ep'],
  );
  await executeDeletePlan(conn, a.plan, { pollMs: 10 });
  assert.deepEqual(await leftovers(), { models: [model], configs: ['first-ep'], endpoints: ['second-ep'] });
  const b = await planEndpointDelete(conn, 'second-ep');
  assert.deepEqual(
    b.plan.steps.map((s) => `${s.kind}:${s.name}`),
    ['endpoint:second-ep', 'endpointConfig:first-ep', `model:${model}`],
  );
  await executeDeletePlan(conn, b.plan, { pollMs: 10 });
  assert.deepEqual(await leftovers(), { models: [], configs: [], endpoints: [] });
});

test('bad input: invalid endpoint name, taken name, unavailable instance type: clear error, nothing left', async () => {
  await trainingJob('bad-job');
  await assert.rejects(
    deployFromJob(conn, 'bad-job', {
      instanceType: 'ml.g4dn.xlarge',
      initialInstanceCount: 1,
      endpointName: 'my_endpoint',
    }),
    (e: unknown) => e instanceof UserError && e.field === 'endpointName' && /contains '_'/.test(e.message),
  );
  // moto checks endpoint-config instance types against an older list: ml.g5 is "not available" there.
  await assert.rejects(
    deployFromJob(conn, 'bad-job', { instanceType: 'ml.g5.xlarge', initialInstanceCount: 1, pollMs: 10 }),
    (e: unknown) =>
      e instanceof UserError && e.field === 'instanceType' && /ml\.g5\.xlarge is not available/.test(e.message),
  );
  assert.deepEqual(
    await leftovers(),
    { models: [], configs: [], endpoints: [] },
    'the model created before the failing config was rolled back',
  );
  await deployFromJob(conn, 'bad-job', {
    instanceType: 'ml.m5.xlarge',
    initialInstanceCount: 1,
    endpointName: 'taken',
    pollMs: 10,
  });
  await assert.rejects(
    deployFromJob(conn, 'bad-job', {
      instanceType: 'ml.m5.xlarge',
      initialInstanceCount: 1,
      endpointName: 'taken',
      pollMs: 10,
    }),
    /'taken' already exists/,
  );
  await assert.rejects(
    planDeploy(conn, 'no-such-job', { instanceType: 'ml.m5.xlarge', initialInstanceCount: 1 }),
    /training job 'no-such-job' was not found/,
  );
  await assert.rejects(planEndpointDelete(conn, 'no-such-endpoint'), /'no-such-endpoint' was not found/);
});

/** A loopback server answering with a fixed handler; records what it got. */
async function loopback(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers['x-amz-target'] ?? ''}`.trim());
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

test('a job without a model artifact is refused before anything is created', async () => {
  // moto always fills ModelArtifacts (and never has a job without one), so a loopback stand-in answers
  // DescribeTrainingJob as SageMaker does for a job that produced no model.
  const fake = await loopback((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify({
        TrainingJobName: 'no-model',
        TrainingJobStatus: 'Completed',
        RoleArn: ROLE,
        AlgorithmSpecification: { TrainingImage: SEED_IMAGE },
      }),
    );
  });
  try {
    await assert.rejects(
      planDeploy({ ...conn, endpoint: fake.url }, 'no-model', {
        instanceType: 'ml.m5.xlarge',
        initialInstanceCount: 1,
      }),
      /job has no model artifact/,
    );
    assert.deepEqual(fake.requests, ['POST / SageMaker.DescribeTrainingJob']);
  } finally {
    await fake.close();
  }
});

test("the container's error answers: 424 with its message, non-JSON, and a body over 6 MB never sent", async () => {
  const container = await loopback((req, body, res) => {
    const text = (JSON.parse(body) as { inputs: string }).inputs;
    if (text === 'fail') {
      res.writeHead(424, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code: 400,
          type: 'InternalServerException',
          message: "'NoneType' object has no attribute 'lower'",
        }),
      );
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>proxy error</html>');
    }
  });
  try {
    const local = httpPredictor(container.url, 'local endpoint');
    await assert.rejects(local.predict('fail'), /424 ModelError\): 'NoneType' object has no attribute 'lower'/);
    await assert.rejects(local.predict('ok'), /non-JSON \(text\/html\): "<html>proxy error<\/html>"/);
    await assert.rejects(local.predict('x'.repeat(7_000_000)), /at most 6 MB/);
    assert.equal(container.requests.length, 2, 'the oversized input was refused before sending');
  } finally {
    await container.close();
  }
  // SageMaker wraps the container's error as ModelError (424); moto cannot produce one, so a loopback
  // stand-in answers InvokeEndpoint with SageMaker's error shape.
  const runtime = await loopback((_req, _body, res) => {
    res.writeHead(424, { 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' });
    res.end(
      JSON.stringify({
        message: 'Received client error (400) from primary',
        OriginalStatusCode: 400,
        OriginalMessage: '{"code":400,"message":"unsupported content type"}',
        LogStreamArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/ep',
      }),
    );
  });
  try {
    const p = sageMakerPredictor({ ...conn, endpoint: runtime.url }, 'ep', { allScores: 'top_k' });
    await assert.rejects(p.predict(SENTENCE), /424 ModelError\): unsupported content type.*Log stream: arn:aws:logs/);
  } finally {
    await runtime.close();
  }
});

test('CLI: deploy --dry-run prints the three requests; predict to a local URL; delete refuses without a terminal', async () => {
  if (!existsSync(cli)) throw new Error(`${cli} missing: run npm run build first`);
  await trainingJob('cli-job');
  const env = { ...moto.env, SAGEMAKER_ROLE_ARN: ROLE };
  const dry = await run(
    process.execPath,
    [cli, 'deploy', 'cli-job', '--dry-run', '--instance-type', 'ml.m5.xlarge', '--count', '2'],
    { env },
  );
  const reqs = JSON.parse(dry.stdout) as Record<
    string,
    {
      ProductionVariants?: { InstanceType: string; InitialInstanceCount: number }[];
      PrimaryContainer?: { Image: string };
    }
  >;
  assert.deepEqual(Object.keys(reqs), ['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint']);
  assert.match(reqs.CreateModel!.PrimaryContainer!.Image, /1\.9\.0-transformers4\.11\.0-cpu-py38-ubuntu20\.04$/);
  assert.deepEqual(reqs.CreateEndpointConfig!.ProductionVariants![0]!.InitialInstanceCount, 2);
  assert.deepEqual(await leftovers(), { models: [], configs: [], endpoints: [] }, 'dry run creates nothing');

  const deployed = await run(
    process.execPath,
    [cli, 'deploy', 'cli-job', '--endpoint-name', 'cli-ep', '--instance-type', 'ml.m5.xlarge', '--yes'],
    { env },
  );
  assert.equal(deployed.stdout.trim(), 'cli-ep');
  // moto has no Price List: the offline table, labelled so.
  assert.match(
    deployed.stderr,
    /1 x ml\.m5\.xlarge, about \$0\.230\/h, offline table \(us-east-1 prices\) until deleted/,
  );

  const container = await loopback((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(SIX));
  });
  try {
    const out = await run(process.execPath, [cli, 'predict', container.url, SENTENCE], { env });
    assert.deepEqual(JSON.parse(out.stdout), SIX);
  } finally {
    await container.close();
  }

  const refused = await run(process.execPath, [cli, 'delete', 'cli-ep'], { env }).catch(
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal((refused as { code: number }).code, 1);
  assert.match((refused as { stderr: string }).stderr, /pass --yes/);
  assert.deepEqual((await leftovers()).endpoints, ['cli-ep']);
  const del = await run(process.execPath, [cli, 'delete', 'cli-ep', '--yes'], { env });
  assert.match(
    del.stdout,
    /Deleted endpoint cli-ep, endpoint config cli-ep and model cli-job-\d{4}(-\d{2}){5}-\d{3}\./,
  );
  assert.deepEqual(await leftovers(), { models: [], configs: [], endpoints: [] });
});
