// GUI: the SageMaker HF container opens from the activity bar, "Connect to AWS" runs from the palette
// (moto behind AWS_ENDPOINT_URL), the connection row appears at the root of the tree with the account,
// the Job Specs view lists the example spec, and a screenshot is saved (test-output/e2e/foundation.png).

export const title = 'open the view container, connect from the palette, see the connection row';

export async function run(wb) {
  await wb.open();
  await wb.openContainer('SageMaker HF');
  // Not connected yet: the welcome view offers to connect.
  await wb
    .viewPane('SageMaker')
    .getByText('Not connected to AWS', { exact: false })
    .waitFor({ timeout: 20_000 })
    .catch((e) => {
      throw new Error(`the "not connected" welcome view is missing: ${e.message}`);
    });
  await wb.screenshot('foundation-welcome');

  await wb.runCommand('SageMaker HF: Connect to AWS');
  const row = await wb.waitForTreeRow('default · us-east-1', { view: 'SageMaker', timeoutMs: 45_000 });
  const rowText = await row.innerText();
  if (!rowText.includes('123456789012'))
    throw new Error(`the connection row shows "${rowText}", expected the account 123456789012`);
  await wb.statusBarItem('us-east-1');

  // Expand the connection to show account, role and default bucket.
  await row.click();
  const bucket = 'sagemaker-us-east-1-123456789012';
  try {
    await wb.waitForTreeRow(bucket, { view: 'SageMaker', timeoutMs: 10_000 });
  } catch {
    // The root row is re-rendered when the connection finishes resolving (role, bucket): a click that
    // lands just before that is lost. Expand it again with the keyboard on the selected row.
    await (await wb.waitForTreeRow('default · us-east-1', { view: 'SageMaker' })).click();
    await wb.page.keyboard.press('ArrowRight');
    await wb.waitForTreeRow(bucket, { view: 'SageMaker' });
  }

  // The example spec in Job Specs; clicking it opens the file in an editor.
  const spec = await wb.waitForTreeRow('emotion', { view: 'Job Specs', exact: true });
  await spec.click();
  await wb.page
    .locator('.tabs-container .tab', { hasText: 'emotion.sagemaker-hf.json' })
    .waitFor({ timeout: 20_000 })
    .catch((e) => {
      throw new Error(`clicking the spec did not open emotion.sagemaker-hf.json: ${e.message}`);
    });
  await wb.clearNotifications();
  await wb.widenSideBar(430);
  await wb.page.mouse.move(200, 650); // empty side-bar space: no hover tooltip in the picture
  await wb.page.waitForTimeout(800);
  await wb.screenshot('foundation');
}
