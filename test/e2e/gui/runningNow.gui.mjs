// GUI: "Running now" at the top of the tree holds what bills, cost first: an InService endpoint (moto)
// and the warm pool a finished training job keeps. moto never reports a warm pool, so a loopback proxy in
// front of moto (sagemakerHf.endpointUrl) adds WarmPoolStatus to this job's DescribeTrainingJob and
// lists it as InProgress once, so the tree describes it as it does a running job. The rows carry the
// same inline actions as the rows they mirror (Delete Endpoint, Release Warm Pool). In Training Jobs the
// job whose pool bills has the pool's icon and its cost after the status, and the pool row is short.
// Screenshot at 1280x800: test-output/e2e/running-now.png.
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const title = 'Running now: an endpoint and a warm pool at the top of the tree, cost first';

const JOB = 'gui-running-warm-pool';
const EP = 'gui-running-endpoint';

async function startProxy(target) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks);
    const op = String(req.headers['x-amz-target'] ?? '');
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    );
    const up = await fetch(target + req.url, { method: req.method, headers, body: raw.length ? raw : undefined });
    let out = Buffer.from(await up.arrayBuffer());
    if (up.ok && op === 'SageMaker.DescribeTrainingJob' && JSON.parse(raw.toString()).TrainingJobName === JOB) {
      const end = Math.floor(Date.now() / 1000) - 120;
      out = Buffer.from(
        JSON.stringify({
          ...JSON.parse(out.toString()),
          TrainingJobStatus: 'Completed',
          SecondaryStatus: 'Completed',
          TrainingEndTime: end,
          WarmPoolStatus: { Status: 'Available' },
        }),
      );
    } else if (up.ok && op === 'SageMaker.ListTrainingJobs') {
      const body = JSON.parse(out.toString());
      for (const s of body.TrainingJobSummaries ?? [])
        if (s.TrainingJobName === JOB) s.TrainingJobStatus = 'InProgress';
      out = Buffer.from(JSON.stringify(body));
    }
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
    res.end(out);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

async function seed(repoRoot, moto) {
  const require = createRequire(join(repoRoot, 'package.json'));
  const sm = require('@aws-sdk/client-sagemaker');
  const c = new sm.SageMakerClient({
    region: 'us-east-1',
    endpoint: moto,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  const image =
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04';
  const role = 'arn:aws:iam::123456789012:role/SageMakerRole';
  await c.send(
    new sm.CreateTrainingJobCommand({
      TrainingJobName: JOB,
      RoleArn: role,
      AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 's3://sagemaker-us-east-1-123456789012/out' },
      ResourceConfig: {
        InstanceType: 'ml.g5.xlarge',
        InstanceCount: 1,
        VolumeSizeInGB: 30,
        KeepAlivePeriodInSeconds: 1800,
      },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  await c.send(
    new sm.CreateModelCommand({
      ModelName: `${EP}-model`,
      ExecutionRoleArn: role,
      PrimaryContainer: { Image: image.replace('training', 'inference'), ModelDataUrl: 's3://b/model.tar.gz' },
    }),
  );
  await c.send(
    new sm.CreateEndpointConfigCommand({
      EndpointConfigName: `${EP}-config`,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: `${EP}-model`,
          InstanceType: 'ml.g4dn.xlarge',
          InitialInstanceCount: 1,
        },
      ],
    }),
  );
  await c.send(new sm.CreateEndpointCommand({ EndpointName: EP, EndpointConfigName: `${EP}-config` }));
}

export async function run(wb) {
  const moto = process.env.AWS_ENDPOINT_URL;
  if (!moto) throw new Error('AWS_ENDPOINT_URL is not set (run.sh points it at moto)');
  await seed(wb.opts.repoRoot, moto);
  const proxy = await startProxy(moto);
  try {
    mkdirSync(join(wb.opts.folder, '.vscode'), { recursive: true });
    writeFileSync(
      join(wb.opts.folder, '.vscode', 'settings.json'),
      JSON.stringify({ 'sagemakerHf.endpointUrl': proxy.url }),
    );
    await wb.open();
    await wb.openContainer('SageMaker HF');
    await wb.runCommand('SageMaker HF: Connect to AWS');
    await wb.waitForTreeRow('Running now', { view: 'SageMaker', timeoutMs: 45_000 });
    await wb.waitForTreeRow(EP, { view: 'SageMaker', timeoutMs: 45_000 });
    await wb.waitForTreeRow(JOB, { view: 'SageMaker', timeoutMs: 45_000 });
    // The Running now rows (their tooltip, the row's aria-label, says what bills and at what price).
    const epRow = wb.page.locator(`.monaco-list-row[aria-label^="endpoint ${EP}: billed"]`).first();
    const poolRow = wb.page.locator(`.monaco-list-row[aria-label^="warm pool ${JOB}: billed"]`).first();
    await epRow.waitFor({ timeout: 30_000 });
    await poolRow.waitFor({ timeout: 30_000 });
    // Both are in Running now, which is the first section, above Datasets.
    const labels = await wb.page
      .locator('.pane-body .monaco-list-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.textContent ?? ''));
    const iRun = labels.findIndex((l) => l.startsWith('Running now'));
    const iData = labels.findIndex((l) => l.startsWith('Datasets'));
    const iEp = labels.findIndex((l) => l.startsWith(`endpoint ${EP}: billed`));
    const iPool = labels.findIndex((l) => l.startsWith(`warm pool ${JOB}: billed`));
    if (!(iRun >= 0 && iRun < iPool && iRun < iEp && iPool < iData && iEp < iData))
      throw new Error(`Running now is not first with the endpoint and the pool in it: ${labels.join(' | ')}`);
    const epDesc = (await epRow.locator('.label-description').first().textContent())?.trim() ?? '';
    if (!/^(about )?\$\d+\.\d+\/h · endpoint · ml\.g4dn\.xlarge × 1/.test(epDesc))
      throw new Error(`endpoint row: "${epDesc}"`);
    const poolDesc = (await poolRow.locator('.label-description').first().textContent())?.trim() ?? '';
    if (!/^about \$\d+\.\d+\/h · warm pool · Available · expires in \d+ min/.test(poolDesc))
      throw new Error(`warm pool row: "${poolDesc}"`);
    // The section's row is redrawn with its total just after its rows are listed: wait for that redraw.
    const runRow = await wb.waitForTreeRow('Running now', { view: 'SageMaker' });
    let total = '';
    await wb
      .step(
        'the Running now total',
        async () => {
          for (;;) {
            total = (await runRow.locator('.label-description').first().textContent())?.trim() ?? '';
            if (/^\$\d+\.\d+\/h$/.test(total)) return;
            await wb.page.waitForTimeout(200);
          }
        },
        15_000,
      )
      .catch(() => {
        throw new Error(`Running now total: "${total}"`);
      });
    // The mirrored rows keep their actions.
    await epRow.hover();
    await epRow.locator('.actions [aria-label^="Delete Endpoint"]').first().waitFor({ timeout: 10_000 });
    await poolRow.hover();
    await poolRow.locator('.actions [aria-label^="Release Warm Pool"]').first().waitFor({ timeout: 10_000 });
    await wb.page.mouse.move(1200, 780);
    await wb.screenshot('running-now');

    // In Training Jobs, the finished job whose pool still bills: the pool's flame (not the green check of
    // a finished job) and the pool's cost right after the status, short enough for a narrow side bar.
    await wb.showOnlySection('Training Jobs', { view: 'SageMaker' });
    const jobRow = await wb.waitForTreeRow(JOB, { view: 'SageMaker', exact: true });
    const jobDesc = (await jobRow.locator('.label-description').first().textContent())?.trim() ?? '';
    if (!/^Completed · warm pool about \$\d+\.\d+\/h · \d+ min left/.test(jobDesc))
      throw new Error(`job row with a billing warm pool: "${jobDesc}"`);
    if (!(await jobRow.locator('.codicon-flame').count()))
      throw new Error('the job row with a billing warm pool has no flame icon');
    if (await jobRow.locator('.codicon-pass').count())
      throw new Error('the job row with a billing warm pool shows the green check of a finished job');
    await jobRow.locator('.monaco-tl-twistie').click();
    const poolChild = await wb.waitForTreeRow('Warm pool', { view: 'SageMaker', exact: true });
    const childDesc = (await poolChild.locator('.label-description').first().textContent())?.trim() ?? '';
    if (!/^about \$\d+\.\d+\/h · \d+ min left$/.test(childDesc)) throw new Error(`warm pool row: "${childDesc}"`);
    await wb.page.mouse.move(1200, 780);
    await wb.screenshot('running-now-warm-pool');
  } finally {
    proxy.close();
  }
}
