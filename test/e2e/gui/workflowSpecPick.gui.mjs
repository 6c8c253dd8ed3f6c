// GUI: "Run Whole Workflow Locally" from the palette asks which spec, local specs first, instead of taking
// the active editor's; picking the cloud spec (ml.p3.2xlarge, bert-base, 4 epochs, hours on a CPU) shows a
// modal offering a derived local variant and listing what differs (instance type, model, row limit,
// epochs). Declining runs nothing and writes no variant file. Screenshots: test-output/e2e/
// workflow-spec-pick.png (the picker) and workflow-local-variant.png (the modal).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const title =
  'Run Whole Workflow Locally: asks which spec (local first), offers a local variant for a cloud spec';

export async function run(wb) {
  const { page } = wb;
  await wb.open();
  await wb.openContainer('SageMaker HF');
  // The cloud spec open in the editor: the command still asks rather than training it as is.
  await (await wb.waitForTreeRow('emotion', { view: 'Job Specs', exact: true, timeoutMs: 60_000 })).click();
  await page.locator('.tabs-container .tab', { hasText: 'emotion.sagemaker-hf.json' }).waitFor({ timeout: 20_000 });
  await wb.runCommand('SageMaker HF: Run Whole Workflow Locally');

  // The spec picker, not the palette that ran the command: its title says the order.
  await page
    .locator('.quick-input-widget .quick-input-title', { hasText: 'Run which spec locally? (local specs first)' })
    .waitFor({ timeout: 30_000 })
    .catch((e) => {
      throw new Error(`no spec picker titled "Run which spec locally? (local specs first)": ${e.message}`);
    });
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await wb.step('the spec picker lists both specs', async () => {
    while ((await rows.count()) < 2) await page.waitForTimeout(200);
  });
  if ((await rows.count()) !== 2) throw new Error(`the spec picker has ${await rows.count()} rows, not the 2 specs`);
  const first = (await rows.nth(0).innerText()).replace(/\s+/g, ' ');
  const second = (await rows.nth(1).innerText()).replace(/\s+/g, ' ');
  if (!/emotion-local\.sagemaker-hf\.json/.test(first) || !/\blocal\b/.test(first))
    throw new Error(`the first row is "${first}": the local spec should come first`);
  if (!/emotion\.sagemaker-hf\.json/.test(second) || !/ml\.p3\.2xlarge: offers a local variant/.test(second))
    throw new Error(`the second row is "${second}": the cloud spec, saying it offers a local variant`);
  await wb.screenshot('workflow-spec-pick');
  await rows.nth(1).click();

  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 20_000 }).catch((e) => {
    throw new Error(`no modal offering a local variant of the cloud spec: ${e.message}`);
  });
  const said = (await dialog.innerText()).replace(/\s+/g, ' ');
  for (const [what, re] of [
    ['it trains on SageMaker', /emotion\.sagemaker-hf\.json trains on SageMaker/],
    ['the instance type', /training\.instanceType "ml\.p3\.2xlarge" -> "local"/],
    ['the model', /training\.hyperparameters\.model_id "bert-base-uncased" -> "google\/bert_uncased_L-2_H-128_A-2"/],
    ['the row limit', /dataset\.limit \(rows per split\) \S+ -> 2000/],
    ['the epochs', /training\.hyperparameters\.epochs 4 -> 1/],
  ])
    if (!re.test(said)) throw new Error(`the modal does not name ${what}: "${said}"`);
  for (const b of ['Run Local Variant', 'Run As Is'])
    await dialog
      .locator('.monaco-button', { hasText: b })
      .waitFor({ timeout: 5_000 })
      .catch((e) => {
        throw new Error(`no "${b}" button in the modal: ${e.message}`);
      });
  await wb.screenshot('workflow-local-variant');

  // Declined: nothing runs, no variant is written.
  await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  await page.waitForTimeout(1500);
  const variant = join(wb.opts.folder, 'emotion.local-variant.sagemaker-hf.json');
  if (existsSync(variant)) throw new Error(`declining wrote ${variant}`);
  const running = page.locator('.notification-toast', { hasText: /Running .* locally/ });
  if (
    await running
      .first()
      .isVisible()
      .catch(() => false)
  )
    throw new Error(`declining started a run: ${await running.first().innerText()}`);
}
