// GUI: after an endpoint deleted itself (its schedule ran DeleteEndpoint), the endpoint config and model the
// deploy tagged are left; seeded in moto as they are left (created-by and a past delete-at tag, no
// endpoint), beside an untagged model the config names, which the tool did not make. Connecting shows one
// notification naming the leftovers with Delete and Not Now; Delete removes the config and the tagged
// model, and the untagged one stays. Screenshot: test-output/e2e/leftovers.png.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const title = 'leftovers of an endpoint that deleted itself: offered on connect, Delete removes them';

const NAME = 'gui-deleted-itself';
const FOREIGN = 'gui-deleted-itself-foreign';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const IMAGE = '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1';

function sageMaker(repoRoot) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  const sm = createRequire(join(repoRoot, 'package.json'))('@aws-sdk/client-sagemaker');
  const client = new sm.SageMakerClient({
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  return { sm, client };
}

async function seed(repoRoot) {
  const { sm, client } = sageMaker(repoRoot);
  const tags = [
    { Key: 'sagemaker-hf:created-by', Value: 'sagemaker-hf' },
    { Key: 'sagemaker-hf:delete-at', Value: new Date(Date.now() - 600_000).toISOString() },
  ];
  for (const [name, t] of [
    [NAME, tags],
    [FOREIGN, []],
  ])
    await client.send(
      new sm.CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: IMAGE },
        ...(t.length ? { Tags: t } : {}),
      }),
    );
  await client.send(
    new sm.CreateEndpointConfigCommand({
      EndpointConfigName: NAME,
      ProductionVariants: [NAME, FOREIGN].map((m, i) => ({
        VariantName: `v${i}`,
        ModelName: m,
        InstanceType: 'ml.g4dn.xlarge',
        InitialInstanceCount: 1,
      })),
      Tags: tags,
    }),
  );
}

async function left(repoRoot) {
  const { sm, client } = sageMaker(repoRoot);
  const configs = (await client.send(new sm.ListEndpointConfigsCommand({}))).EndpointConfigs ?? [];
  const models = (await client.send(new sm.ListModelsCommand({}))).Models ?? [];
  return {
    configs: configs.map((c) => c.EndpointConfigName).filter((n) => n.startsWith(NAME)),
    models: models.map((m) => m.ModelName).filter((n) => n.startsWith(NAME)),
  };
}

/**
 * A message as a toast, or in the notification center (here it often goes there without a toast, as a
 * message raised while another notification shows may): opened every few seconds while waiting.
 */
async function message(wb, text) {
  const { page } = wb;
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  const inCenter = page.locator('.notifications-center .monaco-list-row', { hasText: text }).first();
  let found;
  await wb.step(
    `the message "${text}" appears`,
    async () => {
      for (let i = 0; ; i++) {
        if (await toast.isVisible().catch(() => false)) return void (found = toast);
        if (await inCenter.isVisible().catch(() => false)) return void (found = inCenter);
        if (i % 12 === 11) await wb.runCommand('Notifications: Show Notifications').catch(() => undefined);
        await page.waitForTimeout(250);
      }
    },
    60_000,
  );
  return found;
}

export async function run(wb) {
  const { page } = wb;
  await seed(wb.opts.repoRoot);
  await wb.open();
  await wb.openContainer('SageMaker HF');
  await wb.runCommand('SageMaker HF: Connect to AWS');
  const toast = await message(wb, `endpoint config ${NAME}`);
  const text = (await toast.innerText()).replace(/\s+/g, ' ');
  if (!/leftovers? of (an endpoint that deleted itself|\d+ endpoints that deleted themselves)/.test(text))
    throw new Error(`the notification says "${text}"`);
  if (!text.includes(`model ${NAME}`) || !/cost nothing/.test(text))
    throw new Error(`the notification does not name model ${NAME} or say it costs nothing: "${text}"`);
  if (text.includes(FOREIGN)) throw new Error(`the notification offers the untagged model ${FOREIGN}: "${text}"`);
  const del = toast.locator('.monaco-button', { hasText: /^Delete$/ });
  await del.waitFor({ timeout: 10_000 }).catch((e) => {
    throw new Error(`no Delete button on the leftovers notification: ${e.message}`);
  });
  await toast
    .locator('.monaco-button', { hasText: /^Not Now$/ })
    .waitFor({ timeout: 5_000 })
    .catch((e) => {
      throw new Error(`no Not Now button on the leftovers notification: ${e.message}`);
    });
  await toast.hover(); // a hovered toast does not hide itself before the screenshot
  await wb.screenshot('leftovers');
  await del.click();
  await message(wb, `Deleted endpoint config ${NAME} and model ${NAME}.`);
  const now = await left(wb.opts.repoRoot);
  if (now.configs.length || now.models.join(',') !== FOREIGN)
    throw new Error(`after Delete: configs ${now.configs.join(',') || '-'}, models ${now.models.join(',') || '-'}`);
  await page.waitForTimeout(200);
}
