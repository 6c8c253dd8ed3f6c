// GUI: a training job in moto whose CloudWatch log stream holds the `[metrics]` lines train.py prints
// (train loss / learning rate every 10 steps, eval loss / accuracy every 50) is opened from its tree
// row's "Open Job Details" action; the webview draws loss, learning rate and eval accuracy with uPlot
// and lists the last values. Screenshot (dark theme): test-output/e2e/job-details.png.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const title = "job details webview: a job's [metrics] lines charted (loss, learning rate, eval accuracy)";

const JOB = 'gui-emotion-metrics-job';
const GROUP = '/aws/sagemaker/TrainingJobs';
const STEPS = 200;

/** The lines the job "printed": a decaying loss, a linear-decay learning rate, a rising eval accuracy. */
function metricLines() {
  const lines = ['Loading dataset from /opt/ml/input/data/train'];
  for (let step = 10; step <= STEPS; step += 10) {
    const epoch = (step / STEPS) * 2;
    const loss = 1.75 * Math.exp(-step / 70) + 0.18 + 0.03 * Math.sin(step);
    const lr = 5e-5 * (1 - step / STEPS);
    lines.push(
      `[metrics] step=${step} epoch=${epoch.toFixed(4)} loss=${loss.toFixed(4)} learning_rate=${lr.toExponential(4)}`,
    );
    if (step % 50 === 0) {
      const evalLoss = 1.6 * Math.exp(-step / 80) + 0.24;
      const acc = 0.93 - 0.6 * Math.exp(-step / 60);
      lines.push(
        `[metrics] step=${step} epoch=${epoch.toFixed(4)} eval_loss=${evalLoss.toFixed(4)} eval_accuracy=${acc.toFixed(4)}`,
      );
    }
  }
  lines.push('Training complete');
  return lines;
}

async function seedJob(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const require = createRequire(join(repoRoot, 'package.json'));
  const { SageMakerClient, CreateTrainingJobCommand } = require('@aws-sdk/client-sagemaker');
  const {
    CloudWatchLogsClient,
    CreateLogGroupCommand,
    CreateLogStreamCommand,
    PutLogEventsCommand,
  } = require('@aws-sdk/client-cloudwatch-logs');
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
      OutputDataConfig: { S3OutputPath: 's3://sagemaker-us-east-1-123456789012/out' },
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  const cw = new CloudWatchLogsClient(cfg);
  await cw.send(new CreateLogGroupCommand({ logGroupName: GROUP })).catch((e) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  const stream = `${JOB}/algo-1-1700000000`;
  await cw.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
  const t0 = Date.now() - 600_000;
  await cw.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: stream,
      logEvents: metricLines().map((message, i) => ({ timestamp: t0 + i * 1000, message })),
    }),
  );
}

export async function run(wb) {
  await seedJob(wb.opts.repoRoot);
  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  const row = await wb.waitForTreeRow(JOB, { view: 'SageMaker', timeoutMs: 45_000 });
  // The row's inline action (shown on hover) is the user's way in; the palette entry needs a job argument.
  const frame = await wb.openWebviewFromRow(row, 'Open Job Details', { tab: `Job: ${JOB}`, title: JOB });
  // Three charts (loss with eval loss, learning rate, eval accuracy), each a canvas with a real size.
  const canvases = frame.locator('.chart:not([hidden]) canvas');
  await wb.step(
    'three uPlot charts drawn',
    async () => {
      while ((await canvases.count()) < 3) await wb.page.waitForTimeout(200);
    },
    30_000,
  );
  for (let i = 0; i < 3; i++) {
    const box = await canvases.nth(i).boundingBox();
    if (!box || box.width < 100 || box.height < 100)
      throw new Error(`chart ${i} canvas has size ${JSON.stringify(box)}, expected a drawn chart`);
  }
  const titles = await frame.locator('.chart .u-title').allTextContents();
  if (titles.join('|') !== 'Loss|Learning rate|Eval accuracy') throw new Error(`chart titles ${titles.join('|')}`);
  // Last values: the final records of the log (step 200).
  const last = Object.fromEntries(
    await frame
      .locator('#last > div')
      .evaluateAll((rows) => rows.map((r) => [r.querySelector('dt')?.textContent, r.querySelector('dd')?.textContent])),
  );
  const expected = {
    step: '200',
    loss: String(Number((1.75 * Math.exp(-200 / 70) + 0.18 + 0.03 * Math.sin(200)).toFixed(4))),
    eval_accuracy: String(Number((0.93 - 0.6 * Math.exp(-200 / 60)).toFixed(4))),
    learning_rate: '0',
  };
  for (const [k, v] of Object.entries(expected)) {
    if (last[k] !== v) throw new Error(`last ${k} shows "${last[k]}", expected ${v} (table: ${JSON.stringify(last)})`);
  }
  if (!(await frame.locator('#empty').isHidden())) throw new Error('the "No metrics yet" note is still shown');
  // uPlot draws ticks on the canvas; its legend shows the hovered value through the same formatter, which
  // must tell 5e-5 from 2.5e-5 (uPlot's default prints "0" for both).
  const over = frame.locator('#chart-lr .u-over');
  const ob = await over.boundingBox();
  await wb.page.mouse.move(ob.x + ob.width * 0.3, ob.y + ob.height / 2);
  const lrShown = frame.locator('#chart-lr .u-legend .u-series').nth(1).locator('.u-value');
  await wb.step(
    'hovered learning rate in the legend',
    async () => {
      for (;;) {
        const t = (await lrShown.textContent())?.trim() ?? '';
        if (/^\d(\.\d+)?e−5$/.test(t)) return;
        if (t !== '--' && t !== '') throw new Error(`the legend shows learning_rate "${t}", expected e.g. 3.5e−5`);
        await wb.page.waitForTimeout(200);
      }
    },
    10_000,
  );
  // Series colours come from the theme and must be opaque (a theme colour with alpha is a faint smear).
  const markers = await frame
    .locator('.u-legend .u-series .u-marker')
    .evaluateAll((ms) => ms.map((m) => m.ownerDocument.defaultView.getComputedStyle(m).borderColor));
  const faint = markers.filter((c) => /^rgba\(/.test(c) && !/,\s*1\)$/.test(c));
  if (markers.length < 4 || faint.length)
    throw new Error(`legend marker colours ${markers.join(' | ')}: expected 4 opaque theme colours`);
  await wb.clearNotifications();
  await wb.page.mouse.move(1200, 780);
  await wb.page.waitForTimeout(800);
  await wb.screenshot('job-details');
}
