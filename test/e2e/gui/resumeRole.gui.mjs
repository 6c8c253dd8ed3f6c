// GUI: Start Training from a spec without a role fails with "no execution role" and a Select Execution
// Role button; choosing a role in its picker resumes Start Training by itself (the confirmation modal
// comes back without another click on the spec), and the job is created with that role.
// Screenshot: test-output/e2e/resume-role.png (the confirmation reached after the picker).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';

export const title = 'resume: Start Training picks up after Select Execution Role';

const BUCKET = 'sagemaker-us-east-1-123456789012';
const PREFIX = 'samples/datasets/emotion';
const BASE = 'gui-resume-role';
const ROLE = 'GuiResumeSageMakerRole';

async function seed(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const require = createRequire(join(repoRoot, 'package.json'));
  const { S3Client, CreateBucketCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
  const { IAMClient, CreateRoleCommand } = require('@aws-sdk/client-iam');
  const cfg = {
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => undefined);
  for (const ch of ['train', 'test'])
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${ch}/dataset_info.json`, Body: '{}' }));
  await s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/.sagemaker-hf-manifest.json`, Body: '{"version":1}' }),
  );
  await new IAMClient(cfg)
    .send(
      new CreateRoleCommand({
        RoleName: ROLE,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    )
    .catch((e) => {
      if (e.name !== 'EntityAlreadyExistsException' && e.name !== 'EntityAlreadyExists') throw e;
    });
}

export async function run(wb) {
  await seed(wb.opts.repoRoot);
  const spec = JSON.parse(readFileSync(join(wb.opts.folder, 'emotion.sagemaker-hf.json'), 'utf8'));
  spec.training.baseJobName = BASE;
  delete spec.training.role;
  writeFileSync(join(wb.opts.folder, 'emotion-resume.sagemaker-hf.json'), JSON.stringify(spec, null, 2));

  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  await wb.waitForTreeRow('Training Jobs', { view: 'SageMaker', timeoutMs: 45_000 });
  const specRow = await wb.waitForTreeRow('emotion-resume', { view: 'Job Specs', exact: true, timeoutMs: 30_000 });
  await specRow.hover();
  await specRow.locator('.actions [aria-label^="Start Training"]').first().click({ timeout: 10_000 });

  const toast = await wb.waitForMessage('no execution role', {
    what: '"no execution role" error',
    toastMs: 20_000,
    centerMs: 30_000,
  });
  await toast.locator('.monaco-button', { hasText: 'Select Execution Role' }).first().click();
  const input = wb.page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await wb.page.locator('.quick-input-list .monaco-list-row', { hasText: ROLE }).first().waitFor({ timeout: 30_000 });
  await input.fill(ROLE);
  await wb.page.keyboard.press('Enter');

  // No second click on the spec: the confirmation of Start Training comes back by itself.
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 60_000 }).catch((e) => {
    throw new Error(`Start Training did not resume after the role was selected: ${e.message}`);
  });
  await wb.screenshot('resume-role');
  await dialog.locator('.dialog-buttons .monaco-button', { hasText: 'Start Training' }).first().click();
  await wb.waitForTreeRow(BASE, { view: 'SageMaker', timeoutMs: 60_000 });
  const require = createRequire(join(wb.opts.repoRoot, 'package.json'));
  const sdk = require('@aws-sdk/client-sagemaker');
  const sm = new sdk.SageMakerClient({
    region: 'us-east-1',
    endpoint: process.env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const jobs = await sm.send(new sdk.ListTrainingJobsCommand({ NameContains: BASE }));
  const name = jobs.TrainingJobSummaries?.[0]?.TrainingJobName;
  if (!name) throw new Error(`no training job ${BASE}-* in moto`);
  const d = await sm.send(new sdk.DescribeTrainingJobCommand({ TrainingJobName: name }));
  if (d.RoleArn !== `arn:aws:iam::123456789012:role/${ROLE}`) throw new Error(`the job runs as ${d.RoleArn}`);
}
