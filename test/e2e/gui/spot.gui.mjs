// GUI: managed spot training from a spec with `training.spot`. "Start Training" asks first in a modal
// that shows the on-demand price next to the spot estimate (with its basis) and where checkpoints go;
// confirmed, the job is created in moto with EnableManagedSpotTraining and CheckpointConfig, and the
// Training Jobs tree marks it "spot" with a Billing node (capacity, checkpoints). Screenshots:
// test-output/e2e/spot-confirmation.png, test-output/e2e/spot-job.png. moto reports no billable
// seconds, so the saving line (training vs billable) is covered by test/integration/beyond.test.ts
// through a rewriting proxy and by test/unit/billing.test.ts, not here.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';

export const title =
  'spot training: the confirmation shows on-demand vs spot price; the job shows spot and its checkpoints';

const BUCKET = 'sagemaker-us-east-1-123456789012';
const PREFIX = 'samples/datasets/emotion';
const BASE = 'gui-spot-emotion';

async function seedDataset(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const require = createRequire(join(repoRoot, 'package.json'));
  const { S3Client, CreateBucketCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  // What "Prepare Dataset" leaves behind: the manifest last, one folder per channel.
  for (const ch of ['train', 'test'])
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${ch}/dataset_info.json`, Body: '{}' }));
  await s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/.sagemaker-hf-manifest.json`, Body: '{"version":1}' }),
  );
}

export async function run(wb) {
  await seedDataset(wb.opts.repoRoot);
  const spec = JSON.parse(readFileSync(join(wb.opts.folder, 'emotion.sagemaker-hf.json'), 'utf8'));
  spec.training.baseJobName = BASE;
  spec.training.spot = { maxWaitSeconds: 172800 };
  spec.training.role = 'arn:aws:iam::123456789012:role/SageMakerRole';
  writeFileSync(join(wb.opts.folder, 'emotion-spot.sagemaker-hf.json'), JSON.stringify(spec, null, 2));

  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  await wb.waitForTreeRow('Training Jobs', { view: 'SageMaker', timeoutMs: 45_000 });
  // The spec's inline "Start Training" action in the Job Specs view (the palette's fuzzy match could
  // pick "Start Local Training" instead).
  const specRow = await wb.waitForTreeRow('emotion-spot', { view: 'Job Specs', exact: true, timeoutMs: 30_000 });
  await specRow.hover();
  const start = specRow.locator('.actions [aria-label^="Start Training"]').first();
  await start.waitFor({ timeout: 10_000 }).catch((e) => {
    throw new Error(`no "Start Training" inline action on the spec row: ${e.message}`);
  });
  await start.click();

  // The modal: on-demand and spot side by side, the estimate's basis, the checkpoint location.
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 }).catch(async (e) => {
    // Say what the extension reported instead (an error lands in the notification centre).
    await wb.page.keyboard.press('Escape').catch(() => undefined);
    await wb.runCommand('Notifications: Show Notifications').catch(() => undefined);
    const notes = await wb.page
      .locator('.notifications-center .notification-list-item')
      .allTextContents()
      .catch(() => []);
    throw new Error(
      `no confirmation dialog before starting spot training (${e.message}); notifications: ${notes.join(' | ') || 'none'}`,
    );
  });
  const message = (await dialog.locator('.dialog-message-text').textContent()) ?? '';
  if (
    !/ml\.p3\.2xlarge x1, managed spot: about \$1\.15\/h \(on-demand about \$3\.83\/h, offline table \(us-east-1 prices\)\)/.test(
      message,
    )
  )
    throw new Error(`dialog title "${message}" does not show the spot and on-demand prices`);
  const detail = (await dialog.locator('.dialog-message-detail').textContent()) ?? '';
  for (const re of [
    /on-demand about \$3\.83\/h, spot about \$1\.15\/h, offline table/,
    /estimate: 70% below on-demand/,
    /waits for spot capacity up to 48 h/,
    new RegExp(`checkpoints in s3://${BUCKET}/${BASE}-\\d{4}-[\\d-]+/checkpoints`),
  ]) {
    if (!re.test(detail)) throw new Error(`dialog detail lacks ${re}: ${detail}`);
  }
  await wb.screenshot('spot-confirmation');
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: 'Start Training' }).first().click();

  // The job in the tree: "spot" in its description, a Billing node saying managed spot, with the checkpoints.
  await wb.waitForTreeRow(BASE, { view: 'SageMaker', timeoutMs: 60_000 });
  // The Training Jobs section's row (Running now lists a running job too, cost first: "… · training job · …").
  const row = wb.page
    .locator('.monaco-list-row', { hasText: BASE })
    .filter({ hasNot: wb.page.locator('.label-description', { hasText: /· training job/ }) })
    .first();
  await wb.step(
    'job row marked spot',
    async () => {
      for (;;) {
        const text = (await row.textContent()) ?? '';
        if (/· spot/.test(text)) return;
        await wb.page.waitForTimeout(300);
      }
    },
    30_000,
  );
  await wb.widenSideBar(760);
  // Endpoints and jobs that earlier scenarios left in moto fill the other sections and push the job's children
  // out of the (virtualised) list: collapse the others first, as a user would.
  await wb.showOnlySection('Training Jobs', { view: 'SageMaker' });
  await row.click();
  await wb.page.keyboard.press('ArrowRight');
  const billing = await wb.waitForTreeRow('Billing', { view: 'SageMaker', timeoutMs: 20_000 });
  await billing.click();
  await wb.page.keyboard.press('ArrowRight');
  await wb.waitForTreeRow('managed spot', { view: 'SageMaker', timeoutMs: 20_000 });
  const cp = await wb.waitForTreeRow('Checkpoints', { view: 'SageMaker', timeoutMs: 20_000 });
  const cpText = (await cp.textContent()) ?? '';
  if (!new RegExp(`s3://${BUCKET}/${BASE}-\\d{4}-[\\d-]+/checkpoints`).test(cpText))
    throw new Error(`Checkpoints row shows "${cpText}"`);
  await wb.clearNotifications();
  await wb.page.mouse.move(1200, 780);
  await wb.page.waitForTimeout(500);
  await wb.screenshot('spot-job');
}
