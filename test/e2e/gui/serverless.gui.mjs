// GUI: "Deploy Endpoint" on a completed job (moto) offers serverless capacity with its pricing model;
// "Serverless 2 GB" is picked, the modal says billed per use with the per-second price, the endpoint is
// created with ServerlessConfig, listed in the tree as serverless and counted in the status bar without
// an hourly price. In the predictions view the first request is marked as a cold start and its latency
// shown apart. Screenshots: test-output/e2e/serverless-confirmation.png, serverless-endpoint.png,
// serverless-predictions.png.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const title =
  'serverless endpoint: picker with its pricing model, tree and status bar per use, cold start apart in predictions';

const JOB = 'gui-serverless-job';
const ENDPOINT = 'gui-serverless-ep';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const SCORES = [
  { label: 'sadness', score: 0.91 },
  { label: 'fear', score: 0.05 },
  { label: 'anger', score: 0.02 },
  { label: 'joy', score: 0.01 },
  { label: 'love', score: 0.007 },
  { label: 'surprise', score: 0.003 },
];

function clients(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const require = createRequire(join(repoRoot, 'package.json'));
  const sdk = require('@aws-sdk/client-sagemaker');
  const sm = new sdk.SageMakerClient({
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  return { moto, sdk, sm };
}

async function seedJob(repoRoot) {
  const { sdk, sm } = clients(repoRoot);
  await sm.send(
    new sdk.CreateTrainingJobCommand({
      TrainingJobName: JOB,
      RoleArn: ROLE,
      AlgorithmSpecification: {
        TrainingImage:
          '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04',
        TrainingInputMode: 'File',
      },
      OutputDataConfig: { S3OutputPath: 's3://sagemaker-us-east-1-123456789012/' },
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
}

async function pick(wb, text) {
  const row = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 20_000 }).catch((e) => {
    throw new Error(`no quick pick entry "${text}": ${e.message}`);
  });
  await row.click();
}

/**
 * Types into the input box whose title ends with `step`. VS Code reuses one input element for the next
 * box: filling it before the next title shows would type into the box being closed, and the text is lost.
 */
async function answer(wb, step, text) {
  const title = wb.page.locator('.quick-input-widget .quick-input-title', { hasText: step });
  await title.waitFor({ state: 'visible', timeout: 20_000 }).catch((e) => {
    throw new Error(`no input box "…: ${step}": ${e.message}`);
  });
  const input = wb.page.locator('.quick-input-widget input');
  await input.fill(text);
  await wb.page.keyboard.press('Enter');
}

export async function run(wb) {
  await seedJob(wb.opts.repoRoot);
  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  await wb.waitForTreeRow(JOB, { view: 'SageMaker', timeoutMs: 45_000 });

  await wb.runCommand('SageMaker HF: Deploy Endpoint');
  await pick(wb, JOB);
  // The capacity picker lists instance types per hour and serverless sizes per use.
  await wb.page
    .locator('.quick-input-list .monaco-list-row', { hasText: 'ml.g4dn.xlarge' })
    .first()
    .waitFor({ timeout: 20_000 });
  const serverlessRow = wb.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Serverless 2 GB' }).first();
  await serverlessRow.waitFor({ timeout: 20_000 }).catch((e) => {
    throw new Error(`the capacity picker offers no serverless entry: ${e.message}`);
  });
  const rowText = (await serverlessRow.textContent()) ?? '';
  if (!/billed per use/.test(rowText)) throw new Error(`serverless entry "${rowText}" does not name its pricing model`);
  await serverlessRow.click();
  await answer(wb, 'serverless max concurrency', '5');
  await answer(wb, 'endpoint name', ENDPOINT);

  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 30_000 }).catch((e) => {
    throw new Error(`no confirmation before creating the serverless endpoint: ${e.message}`);
  });
  const detail = (await dialog.locator('.dialog-message-detail').textContent()) ?? '';
  for (const re of [
    /a serverless endpoint \(2048 MB, up to 5 concurrent, CPU\)/,
    /billed per use: about \$0\.000040 per second of compute \(2 GB; offline table \(us-east-1 prices\)\)/,
    /cold start/,
    /huggingface-pytorch-inference:[^ ]*-cpu-/,
  ]) {
    if (!re.test(detail)) throw new Error(`dialog detail lacks ${re}: ${detail}`);
  }
  await wb.screenshot('serverless-confirmation');
  await dialog
    .locator('.dialog-buttons .monaco-button', { hasText: /^\s*Deploy\s*$/ })
    .first()
    .click();
  // Done when the endpoint's row says InService (the "is InService" message may land in the notification
  // centre rather than as a toast right after a modal).
  await wb.waitForTreeRow(ENDPOINT, { view: 'SageMaker', timeoutMs: 60_000 });
  // Endpoints and jobs that earlier scenarios left in moto fill the other sections and can push Endpoints out
  // of the (virtualised) list: collapse the others first, as a user would.
  await wb.showOnlySection('Endpoints', { view: 'SageMaker' });
  // The Endpoints section's row (Running now lists it too, cost first: "per use · endpoint").
  const row = wb.page
    .locator('.monaco-list-row', { hasText: ENDPOINT })
    .filter({ hasNot: wb.page.locator('.label-description', { hasText: /^per use/ }) })
    .first();
  await wb.step(
    'tree row says InService, serverless, billed per use',
    async () => {
      for (;;) {
        if (/InService · serverless 2 GB · billed per use/.test((await row.textContent()) ?? '')) return;
        await wb.page.waitForTimeout(300);
      }
    },
    60_000,
  );

  const { moto, sdk, sm } = clients(wb.opts.repoRoot);
  const cfg = await sm.send(new sdk.DescribeEndpointConfigCommand({ EndpointConfigName: ENDPOINT }));
  const v = cfg.ProductionVariants?.[0];
  if (v?.ServerlessConfig?.MemorySizeInMB !== 2048 || v?.ServerlessConfig?.MaxConcurrency !== 5 || v?.InstanceType)
    throw new Error(`endpoint config variant ${JSON.stringify(v)}`);

  const status = await wb.statusBarItem('endpoint');
  const statusText = (await status.getAttribute('aria-label')) ?? (await status.textContent()) ?? '';
  // Other scenarios share this moto (an instance endpoint may be listed too): the serverless one must be
  // counted, add "+ per use", and be listed without an hourly price.
  if (!/\d+ endpoints? · (about )?\$\d+\.\d\d\/h \+ per use/.test(statusText))
    throw new Error(`status bar shows "${statusText}", expected the serverless endpoint counted as "+ per use"`);
  if (!new RegExp(`${ENDPOINT}: InService, serverless 2048 MB, billed per use`).test(statusText))
    throw new Error(`status bar tooltip does not list ${ENDPOINT} as serverless, billed per use: "${statusText}"`);
  await wb.widenSideBar(700);
  await wb.clearNotifications();
  await wb.screenshot('serverless-endpoint');

  // Predictions: the first request is a cold start, shown apart.
  const res = await fetch(`${moto}/moto-api/static/sagemaker/endpoint-results`, {
    method: 'POST',
    body: JSON.stringify({
      account_id: '123456789012',
      region: 'us-east-1',
      results: [
        { Body: JSON.stringify(SCORES), ContentType: 'application/json', InvokedProductionVariant: 'AllTraffic' },
      ],
    }),
  });
  if (res.status !== 201) throw new Error(`queueing moto's endpoint result failed: ${res.status}`);
  await wb.runCommand('SageMaker HF: Try Predictions');
  await pick(wb, ENDPOINT);
  const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const textarea = frame.locator('vscode-textarea textarea');
  await textarea.waitFor({ timeout: 30_000 }).catch((e) => {
    throw new Error(`the predictions page did not render: ${e.message}`);
  });
  await textarea.fill('Winter is coming and it will be dark soon.');
  await frame.locator('#predict').click();
  await frame
    .locator('#latency', { hasText: /latency \d+ ms \(cold start\)/ })
    .waitFor({ timeout: 30_000 })
    .catch((e) => {
      throw new Error(`the first serverless request is not marked as a cold start: ${e.message}`);
    });
  await frame
    .locator('#latency-split', { hasText: /cold start: 1, median \d+ ms · warm: 0/ })
    .waitFor({ timeout: 10_000 });
  await wb.page.mouse.move(1200, 780);
  await wb.page.waitForTimeout(500);
  await wb.screenshot('serverless-predictions');
}
