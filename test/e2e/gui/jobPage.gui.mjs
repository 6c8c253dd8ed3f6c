// GUI: the job details page of a finished managed-spot SageMaker job shows what the console shows:
// instances, created / started / ended and duration, training vs billable seconds with the spot saving
// in $, the secondary status history, the hyperparameters as sent, the input channels, output and
// checkpoint locations, the model artifact and the image, with Deploy / Open Logs / Copy ARN buttons
// (no Stop: the job is over). Its log holds one epoch, so eval accuracy is a single point: it is drawn
// as a dot and its last value is printed beside the chart. moto never reports a job's times, billable
// seconds, status history or artifact, so a loopback proxy in front of moto (sagemakerHf.endpointUrl)
// adds them to DescribeTrainingJob for this job only. Screenshot: test-output/e2e/job-page.png.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const title = 'job page: every field of a cloud job, its actions, and a one-point metric drawn';

const JOB = 'gui-job-page-spot';
const GROUP = '/aws/sagemaker/TrainingJobs';
const T0 = Math.floor(Date.UTC(2026, 11, 7, 10, 0, 0) / 1000);
const ADDED = {
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  CreationTime: T0,
  TrainingStartTime: T0 + 60,
  TrainingEndTime: T0 + 60 + 1890,
  TrainingTimeInSeconds: 1890,
  BillableTimeInSeconds: 567,
  ModelArtifacts: { S3ModelArtifacts: `s3://sagemaker-us-east-1-123456789012/out/${JOB}/output/model.tar.gz` },
  SecondaryStatusTransitions: [
    { Status: 'Starting', StartTime: T0, EndTime: T0 + 60, StatusMessage: 'Preparing the instances for training' },
    { Status: 'Downloading', StartTime: T0 + 60, EndTime: T0 + 120, StatusMessage: 'Downloading the training image' },
    { Status: 'Training', StartTime: T0 + 120, EndTime: T0 + 1900, StatusMessage: 'Training image download completed' },
    {
      Status: 'Uploading',
      StartTime: T0 + 1900,
      EndTime: T0 + 1950,
      StatusMessage: 'Uploading generated training model',
    },
    { Status: 'Completed', StartTime: T0 + 1950, EndTime: T0 + 1950, StatusMessage: 'Training job completed' },
  ],
};

/** A pass-through proxy to moto that adds ADDED to DescribeTrainingJob of JOB (moto lacks those fields). */
async function startProxy(target) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks);
    const op = String(req.headers['x-amz-target'] ?? '');
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    );
    const up = await fetch(target + req.url, { method: req.method, headers, body: raw.length ? raw : undefined });
    let out = Buffer.from(await up.arrayBuffer());
    if (op === 'SageMaker.DescribeTrainingJob' && up.ok && JSON.parse(raw.toString()).TrainingJobName === JOB)
      out = Buffer.from(JSON.stringify({ ...JSON.parse(out.toString()), ...ADDED }));
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
    res.end(out);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

async function seedJob(repoRoot, moto) {
  const require = createRequire(join(repoRoot, 'package.json'));
  const { SageMakerClient, CreateTrainingJobCommand } = require('@aws-sdk/client-sagemaker');
  const cwl = require('@aws-sdk/client-cloudwatch-logs');
  const cfg = {
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  await new SageMakerClient(cfg).send(
    new CreateTrainingJobCommand({
      TrainingJobName: JOB,
      RoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
      AlgorithmSpecification: {
        TrainingImage:
          '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04',
        TrainingInputMode: 'File',
      },
      HyperParameters: { epochs: '1', model_name: '"prajjwal1/bert-tiny"', learning_rate: '5e-05' },
      InputDataConfig: ['train', 'test'].map((ch) => ({
        ChannelName: ch,
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: `s3://sagemaker-us-east-1-123456789012/samples/datasets/emotion/${ch}`,
          },
        },
      })),
      OutputDataConfig: { S3OutputPath: 's3://sagemaker-us-east-1-123456789012/out' },
      CheckpointConfig: { S3Uri: `s3://sagemaker-us-east-1-123456789012/checkpoints/${JOB}` },
      EnableManagedSpotTraining: true,
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 },
    }),
  );
  const cw = new cwl.CloudWatchLogsClient(cfg);
  await cw.send(new cwl.CreateLogGroupCommand({ logGroupName: GROUP })).catch((e) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  const stream = `${JOB}/algo-1-1700000000`;
  await cw.send(new cwl.CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  const lines = [
    '[metrics] step=10 epoch=0.5 loss=1.2 learning_rate=2.5e-05',
    '[metrics] step=20 epoch=1.0 loss=0.9 learning_rate=0',
    '[metrics] step=20 epoch=1.0 eval_loss=0.95 eval_accuracy=0.295',
  ];
  const t = Date.now() - 60_000;
  await cw.send(
    new cwl.PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: stream,
      logEvents: lines.map((message, i) => ({ timestamp: t + i * 1000, message })),
    }),
  );
}

export async function run(wb) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  await seedJob(wb.opts.repoRoot, moto);
  const proxy = await startProxy(moto);
  try {
    mkdirSync(join(wb.opts.folder, '.vscode'), { recursive: true });
    writeFileSync(
      join(wb.opts.folder, '.vscode', 'settings.json'),
      JSON.stringify({ 'sagemakerHf.endpointUrl': proxy.url }),
    );
    await wb.open();
    await wb.openContainer('SageMaker HF');
    await wb.runCommand('SageMaker HF: Connect to AWS');
    const row = await wb.waitForTreeRow(JOB, { view: 'SageMaker', timeoutMs: 45_000 });
    const frame = await wb.openWebviewFromRow(row, 'Open Job Details', { tab: `Job: ${JOB}`, title: JOB });
    const facts = () =>
      frame.locator('#facts section').evaluateAll((secs) =>
        Object.fromEntries(
          secs.flatMap((s) => {
            const g = s.querySelector('h2')?.textContent;
            const dts = [...s.querySelectorAll('dt')];
            return dts.map((dt) => [`${g}/${dt.textContent}`, dt.nextElementSibling?.textContent ?? '']);
          }),
        ),
      );
    let f = {};
    await wb.step(
      'the facts of the described job',
      async () => {
        for (;;) {
          f = await facts();
          if (f['Billing/Billable time'] && f['Output/Model artifact']) return;
          await wb.page.waitForTimeout(300);
        }
      },
      30_000,
    );
    const expected = {
      'Overview/Status': 'Completed',
      'Overview/Instances': 'ml.g4dn.xlarge × 1 · 30 GB volume',
      'Overview/Capacity': 'managed spot',
      'Overview/Created': '2026-12-07 10:00:00Z',
      'Overview/Started': '2026-12-07 10:01:00Z',
      'Overview/Ended': '2026-12-07 10:32:30Z',
      'Overview/Duration': '31m 30s',
      'Overview/Image':
        '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04',
      'Billing/Training time': '1890 s (31m 30s)',
      'Billing/Billable time': '567 s (9m 27s)',
      'Status history/Downloading': '2026-12-07 10:01:00Z · 1m 00s · Downloading the training image',
      'Hyperparameters (as sent)/model_name': '"prajjwal1/bert-tiny"',
      'Input channels/train': 's3://sagemaker-us-east-1-123456789012/samples/datasets/emotion/train',
      'Input channels/test': 's3://sagemaker-us-east-1-123456789012/samples/datasets/emotion/test',
      'Output/Output path': 's3://sagemaker-us-east-1-123456789012/out',
      'Output/Model artifact': ADDED.ModelArtifacts.S3ModelArtifacts,
      'Output/Checkpoints': `s3://sagemaker-us-east-1-123456789012/checkpoints/${JOB}`,
    };
    for (const [k, v] of Object.entries(expected))
      if (f[k] !== v) throw new Error(`${k} shows "${f[k]}", expected "${v}" (facts: ${JSON.stringify(f)})`);
    if (!/^70% \(about \$\d+\.\d+, offline table \(us-east-1 prices\)\)$/.test(f['Billing/Spot saving'] ?? ''))
      throw new Error(`Spot saving shows "${f['Billing/Spot saving']}", expected 70% and its $`);
    if (!/^arn:aws:sagemaker:us-east-1:123456789012:training-job\//.test(f['Overview/ARN'] ?? ''))
      throw new Error(`ARN shows "${f['Overview/ARN']}"`);
    // Actions: Deploy, Open Logs and Copy ARN for a completed job; no Stop.
    const visible = await frame.locator('#actions button:not([hidden])').allTextContents();
    if (visible.join('|') !== 'Deploy|Open Logs|Copy ARN') throw new Error(`action buttons: ${visible.join('|')}`);
    // A one-point series (eval accuracy after one epoch) is drawn, with its last value beside the chart.
    const acc = frame.locator('#chart-acc');
    await acc.locator('canvas').waitFor({ timeout: 30_000 });
    const accLast = (await acc.locator('.chart-last').textContent())?.trim();
    if (accLast !== 'last eval_accuracy 0.295') throw new Error(`eval accuracy chart says "${accLast}"`);
    const lossLast = (await frame.locator('#chart-loss .chart-last').textContent())?.trim();
    if (lossLast !== 'last loss 0.9 · last eval_loss 0.95') throw new Error(`loss chart says "${lossLast}"`);
    // The dot is on the canvas: some pixel of the eval accuracy plot is not background.
    const drawn = await acc.locator('canvas').evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && d[i + 1] - d[i] > 40 && d[i + 1] - d[i + 2] > 40) n++;
      return n;
    });
    if (drawn < 10) throw new Error(`the one eval accuracy point is not drawn (${drawn} green pixels)`);
    // Copy ARN is reachable by keyboard with a visible focus ring. (What the click copies is not checked
    // here: in this headless code-server neither the clipboard nor the message after it came back.)
    await frame.locator('#copy-arn').focus();
    const ring = await frame
      .locator('#copy-arn')
      .evaluate((b) => b.ownerDocument.defaultView.getComputedStyle(b).outlineStyle);
    if (ring === 'none') throw new Error('the focused Copy ARN button shows no focus outline');
    await wb.clearNotifications();
    await wb.page.mouse.move(1200, 780);
    await wb.screenshot('job-page');
    await acc.scrollIntoViewIfNeeded();
    await wb.page.waitForTimeout(300);
    await wb.screenshot('job-page-metrics');
  } finally {
    proxy.close();
  }
}
