// GUI: Deploy Model from Hugging Face Hub is one multi-step input. Step 1/5 asks the id; step 2/5 proposes
// the task from the model card's pipeline_tag, read from a local Hub API stand-in (sagemakerHf.hubEndpoint;
// never the internet), with a Back button; Escape says nothing was created. Nothing is deployed.
// Screenshot: test-output/e2e/hub-steps.png.
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const title = 'hub deploy steps: n/5, the task from the model card, Escape says nothing was created';

const MODEL = 'gui-org/gui-ner-model';

async function startHub() {
  const server = createServer((req, res) => {
    const found = req.url === `/api/models/${MODEL}`;
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found ? { id: MODEL, pipeline_tag: 'token-classification' } : { error: 'not found' }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

export async function run(wb) {
  const hub = await startHub();
  try {
    mkdirSync(join(wb.opts.folder, '.vscode'), { recursive: true });
    writeFileSync(
      join(wb.opts.folder, '.vscode', 'settings.json'),
      JSON.stringify({ 'sagemakerHf.hubEndpoint': hub.url }),
    );
    await wb.open();
    await wb.openContainer('SageMaker HF');
    await wb.runCommand('SageMaker HF: Connect to AWS');
    await wb.waitForTreeRow('Endpoints', { view: 'SageMaker', timeoutMs: 45_000 });
    await wb.runCommand('SageMaker HF: Deploy Model from Hugging Face Hub');
    const widget = wb.page.locator('.quick-input-widget');
    const input = widget.locator('input').first();
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await widget
      .locator('.quick-input-title', { hasText: '1/5' })
      .waitFor({ timeout: 10_000 })
      .catch((e) => {
        throw new Error(`step 1 shows no "1/5": ${e.message}`);
      });
    await input.fill(MODEL);
    await wb.page.keyboard.press('Enter');
    await widget
      .locator('.quick-input-title', { hasText: '2/5' })
      .waitFor({ timeout: 20_000 })
      .catch((e) => {
        throw new Error(`the task step shows no "2/5": ${e.message}`);
      });
    const first = widget.locator('.quick-input-list .monaco-list-row').first();
    await first.waitFor({ timeout: 10_000 });
    const text = ((await first.textContent()) ?? '').replace(/\s+/g, ' ');
    if (!/token-classification.*the model card's pipeline_tag/.test(text))
      throw new Error(`the first task is not the card's: "${text}"`);
    await widget
      .locator('.quick-input-titlebar [aria-label="Back"], .quick-input-titlebar .codicon-quick-input-back')
      .first()
      .waitFor({ timeout: 10_000 })
      .catch((e) => {
        throw new Error(`the task step has no Back button: ${e.message}`);
      });
    await wb.screenshot('hub-steps');
    await wb.page.keyboard.press('Escape');
    await wb.waitForMessage('Deploy from the Hub cancelled: nothing was created.', {
      what: 'word on closing a step (it said nothing)',
    });
  } finally {
    hub.close();
  }
}
