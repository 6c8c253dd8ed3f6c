// GUI: Delete Endpoint from the palette. The picker takes several endpoints, each row with its status and
// labelled hourly price; Enter on the confirmation (one endpoint, then two) deletes nothing, because the
// keep button is the one VS Code's dialog focuses; the two-endpoint modal lists both with the total, and
// clicking Delete removes both endpoints with their configs and models. Both are seeded in moto with the
// extension's tags, as a deploy leaves them. Screenshot: test-output/e2e/delete-several.png.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const title = 'delete several endpoints: costs per row, Enter keeps, Delete removes all chosen';

const EPS = [
  { name: 'gui-delete-several-a', type: 'ml.m5.xlarge' },
  { name: 'gui-delete-several-b', type: 'ml.g4dn.xlarge' },
];
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const TAGS = [
  { Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' },
  { Key: 'sagemaker-hf:training-job', Value: 'gui-delete-several' },
];

function client(repoRoot) {
  const require = createRequire(join(repoRoot, 'package.json'));
  const sm = require('@aws-sdk/client-sagemaker');
  const c = new sm.SageMakerClient({
    region: 'us-east-1',
    endpoint: process.env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  return { sm, c };
}

async function seed(repoRoot) {
  const { sm, c } = client(repoRoot);
  for (const { name, type } of EPS) {
    await c.send(
      new sm.CreateModelCommand({
        ModelName: `${name}-model`,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1' },
        Tags: TAGS,
      }),
    );
    await c.send(
      new sm.CreateEndpointConfigCommand({
        EndpointConfigName: name,
        ProductionVariants: [
          { VariantName: 'AllTraffic', ModelName: `${name}-model`, InstanceType: type, InitialInstanceCount: 1 },
        ],
        Tags: TAGS,
      }),
    );
    await c.send(new sm.CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name, Tags: TAGS }));
  }
}

/** Which of ours are left in moto: endpoints, configs and models. */
async function left(repoRoot) {
  const { sm, c } = client(repoRoot);
  const eps = ((await c.send(new sm.ListEndpointsCommand({ MaxResults: 100 }))).Endpoints ?? []).map(
    (e) => e.EndpointName,
  );
  const cfgs = ((await c.send(new sm.ListEndpointConfigsCommand({ MaxResults: 100 }))).EndpointConfigs ?? []).map(
    (e) => e.EndpointConfigName,
  );
  const models = ((await c.send(new sm.ListModelsCommand({ MaxResults: 100 }))).Models ?? []).map((m) => m.ModelName);
  return [...eps, ...cfgs, ...models].filter((n) => n?.startsWith('gui-delete-several-'));
}

/** Opens Delete Endpoint from the palette and ticks the endpoints named, then accepts with Enter. */
async function pick(wb, names) {
  const page = wb.page;
  await wb.dismissPalette();
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill('>SageMaker HF: Delete Endpoint');
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: 'Delete Endpoint' })
    .filter({ hasNotText: 'Later' })
    .first()
    .click();
  const rows = {};
  for (const { name } of EPS) {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 45_000 }).catch((e) => {
      throw new Error(`the Delete Endpoint picker has no row ${name}: ${e.message}`);
    });
    rows[name] = ((await row.textContent()) ?? '').replace(/\s+/g, ' ').trim();
  }
  for (const name of names) await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click();
  return rows;
}

async function dialogText(wb) {
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 30_000 }).catch((e) => {
    throw new Error(`no confirmation before deleting: ${e.message}`);
  });
  // The button the dialog focused is the one Enter presses.
  await wb.page.waitForTimeout(300);
  const focused = await wb.page.evaluate(() => globalThis.document.activeElement?.textContent?.trim() ?? '');
  return { dialog, text: (await dialog.innerText()).replace(/\s+/g, ' '), focused };
}

async function pressEnterAndExpectKept(wb, dialog, what) {
  await wb.page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  // Give a wrong deletion time to start before reading moto.
  await wb.page.waitForTimeout(2_000);
  const still = await left(wb.opts.repoRoot);
  if (still.length !== 6) throw new Error(`Enter on the ${what} modal deleted something; left: ${still.join(', ')}`);
}

export async function run(wb) {
  if (!process.env.AWS_ENDPOINT_URL) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  await seed(wb.opts.repoRoot);
  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  await wb.showOnlySection('Endpoints', { view: 'SageMaker' });
  for (const { name } of EPS) await wb.waitForTreeRow(name, { view: 'SageMaker', timeoutMs: 45_000 });

  // One endpoint: the single modal; Enter keeps it.
  const rows = await pick(wb, [EPS[0].name]);
  for (const [name, text] of Object.entries(rows))
    if (!/InService · (about )?\$\d+\.\d+\/h(, offline table \(us-east-1 prices\)| \(Price List)/.test(text))
      throw new Error(`picker row ${name} shows no labelled price: "${text}"`);
  await wb.page.keyboard.press('Enter');
  let d = await dialogText(wb);
  if (!d.text.includes(`Delete endpoint ${EPS[0].name}?`)) throw new Error(`the modal says "${d.text}"`);
  if (d.focused !== 'Keep Endpoint') throw new Error(`the modal focuses "${d.focused}", not Keep Endpoint`);
  await pressEnterAndExpectKept(wb, d.dialog, 'one-endpoint');

  // Two: one modal listing both with the total; Enter keeps both.
  await pick(
    wb,
    EPS.map((e) => e.name),
  );
  await wb.page.keyboard.press('Enter');
  d = await dialogText(wb);
  if (!d.text.includes('Delete 2 endpoints?')) throw new Error(`the modal says "${d.text}"`);
  for (const { name } of EPS)
    if (!new RegExp(`${name}: InService · (about )?\\$\\d+\\.\\d+/h.*deletes endpoint ${name}`).test(d.text))
      throw new Error(`the modal does not list ${name} with its cost and what goes: "${d.text}"`);
  if (!/Stops billing of (about )?\$\d+\.\d+\/h in all/.test(d.text)) throw new Error(`no total: "${d.text}"`);
  if (d.focused !== 'Keep Endpoints') throw new Error(`the modal focuses "${d.focused}", not Keep Endpoints`);
  await wb.screenshot('delete-several');
  await pressEnterAndExpectKept(wb, d.dialog, 'two-endpoint');

  // Again, and Delete clicked: both endpoints, their configs and models go.
  await pick(
    wb,
    EPS.map((e) => e.name),
  );
  await wb.page.keyboard.press('Enter');
  d = await dialogText(wb);
  await d.dialog.locator('.monaco-button', { hasText: /^Delete$/ }).click();
  const until = Date.now() + 30_000;
  let still = await left(wb.opts.repoRoot);
  while (still.length && Date.now() < until) {
    await wb.page.waitForTimeout(500);
    still = await left(wb.opts.repoRoot);
  }
  if (still.length) throw new Error(`Delete left ${still.join(', ')}`);
  const said = 'Deleted endpoint gui-delete-several-';
  await wb.waitForMessage(said, { what: `"${said}…" summary` });
}
