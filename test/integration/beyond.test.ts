// Spot training, warm pools, push to Hub, serverless and Hub deploys against a real moto_server, through
// the built CLI. moto stores and returns the spot, checkpoint, keep-alive and serverless fields; what it
// cannot show (billable seconds, a warm pool's status, UpdateTrainingJob, the job's Environment, which
// its DescribeTrainingJob drops) comes from the recording proxy in test/helpers/sageMakerProxy.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  CreateTrainingJobCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MOTO_ACCOUNT, startMoto, type Moto } from '../helpers/moto';
import { startSageMakerProxy, type SageMakerProxy } from '../helpers/sageMakerProxy';

const repo = path.resolve(__dirname, '../../..');
const example = path.join(repo, 'examples/emotion.sagemaker-hf.json');
const cli = path.join(repo, 'dist/cli.js');
const run = promisify(execFile);
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/SageMakerRole`;
const BUCKET = `sagemaker-us-east-1-${MOTO_ACCOUNT}`;
const TOKEN = 'hf_BEYONDtestTOKENnotREAL0123456789';
let moto: Moto;
let proxy: SageMakerProxy;
let sm: SageMakerClient;
let tmp: string;

before(async () => {
  moto = await startMoto();
  proxy = await startSageMakerProxy(moto.endpoint);
  const cfg = {
    region: 'us-east-1',
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  sm = new SageMakerClient(cfg);
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // What the dataset step leaves behind: the manifest and one object per channel.
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'samples/datasets/emotion/.sagemaker-hf-manifest.json',
      Body: '{"version":1}',
    }),
  );
  for (const ch of ['train', 'test'])
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: `samples/datasets/emotion/${ch}/dataset_info.json`, Body: '{}' }),
    );
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beyond-it-'));
});
after(async () => {
  await proxy?.close();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function specFile(
  name: string,
  edit: (raw: { training: Record<string, unknown>; deploy?: Record<string, unknown> }) => void,
): string {
  const raw = JSON.parse(fs.readFileSync(example, 'utf8'));
  delete raw.$schema;
  raw.training.sourceDir = path.join(repo, 'training-scripts');
  raw.training.baseJobName = name;
  edit(raw);
  const file = path.join(tmp, `${name}.sagemaker-hf.json`);
  fs.writeFileSync(file, JSON.stringify(raw));
  return file;
}

const viaProxy = (extra: NodeJS.ProcessEnv = {}) => ({
  ...moto.env,
  AWS_ENDPOINT_URL: proxy.url,
  SAGEMAKER_ROLE_ARN: ROLE,
  ...extra,
});

test('train with spot, warm pool and pushToHub: the fields reach moto, the token only the Environment, never the output', async () => {
  const file = specFile('beyond-spot', (raw) => {
    raw.training.spot = { maxWaitSeconds: 172800 };
    raw.training.keepAliveSeconds = 900;
    raw.training.pushToHub = { repo: 'my-user/bert-emotion' };
  });
  // --dry-run: the request with the token redacted.
  const dry = await run(process.execPath, [cli, 'train', file, '--dry-run'], { env: viaProxy({ HF_TOKEN: TOKEN }) });
  const req = JSON.parse(dry.stdout);
  assert.equal(req.EnableManagedSpotTraining, true);
  assert.deepEqual(req.StoppingCondition, { MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 172800 });
  assert.deepEqual(req.CheckpointConfig, {
    S3Uri: `s3://${BUCKET}/${req.TrainingJobName}/checkpoints`,
    LocalPath: '/opt/ml/checkpoints',
  });
  assert.equal(req.ResourceConfig.KeepAlivePeriodInSeconds, 900);
  assert.deepEqual(req.Environment, { HF_TOKEN: '<redacted>' });
  assert.equal(req.HyperParameters.hub_model_id, '"my-user/bert-emotion"');
  assert.equal(req.HyperParameters.hub_private_repo, 'true');
  assert.equal((dry.stdout + dry.stderr).includes(TOKEN), false);

  // The real run: moto's DescribeTrainingJob gives the billable seconds nobody else can (rewritten).
  proxy.requests.length = 0;
  proxy.rewrite('DescribeTrainingJob', { TrainingTimeInSeconds: 3600, BillableTimeInSeconds: 1080 });
  try {
    const real = await run(process.execPath, [cli, 'train', file, '--wait', '--poll-seconds', '1'], {
      env: viaProxy({ HF_TOKEN: TOKEN }),
    });
    const out = real.stdout + real.stderr;
    assert.equal(out.includes(TOKEN), false, 'the token is never printed');
    assert.match(
      real.stdout,
      /with managed spot capacity: on-demand about \$3\.83\/h, spot about \$1\.15\/h, offline table \(us-east-1 prices; estimate: 70% below on-demand/,
    );
    assert.match(
      real.stdout,
      /Warm pool: the instances stay up to 900 s after the job, billed at about \$3\.83\/h, offline table \(us-east-1 prices\); release early with 'sagemaker-hf release-warm-pool <job>'/,
    );
    assert.match(real.stdout, /Pushes the model to the Hugging Face Hub: my-user\/bert-emotion \(private\)/);
    assert.match(
      real.stdout,
      /Billing: training 3600 s · billable 1080 s · saved 70% \(about \$2\.68, offline table \(us-east-1 prices\)\)/,
    );
    const create = proxy.requests.find((r) => r.target === 'CreateTrainingJob')!.body as {
      Environment: Record<string, string>;
      HyperParameters: Record<string, string>;
      TrainingJobName: string;
    };
    assert.deepEqual(create.Environment, { HF_TOKEN: TOKEN });
    assert.equal(JSON.stringify(create.HyperParameters).includes(TOKEN), false);
    // moto stored the spot, checkpoint and keep-alive fields and returns them.
    const d = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: create.TrainingJobName }));
    assert.equal(d.EnableManagedSpotTraining, true);
    assert.deepEqual(d.CheckpointConfig, {
      S3Uri: `s3://${BUCKET}/${create.TrainingJobName}/checkpoints`,
      LocalPath: '/opt/ml/checkpoints',
    });
    assert.equal(d.StoppingCondition?.MaxWaitTimeInSeconds, 172800);
    assert.equal(d.ResourceConfig?.KeepAlivePeriodInSeconds, 900);
  } finally {
    proxy.rewrite('DescribeTrainingJob', undefined);
  }
});

test('train: pushToHub without HF_TOKEN and spot shorter than the runtime are one-line errors, nothing created', async () => {
  const before = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'x' })).catch(() => undefined);
  assert.equal(before, undefined);
  const hub = specFile('beyond-notoken', (raw) => {
    raw.training.pushToHub = { repo: 'a/b' };
  });
  const env: NodeJS.ProcessEnv = { ...viaProxy() };
  delete env.HF_TOKEN;
  await assert.rejects(
    run(process.execPath, [cli, 'train', hub], { env }),
    (e: { code: number; stderr: string }) =>
      e.code === 1 &&
      /^sagemaker-hf train: training\.pushToHub: pushing to a\/b needs a Hugging Face token/m.test(e.stderr),
  );
  const spot = specFile('beyond-shortwait', (raw) => {
    raw.training.spot = { maxWaitSeconds: 60 };
    raw.training.maxRuntimeInSeconds = 3600;
  });
  await assert.rejects(
    run(process.execPath, [cli, 'train', spot, '--dry-run'], { env }),
    (e: { code: number; stderr: string }) =>
      e.code === 1 &&
      /training\.spot\.maxWaitSeconds: 60 is less than training\.maxRuntimeInSeconds \(3600\)/.test(e.stderr),
  );
  assert.equal(
    proxy.requests.filter(
      (r) => r.target === 'CreateTrainingJob' && String(r.body.TrainingJobName).startsWith('beyond-notoken'),
    ).length,
    0,
  );
});

async function createJob(name: string, keepAlive?: number): Promise<void> {
  await sm.send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      RoleArn: ROLE,
      AlgorithmSpecification: {
        TrainingImage:
          '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04',
        TrainingInputMode: 'File',
      },
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/` },
      ResourceConfig: {
        InstanceType: 'ml.g4dn.xlarge',
        InstanceCount: 1,
        VolumeSizeInGB: 30,
        ...(keepAlive ? { KeepAlivePeriodInSeconds: keepAlive } : {}),
      },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
}

test('release-warm-pool: shows the pool and its price, sends UpdateTrainingJob with KeepAlivePeriodInSeconds 0', async () => {
  const job = 'beyond-warm';
  await createJob(job, 1800);
  // moto has no WarmPoolStatus and no UpdateTrainingJob (500 NotImplemented): the proxy shows an
  // Available pool and answers the update, after which the pool reads Terminated, as on AWS.
  proxy.rewrite('DescribeTrainingJob', {
    WarmPoolStatus: { Status: 'Available', ResourceRetainedBillableTimeInSeconds: 120 },
  });
  proxy.answer('UpdateTrainingJob', (body) => {
    proxy.rewrite('DescribeTrainingJob', {
      WarmPoolStatus: { Status: 'Terminated', ResourceRetainedBillableTimeInSeconds: 130 },
    });
    return {
      TrainingJobArn: `arn:aws:sagemaker:us-east-1:${MOTO_ACCOUNT}:training-job/${String(body.TrainingJobName)}`,
    };
  });
  try {
    await assert.rejects(
      run(process.execPath, [cli, 'release-warm-pool', job], { env: viaProxy() }),
      (e: { code: number; stderr: string }) => e.code === 1 && /pass --yes to confirm/.test(e.stderr),
    );
    assert.equal(
      proxy.requests.filter((r) => r.target === 'UpdateTrainingJob').length,
      0,
      'nothing released without a confirmation',
    );
    const r = await run(process.execPath, [cli, 'release-warm-pool', job, '--yes'], { env: viaProxy() });
    assert.match(
      r.stderr,
      /Releases the warm pool of beyond-warm \(warm pool Available · about \$0\.736\/h, offline table \(us-east-1 prices\) · expires in (29|30) min\)/,
    );
    assert.equal(r.stdout.trim(), 'Released the warm pool of beyond-warm (now Terminated).');
    assert.deepEqual(
      proxy.requests.filter((x) => x.target === 'UpdateTrainingJob').map((x) => x.body),
      [{ TrainingJobName: job, ResourceConfig: { KeepAlivePeriodInSeconds: 0 } }],
    );
    const again = await run(process.execPath, [cli, 'release-warm-pool', job, '--yes'], { env: viaProxy() });
    assert.equal(again.stdout.trim(), 'Nothing to release: warm pool Terminated.');
  } finally {
    proxy.rewrite('DescribeTrainingJob', undefined);
    proxy.answer('UpdateTrainingJob', undefined);
  }
  await createJob('beyond-cold');
  await assert.rejects(
    run(process.execPath, [cli, 'release-warm-pool', 'beyond-cold', '--yes'], { env: moto.env }),
    (e: { stderr: string }) => /training job 'beyond-cold' has no warm pool/.test(e.stderr),
  );
});

test('deploy --serverless: ServerlessConfig without instances, the CPU image, priced per use', async () => {
  const job = 'beyond-serverless-job';
  await createJob(job);
  const bad = run(process.execPath, [cli, 'deploy', job, '--serverless', '--memory', '1500', '--yes'], {
    env: viaProxy(),
  });
  await assert.rejects(bad, (e: { stderr: string }) =>
    /deploy\.serverless\.memorySizeInMB: 1500 is not one of 1024, 2048, 3072, 4096, 5120, 6144/.test(e.stderr),
  );
  const r = await run(
    process.execPath,
    [
      cli,
      'deploy',
      job,
      '--serverless',
      '--memory',
      '3072',
      '--max-concurrency',
      '4',
      '--endpoint-name',
      'beyond-sls',
      '--yes',
    ],
    { env: viaProxy() },
  );
  assert.equal(r.stdout.trim(), 'beyond-sls');
  assert.match(
    r.stderr,
    /serverless, 3072 MB, up to 4 concurrent, billed per use: about \$0\.000060 per second of compute \(3 GB; offline table \(us-east-1 prices\)\) \+ about \$0\.016\/GB of data \(offline table, us-east-1 prices\); nothing while idle\./,
  );
  const cfg = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'beyond-sls' }));
  // --endpoint-name names the endpoint and its config; the model keeps the default name, as
  // estimator.deploy(endpoint_name=) does.
  const modelName = cfg.ProductionVariants?.[0]?.ModelName ?? '';
  assert.match(modelName, /^beyond-serverless-job-\d{4}(-\d{2}){5}-\d{3}$/);
  assert.deepEqual(cfg.ProductionVariants, [
    {
      VariantName: 'AllTraffic',
      ModelName: modelName,
      InitialVariantWeight: 1,
      ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 4 },
    },
  ]);
  const model = await sm.send(new DescribeModelCommand({ ModelName: modelName }));
  assert.match(
    model.PrimaryContainer!.Image!,
    /huggingface-pytorch-inference:2\.6\.0-transformers5\.5\.3-cpu-py312-ubuntu22\.04$/,
  );
});

test('deploy --hub: HF_MODEL_ID/HF_TASK/HF_TOKEN in the model, no artifact; the token only redacted in output', async () => {
  const dry = await run(
    process.execPath,
    [
      cli,
      'deploy',
      '--hub',
      'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
      '--task',
      'text-classification',
      '--instance-type',
      'ml.m5.xlarge',
      '--dry-run',
    ],
    { env: viaProxy({ HF_TOKEN: TOKEN }) },
  );
  const plan = JSON.parse(dry.stdout);
  assert.equal(plan.CreateModel.PrimaryContainer.Environment.HF_TOKEN, '<redacted>');
  assert.equal('ModelDataUrl' in plan.CreateModel.PrimaryContainer, false);
  // HuggingFaceModel.deploy() names model, config and endpoint from the image (base_name_from_image).
  assert.match(plan.CreateModel.ModelName, /^huggingface-pytorch-inference-\d{4}-\d\d-\d\d-/);
  assert.equal(plan.CreateEndpoint.EndpointName, plan.CreateModel.ModelName);
  const r = await run(
    process.execPath,
    [
      cli,
      'deploy',
      '--hub',
      'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
      '--task',
      'text-classification',
      '--instance-type',
      'ml.m5.xlarge',
      '--endpoint-name',
      'beyond-hub',
      '--yes',
    ],
    { env: viaProxy({ HF_TOKEN: TOKEN }) },
  );
  assert.equal((dry.stdout + dry.stderr + r.stdout + r.stderr).includes(TOKEN), false);
  assert.match(
    r.stderr,
    /model distilbert\/distilbert-base-uncased-finetuned-sst-2-english from the Hugging Face Hub, task text-classification, with HF_TOKEN/,
  );
  // --endpoint-name names the endpoint and its config; the model keeps the image-based name.
  const hubCfg = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'beyond-hub' }));
  const hubModel = hubCfg.ProductionVariants?.[0]?.ModelName ?? '';
  assert.match(hubModel, /^huggingface-pytorch-inference-\d{4}(-\d{2}){5}-\d{3}$/);
  const model = await sm.send(new DescribeModelCommand({ ModelName: hubModel }));
  assert.deepEqual(model.PrimaryContainer!.Environment, {
    HF_MODEL_ID: 'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
    HF_TASK: 'text-classification',
    HF_TOKEN: TOKEN,
    SAGEMAKER_PROGRAM: '',
    SAGEMAKER_SUBMIT_DIRECTORY: '',
    SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
    SAGEMAKER_REGION: 'us-east-1',
  });
  assert.equal(model.PrimaryContainer!.ModelDataUrl, undefined);
  await assert.rejects(
    run(process.execPath, [cli, 'deploy', '--hub', 'gpt2'], { env: viaProxy() }),
    (e: { stderr: string }) => /task: --hub needs --task/.test(e.stderr),
  );
});
