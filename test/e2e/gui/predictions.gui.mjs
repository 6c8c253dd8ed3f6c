// GUI: an endpoint (moto, with a queued answer) is picked in "Try Predictions"; in the webview the
// notebook's sentence is typed, Predict pressed, and the six emotion labels appear ranked with score
// bars. Keyboard only: Tab reaches Predict and Enter presses it; a History entry is a labelled button
// that Enter replays. Then Delete Endpoint from the tree row: the open page says at once that the
// endpoint is gone (a banner) and Predict is disabled, before anyone presses it. Screenshots:
// test-output/e2e/predictions.png, predictions-ended.png.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const title = 'predictions webview: type the notebook sentence, press Predict, see ranked labels';

const SENTENCE = 'Winter is coming and it will be dark soon.';
const ENDPOINT = 'gui-emotion-endpoint';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const SCORES = [
  { label: 'sadness', score: 0.9621 },
  { label: 'joy', score: 0.0081 },
  { label: 'love', score: 0.0032 },
  { label: 'anger', score: 0.0119 },
  { label: 'fear', score: 0.0127 },
  { label: 'surprise', score: 0.002 },
];

async function seedEndpoint(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const require = createRequire(join(repoRoot, 'package.json'));
  const {
    SageMakerClient,
    CreateModelCommand,
    CreateEndpointConfigCommand,
    CreateEndpointCommand,
  } = require('@aws-sdk/client-sagemaker');
  const sm = new SageMakerClient({ region: 'us-east-1', endpoint: moto, maxAttempts: 1 });
  const image =
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04';
  await sm.send(
    new CreateModelCommand({
      ModelName: ENDPOINT,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: image,
        ModelDataUrl: 's3://sagemaker-us-east-1-123456789012/gui/model.tar.gz',
        Environment: { HF_TASK: 'text-classification' },
      },
    }),
  );
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: ENDPOINT,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: ENDPOINT,
          InitialInstanceCount: 1,
          InstanceType: 'ml.g4dn.xlarge',
          InitialVariantWeight: 1,
        },
      ],
    }),
  );
  await sm.send(new CreateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: ENDPOINT }));
  // The 4.11 image's pipeline answers return_all_scores with one list per input.
  const res = await fetch(`${moto}/moto-api/static/sagemaker/endpoint-results`, {
    method: 'POST',
    body: JSON.stringify({
      account_id: '123456789012',
      region: 'us-east-1',
      results: [
        { Body: JSON.stringify([SCORES]), ContentType: 'application/json', InvokedProductionVariant: 'AllTraffic' },
      ],
    }),
  });
  if (res.status !== 201) throw new Error(`queueing moto's endpoint result failed: ${res.status}`);
}

export async function run(wb) {
  await seedEndpoint(wb.opts.repoRoot);
  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  await wb.waitForTreeRow(ENDPOINT, { view: 'SageMaker', timeoutMs: 45_000 });

  await wb.runCommand('SageMaker HF: Try Predictions');
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 }).catch((e) => {
    throw new Error(`no endpoint quick pick: ${e.message}`);
  });
  await input.fill(ENDPOINT);
  await wb.page
    .locator('.quick-input-list .monaco-list-row', { hasText: ENDPOINT })
    .first()
    .waitFor({ timeout: 20_000 });
  await wb.page.keyboard.press('Enter');

  // The webview is an iframe holding the page's iframe; the elements' shadow DOM is open to locators.
  const frame = wb.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const textarea = frame.locator('vscode-textarea textarea');
  await textarea.waitFor({ timeout: 30_000 }).catch((e) => {
    throw new Error(`the predictions page did not render its text box: ${e.message}`);
  });
  await textarea.fill(SENTENCE);
  // Keyboard only: Tab from the text box reaches Predict, Enter presses it.
  await wb.page.keyboard.press('Tab');
  const focused = await frame.locator('#predict').evaluate((b) => b.matches(':focus, :focus-within'));
  if (!focused) throw new Error('Tab from the text box did not reach the Predict button');
  await wb.page.keyboard.press('Enter');
  const rows = frame.locator('.bar-row');
  await wb.step('six ranked labels', async () => {
    for (;;) {
      if ((await rows.count()) === 6) return;
      const err = await frame
        .locator('.results .error')
        .textContent({ timeout: 200 })
        .catch(() => null);
      if (err) throw new Error(`the page shows an error instead of labels: ${err}`);
      await wb.page.waitForTimeout(200);
    }
  });
  const labels = await rows.locator('.label').allTextContents();
  const expected = ['sadness', 'fear', 'anger', 'joy', 'love', 'surprise'];
  if (labels.join(',') !== expected.join(','))
    throw new Error(`labels shown ${labels.join(',')}, expected ${expected.join(',')}`);
  const top = await rows.first().locator('.score').textContent();
  if (top?.trim() !== '96.2%') throw new Error(`top score shows "${top}", expected 96.2%`);
  await frame.getByText(/latency \d+ ms/).waitFor({ timeout: 5_000 });
  await frame.locator('.history li', { hasText: SENTENCE }).waitFor({ timeout: 5_000 });
  // A history entry is a button (keyboard-reachable, labelled for screen readers): Enter on it brings the
  // sentence back into the text box.
  const entry = frame.locator('.history li button.link').first();
  const label = await entry.getAttribute('aria-label');
  if (label !== `Show this prediction again: ${SENTENCE}`) throw new Error(`history entry labelled "${label}"`);
  await textarea.fill('');
  await entry.focus();
  await wb.page.keyboard.press('Enter');
  await wb.step('Enter on a history entry restores its sentence', async () => {
    while ((await textarea.inputValue()) !== SENTENCE) await wb.page.waitForTimeout(200);
  });
  await wb.clearNotifications();
  await wb.page.mouse.move(1200, 780);
  await wb.page.waitForTimeout(500);
  await wb.screenshot('predictions');

  // Deleted from the tree while the page is open: the page is marked ended at once.
  await wb.showOnlySection('Endpoints', { view: 'SageMaker' });
  const epRow = await wb.waitForTreeRow(ENDPOINT, { view: 'SageMaker', exact: true });
  await epRow.hover();
  await epRow.locator('.action-label[aria-label^="Delete Endpoint"]').click();
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 20_000 }).catch((e) => {
    throw new Error(`no confirmation before deleting ${ENDPOINT}: ${e.message}`);
  });
  await dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
  const banner = frame.locator('#ended');
  await banner.waitFor({ state: 'visible', timeout: 30_000 }).catch((e) => {
    throw new Error(`the open predictions page was not marked ended after Delete Endpoint: ${e.message}`);
  });
  const said = (await banner.textContent()) ?? '';
  // Our Delete says "was deleted"; a list refresh that lands first says "no longer exists": both end it at once.
  if (!new RegExp(`Endpoint ${ENDPOINT} (was deleted|no longer exists)`).test(said))
    throw new Error(`the ended banner says "${said}"`);
  if ((await banner.getAttribute('role')) !== 'alert')
    throw new Error('the ended banner is not announced (role=alert)');
  const disabled = await frame.locator('#predict').evaluate((b) => b.disabled === true || b.hasAttribute('disabled'));
  if (!disabled) throw new Error('Predict is still enabled on the page of a deleted endpoint');
  await wb.clearNotifications();
  await wb.screenshot('predictions-ended');
}
