// GUI, keyboard only: every step here is keyboard.press or keyboard.type, no click, no fill, no focus().
// From the palette (F1) Try Predictions opens the predictions page of an endpoint (moto, queued answers);
// Tab reaches the text box and Predict, then an example from the workspace's local test split (Enter
// predicts it), then Sample size, Concurrency and Evaluate (accuracy and confusion matrix come back);
// the palette's Delete Endpoint (ticked with Space) and its modal's Delete button (reached by Tab; Keep
// Endpoint is first, so Enter alone keeps) delete the endpoint.
// Each control reached says what it does (aria-label) and shows a focus ring in the theme's focusBorder.
// Screenshot: test-output/e2e/keyboard-focus.png (an example focused, its ring visible).
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const title = 'keyboard only: predictions page (predict, example, evaluate) and Delete Endpoint';

const ENDPOINT = 'gui-keyboard-endpoint';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const SCORES = [
  { label: 'sadness', score: 0.9621 },
  { label: 'joy', score: 0.0081 },
  { label: 'love', score: 0.0032 },
  { label: 'anger', score: 0.0119 },
  { label: 'fear', score: 0.0127 },
  { label: 'surprise', score: 0.002 },
];

function sageMaker(repoRoot) {
  const require = createRequire(join(repoRoot, 'package.json'));
  const sdk = require('@aws-sdk/client-sagemaker');
  return {
    sdk,
    sm: new sdk.SageMakerClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, maxAttempts: 1 }),
  };
}

async function seedEndpoint(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const { sdk, sm } = sageMaker(repoRoot);
  const image =
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04';
  await sm.send(
    new sdk.CreateModelCommand({
      ModelName: ENDPOINT,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: image,
        ModelDataUrl: 's3://sagemaker-us-east-1-123456789012/gui/model.tar.gz',
        Environment: { HF_TASK: 'text-classification' },
      },
      Tags: [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }],
    }),
  );
  await sm.send(
    new sdk.CreateEndpointConfigCommand({
      EndpointConfigName: ENDPOINT,
      Tags: [{ Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' }],
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
  await sm.send(new sdk.CreateEndpointCommand({ EndpointName: ENDPOINT, EndpointConfigName: ENDPOINT }));
  // moto answers each new request body with the next queued result: one for the example, some for Evaluate.
  const result = {
    Body: JSON.stringify([SCORES]),
    ContentType: 'application/json',
    InvokedProductionVariant: 'AllTraffic',
  };
  const res = await fetch(`${moto}/moto-api/static/sagemaker/endpoint-results`, {
    method: 'POST',
    body: JSON.stringify({ account_id: '123456789012', region: 'us-east-1', results: Array(12).fill(result) }),
  });
  if (res.status !== 201) throw new Error(`queueing moto's endpoint results failed: ${res.status}`);
}

export async function run(wb) {
  await seedEndpoint(wb.opts.repoRoot);
  const page = wb.page;
  const kb = page.keyboard;
  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  await wb.waitForTreeRow('Endpoints', { view: 'SageMaker', timeoutMs: 45_000 });
  // Before the keyboard journey: clearing runs a palette command, which would take the focus away.
  await wb.clearNotifications();

  /** The palette by keyboard: F1, the command's title typed, Enter. */
  const palette = async (command) => {
    await wb.dismissPalette();
    await kb.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await kb.type(`>${command}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor({ timeout: 20_000 });
    await kb.press('Enter');
  };
  /** A quick pick's entry chosen by typing its name and Enter. */
  const pick = async (text) => {
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await kb.type(text);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 20_000 });
    await kb.press('Enter');
  };

  await palette('SageMaker HF: Try Predictions');
  await pick(ENDPOINT);

  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await frame
    .locator('vscode-textarea textarea')
    .waitFor({ timeout: 30_000 })
    .catch((e) => {
      throw new Error(`the predictions page did not render its text box: ${e.message}`);
    });
  await frame
    .locator('.examples button.link')
    .first()
    .waitFor({ timeout: 20_000 })
    .catch((e) => {
      throw new Error(`no examples on the page (the workspace's local test split): ${e.message}`);
    });
  // What has the keyboard focus in the page, and does it show a ring? (a read: nothing is clicked)
  const focused = () =>
    frame.locator('body').evaluate((body) => {
      const doc = body.ownerDocument;
      const a = doc.activeElement;
      if (!a || a === body) return { tag: 'body' };
      const inner = a.shadowRoot?.activeElement ?? a;
      // Buttons draw an outline; vscode-elements' fields colour their border with focusBorder once `focused`.
      const ring =
        a.hasAttribute('focused') ||
        [a, inner, a.shadowRoot?.querySelector('.base')].filter(Boolean).some((e) => {
          const s = doc.defaultView.getComputedStyle(e);
          return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        });
      return {
        tag: a.tagName.toLowerCase(),
        id: a.id,
        label: a.getAttribute('aria-label') ?? '',
        text: (a.textContent ?? '').trim(),
        ring,
      };
    });
  /** Tab (at most `max` times) until the focused element matches; the step names what never came. */
  const tabTo = async (what, test, max = 20) => {
    for (let i = 0; i < max; i++) {
      await kb.press('Tab');
      const f = await focused();
      if (test(f)) {
        if (f.tag !== 'vscode-textarea' && !f.ring) throw new Error(`${what} has the focus but shows no focus ring`);
        if (f.tag !== 'vscode-textarea' && !f.label) throw new Error(`${what} has no aria-label`);
        return f;
      }
    }
    throw new Error(`${max} presses of Tab did not reach ${what} (last focus: ${JSON.stringify(await focused())})`);
  };

  // The webview has the focus after the picker: Tab enters the page at the text box.
  await tabTo('the text box', (f) => f.tag === 'vscode-textarea');
  await kb.type('Winter is coming and it will be dark soon.');
  await tabTo('Predict', (f) => f.id === 'predict');
  await kb.press('Enter');
  const rows = frame.locator('.bar-row');
  await wb.step('Enter on Predict shows the six ranked labels', async () => {
    while ((await rows.count()) !== 6) await page.waitForTimeout(200);
  });

  const example = await tabTo('an example', (f) => f.label.startsWith('Predict this example: '));
  const exampleText = example.label.slice('Predict this example: '.length);
  await wb.screenshot('keyboard-focus');
  await kb.press('Enter');
  await wb.step('Enter on an example predicts it (it lands in History)', async () => {
    const entry = frame.locator('.history li button.link', { hasText: exampleText.slice(0, 40) });
    while (!(await entry.count())) await page.waitForTimeout(200);
  });
  const textNow = await frame.locator('vscode-textarea textarea').inputValue();
  if (textNow !== exampleText) throw new Error(`the text box holds "${textNow}", not the example "${exampleText}"`);

  // Evaluate: Sample size 3, Concurrency 1, then the button; all by Tab and typing.
  const sample = await tabTo('Sample size', (f) => f.label.startsWith('Sample size'));
  if (sample.tag !== 'vscode-textfield') throw new Error(`Sample size is a ${sample.tag}`);
  await kb.press('Control+a');
  await kb.type('3');
  await tabTo('Concurrency', (f) => f.label.startsWith('Concurrency'));
  await kb.press('Control+a');
  await kb.type('1');
  await tabTo('Evaluate', (f) => f.id === 'evaluate');
  await kb.press('Enter');
  const accuracy = frame.locator('#accuracy');
  await accuracy.waitFor({ timeout: 60_000 }).catch(async (e) => {
    const err = await frame.locator('.error').allTextContents();
    throw new Error(`no accuracy after Enter on Evaluate (${e.message}); page errors: ${err.join(' | ') || 'none'}`);
  });
  const on = await frame.getByText(/on \d+ of \d+ examples/).textContent();
  if (!/on 3 of /.test(on ?? '')) throw new Error(`Evaluate ran on "${on}", not the 3 examples typed`);
  if (!(await frame.locator('table.confusion').count())) throw new Error('no confusion matrix after Evaluate');

  // Delete Endpoint from the palette; the modal's Delete button reached by Tab, pressed by Enter.
  // The picker takes several endpoints: filter by typing, arrow down into the list, Space ticks, Enter goes on.
  await palette('SageMaker HF: Delete Endpoint');
  {
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await kb.type(ENDPOINT);
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: ENDPOINT })
      .first()
      .waitFor({ timeout: 45_000 });
    await kb.press('ArrowDown');
    await kb.press('Space');
    await kb.press('Enter');
  }
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 30_000 }).catch((e) => {
    throw new Error(`no delete confirmation: ${e.message}`);
  });
  const focusedButton = () =>
    page.locator('body').evaluate((body) => {
      const a = body.ownerDocument.activeElement;
      return a?.closest('.monaco-dialog-box') ? (a.textContent ?? '').trim() : '';
    });
  let reached = false;
  for (let i = 0; i < 6 && !reached; i++) {
    if ((await focusedButton()) === 'Delete') reached = true;
    else await kb.press('Tab');
  }
  if (!reached) throw new Error(`Tab did not reach the modal's Delete button (focus: "${await focusedButton()}")`);
  await kb.press('Enter');
  const { sdk, sm } = sageMaker(wb.opts.repoRoot);
  await wb.step(
    'the endpoint is gone from moto',
    async () => {
      for (;;) {
        const gone = await sm
          .send(new sdk.DescribeEndpointCommand({ EndpointName: ENDPOINT }))
          .then(() => false)
          .catch((e) => e.name === 'ValidationException' || /could not find/i.test(e.message));
        if (gone) return;
        await page.waitForTimeout(500);
      }
    },
    60_000,
  );
}
