// More faults through the built CLI against moto behind the fault proxy: an AWS answer that echoes the
// request (the container environment with HF_TOKEN, the session token) never reaches the output; a
// credential_process that hangs gets the request timeout and names itself; one that prints garbage, or a
// source_profile loop, is said as what it is, not as "profile not found"; a delete stopped half way
// (DeleteModel denied) is finished by its retry.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, sageMakerLeftovers, startMoto, type Moto } from '../helpers/moto';
import { startFaultProxy, type FaultProxy } from '../helpers/faultProxy';

const repo = path.resolve(__dirname, '../../..');
const shared = path.resolve(repo, '../shared');
const CLI_JS = path.join(repo, 'dist/cli.js');
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
const BUCKET = `sagemaker-us-east-1-${MOTO_ACCOUNT}`;
const HF_TOKEN = 'hf_SeCrEtTokenValue0123456789abcdefXYZ';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLEsessionTOKEN0123456789';

let moto: Moto;
let proxy: FaultProxy;
let tmp: string;

before(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
});
after(async () => {
  await proxy?.close();
  await moto?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  proxy.clear();
  proxy.injected.length = 0;
  await moto.reset();
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], {
      cwd: tmp,
      env: { ...moto.env, AWS_ENDPOINT_URL: proxy.url, SAGEMAKER_ROLE_ARN: ROLE, ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out: out.replace(/.*NodeVersionSupportWarning.*\n?/g, ''), ms: Date.now() - t0 });
    });
  });
}

const secretsEnv = { HF_TOKEN, AWS_SESSION_TOKEN: SESSION_TOKEN };

function assertNoSecret(out: string): void {
  assert.ok(!out.includes(HF_TOKEN), `HF_TOKEN printed:\n${out}`);
  assert.ok(!out.includes(SESSION_TOKEN), `the session token printed:\n${out}`);
  assert.ok(!out.includes('SeCrEtToken'), `part of HF_TOKEN printed:\n${out}`);
}

test('deploy --hub: a ValidationException echoing the container environment prints no token', async () => {
  proxy.add({ service: 'sagemaker', operation: 'CreateModel', fault: { kind: 'echo' } });
  const r = await cli(
    ['deploy', '--hub', 'distilbert-base-uncased', '--task', 'text-classification', '--yes', '--poll-seconds', '0.1'],
    secretsEnv,
  );
  assert.equal(proxy.injected.length, 1, r.out);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /ValidationException|validation error/, 'the echoed error is shown');
  assert.match(r.out, /<redacted>/, 'where the token was');
  assertNoSecret(r.out);
});

test('train with pushToHub: the echoed CreateTrainingJob request prints no token', async () => {
  await new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  })
    .send(new CreateBucketCommand({ Bucket: BUCKET }))
    .catch(() => undefined);
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  for (const key of ['it/push/.sagemaker-hf-manifest.json', 'it/push/train/state.json', 'it/push/test/state.json'])
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{}' }));
  const spec = path.join(tmp, 'push.sagemaker-hf.json');
  writeFileSync(
    spec,
    JSON.stringify({
      version: 1,
      dataset: {
        source: {
          train: path.join(shared, 'data/emotion/train.jsonl'),
          test: path.join(shared, 'data/emotion/test.jsonl'),
        },
        splits: { train: 'train', test: 'test' },
        tokenizer: path.join(shared, 'models/bert-base-uncased'),
        s3Prefix: 'it/push',
      },
      training: {
        entryPoint: 'train.py',
        sourceDir: path.join(repo, 'training-scripts'),
        instanceType: 'ml.g5.xlarge',
        transformersVersion: '4.49.0',
        pytorchVersion: '2.5.1',
        pyVersion: 'py311',
        hyperparameters: { epochs: 1, model_id: 'bert-base-uncased' },
        pushToHub: { repo: 'me/emotion' },
      },
    }),
  );
  proxy.add({ service: 'sagemaker', operation: 'CreateTrainingJob', fault: { kind: 'echo' } });
  const r = await cli(['train', spec], secretsEnv);
  assert.equal(proxy.injected.length, 1, r.out);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /<redacted>/, r.out);
  assertNoSecret(r.out);
});

function profileFiles(name: string, body: string): NodeJS.ProcessEnv {
  const config = path.join(tmp, `${name}-config`);
  writeFileSync(config, body);
  return {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'no-credentials'),
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
  };
}

test('a credential_process that never returns: the request timeout applies, naming the profile and the command', async () => {
  const hang = path.join(tmp, 'hang.sh');
  writeFileSync(hang, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
  const env = {
    ...profileFiles('hang', `[profile slow]\nregion = us-east-1\ncredential_process = ${hang}\n`),
    SAGEMAKER_HF_TIMEOUT_SECONDS: '2',
  };
  const r = await cli(['connect', '--profile', 'slow'], env);
  assert.equal(r.code, 1, r.out);
  assert.ok(r.ms < 30_000, `gave up after ${r.ms} ms`);
  assert.equal(r.out.trimEnd().split('\n').length, 1, r.out);
  assert.match(
    r.out,
    new RegExp(
      `credentials of profile 'slow' did not come within 2 s: its credential_process \\(${hang}\\) never returned.*SAGEMAKER_HF_TIMEOUT_SECONDS`,
    ),
  );
});

test('a credential_process printing garbage, and a source_profile loop: said as what they are', async () => {
  const garbage = path.join(tmp, 'garbage.sh');
  writeFileSync(garbage, '#!/bin/sh\necho "<html>login page</html>"\n', { mode: 0o755 });
  const a = await cli(
    ['connect', '--profile', 'junk'],
    profileFiles('junk', `[profile junk]\nregion = us-east-1\ncredential_process = ${garbage}\n`),
  );
  assert.equal(a.code, 1, a.out);
  assert.doesNotMatch(a.out, /was not found/);
  assert.match(a.out, /profile 'junk': its credential_process printed something that is not AWS credentials/);
  const b = await cli(
    ['connect', '--profile', 'a'],
    profileFiles(
      'loop',
      '[profile a]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/y\nsource_profile = a\n',
    ),
  );
  assert.equal(b.code, 1, b.out);
  assert.doesNotMatch(b.out, /was not found/);
  assert.match(b.out, /profile 'a': its source_profile chain loops back on itself/);
});

test('delete where DeleteModel is denied: the model is named as left; the retry finds and deletes it', async () => {
  const sm = new SageMakerClient({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const name = 'half-deleted';
  const Tags = [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }];
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image:
          '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04',
      },
      Tags,
    }),
  );
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
      ],
      Tags,
    }),
  );
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name, Tags }));
  proxy.add({
    service: 'sagemaker',
    operation: 'DeleteModel',
    fault: {
      kind: 'error',
      status: 400,
      code: 'AccessDeniedException',
      message: 'not authorized to perform: sagemaker:DeleteModel',
    },
  });
  const first = await cli(['delete', name, '--yes']);
  assert.equal(first.code, 1, first.out);
  assert.match(first.out, /Not deleted: model half-deleted/);
  assert.deepEqual((await sageMakerLeftovers(sm)).models, [name]);
  proxy.clear();
  const retry = await cli(['delete', name, '--yes']);
  assert.equal(retry.code, 0, retry.out);
  assert.doesNotMatch(retry.out, /was not found/);
  assert.match(retry.out, /Deletes model half-deleted \(endpoint is already deleted\)/);
  assert.match(retry.out, /Deleted model half-deleted\./);
  assert.deepEqual(await sageMakerLeftovers(sm), { models: [], configs: [], endpoints: [] });
});

test('train --bucket b/c: refused in one line before the spec is read or anything is sent', async () => {
  const r = await cli(['train', path.join(tmp, 'none.sagemaker-hf.json'), '--bucket', 'b/c']);
  assert.equal(r.code, 1, r.out);
  assert.equal(
    r.out.trimEnd(),
    "sagemaker-hf train: --bucket: 'b/c' contains '/': give the bucket name alone (a key prefix goes elsewhere)",
  );
});
