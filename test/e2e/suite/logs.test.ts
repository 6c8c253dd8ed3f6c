// Watching training in the real VS Code (code-server) against moto: the Training Jobs section lists a job
// with its status, and a job's output channel receives the lines appended to its CloudWatch log while it
// is tailed. VS Code offers no API to read an OutputChannel, so the test reads the bounded copy that
// JobChannels keeps per job (services.jobChannels.lines(job), exposed through activate()'s API object).
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import * as vscode from 'vscode';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ExtensionApi } from '../../../src/extension/extension';
import type { Node } from '../../../src/extension/tree/tree';
import { api, waitFor } from './util';

const GROUP = '/aws/sagemaker/TrainingJobs';

function moto(): string {
  const e = process.env.AWS_ENDPOINT_URL;
  assert.ok(e, 'AWS_ENDPOINT_URL is not set in the extension host (run.sh sets it for code-server)');
  return e;
}

const cfg = () => ({
  region: 'us-east-1',
  endpoint: moto(),
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 1,
});

async function createJob(name: string): Promise<void> {
  await new SageMakerClient(cfg()).send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      RoleArn: 'arn:aws:iam::123456789012:role/SageMakerRole',
      AlgorithmSpecification: {
        TrainingImage:
          '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.11.0-transformers4.21.1-gpu-py38-cu113-ubuntu20.04',
        TrainingInputMode: 'File',
      },
      OutputDataConfig: { S3OutputPath: 's3://sagemaker-us-east-1-123456789012/out' },
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      HyperParameters: { epochs: '3' },
    }),
  );
}

async function jobRows(services: ExtensionApi['services']): Promise<{ node: Node; item: vscode.TreeItem }[]> {
  const roots = await services.tree.getChildren();
  const section = roots.find((n) => (n as unknown as { section?: { id: string } }).section?.id === 'jobs');
  assert.ok(section, 'no Training Jobs section in the tree');
  const kids = ((await section.children?.()) ?? []) as Node[];
  return Promise.all(kids.map(async (node) => ({ node, item: await node.treeItem() })));
}

/**
 * moto's jobs are Completed from birth (it has no job lifecycle), so a job that is running while lines
 * are appended comes from a pass-through proxy in front of moto that rewrites only this job's status in
 * DescribeTrainingJob / ListTrainingJobs answers. Every CloudWatch Logs call still reaches moto.
 */
async function statusProxy(job: string): Promise<{ url: string; set(status: string): void; close(): Promise<void> }> {
  let status = 'InProgress';
  const upstreamUrl = moto();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    const up = await fetch(upstreamUrl + req.url, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    let body = Buffer.from(await up.arrayBuffer());
    const target = req.headers['x-amz-target'];
    if (up.ok && (target === 'SageMaker.DescribeTrainingJob' || target === 'SageMaker.ListTrainingJobs')) {
      const json = JSON.parse(body.toString());
      const secondary = status === 'InProgress' ? 'Training' : status;
      if (json.TrainingJobName === job) Object.assign(json, { TrainingJobStatus: status, SecondaryStatus: secondary });
      for (const s of json.TrainingJobSummaries ?? []) if (s.TrainingJobName === job) s.TrainingJobStatus = status;
      body = Buffer.from(JSON.stringify(json));
    }
    res.writeHead(up.status, {
      'content-type': up.headers.get('content-type') ?? 'application/json',
      'content-length': body.length,
    });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (s) => (status = s),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

suite('logs', () => {
  const logs = () => new CloudWatchLogsClient(cfg());

  suiteSetup(async () => {
    await logs()
      .send(new CreateLogGroupCommand({ logGroupName: GROUP }))
      .catch((err: Error) => {
        if (err.name !== 'ResourceAlreadyExistsException') throw err;
      });
  });

  test('the Training Jobs section shows a job with its status, instance and children', async () => {
    const { services } = await api();
    await createJob('e2e-logs-done');
    await vscode.commands.executeCommand('sagemakerHf.connect');
    assert.ok(services.connection.current, 'not connected');
    await vscode.commands.executeCommand('sagemakerHf.explorer.focus');
    const row = await waitFor(
      async () => (await jobRows(services)).find((r) => r.item.label === 'e2e-logs-done'),
      20_000,
      'job e2e-logs-done in the tree',
    );
    assert.equal(row.item.contextValue, 'job.Completed');
    assert.equal((row.item.iconPath as vscode.ThemeIcon).id, 'pass');
    const kids = await Promise.all((((await row.node.children?.()) ?? []) as Node[]).map(async (n) => n.treeItem()));
    const labels = kids.map((k) => String(k.label));
    assert.ok(labels.includes('Hyperparameters'), labels.join(', '));
    assert.ok(labels.includes('Model artifact'), labels.join(', '));
    const again = (await jobRows(services)).find((r) => r.item.label === 'e2e-logs-done')!;
    assert.match(String(again.item.description), /Completed · ml\.g4dn\.xlarge × 1/);
  });

  test('the output channel receives lines appended to the log while it tails, then the outcome', async () => {
    const { services } = await api();
    const job = 'e2e-logs-running';
    await createJob(job);
    const proxy = await statusProxy(job);
    const settings = vscode.workspace.getConfiguration('sagemakerHf');
    const before = settings.inspect<string>('endpointUrl')?.globalValue;
    try {
      await settings.update('endpointUrl', proxy.url, vscode.ConfigurationTarget.Global);
      await waitFor(
        () => (services.connection.current?.endpoint === proxy.url ? true : undefined),
        20_000,
        'reconnect through the status proxy',
      );
      const row = await waitFor(
        async () => (await jobRows(services)).find((r) => r.item.label === job),
        20_000,
        `job ${job} in the tree`,
      );
      assert.equal(row.item.contextValue, 'job.InProgress');

      const stream = `${job}/algo-1-1700000000`;
      const cw = logs();
      await cw.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
      await cw.send(
        new PutLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: stream,
          logEvents: [{ timestamp: Date.now(), message: 'first line' }],
        }),
      );
      await vscode.commands.executeCommand('sagemakerHf.showJobLogs', row.node);
      const lines = () => services.jobChannels.lines(job);
      await waitFor(
        () => (lines().includes('first line') ? true : undefined),
        20_000,
        `'first line' in the channel; it has: ${lines().join(' | ')}`,
      );
      // Appended while the tail runs.
      await cw.send(
        new PutLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: stream,
          logEvents: [
            { timestamp: Date.now(), message: '[metrics] step=5 epoch=0.5 loss=0.4321' },
            { timestamp: Date.now() + 1, message: 'appended later' },
          ],
        }),
      );
      await waitFor(
        () => (lines().includes('appended later') ? true : undefined),
        20_000,
        `'appended later' in the channel; it has: ${lines().join(' | ')}`,
      );
      const tailing = (await jobRows(services)).find((r) => r.item.label === job)!;
      assert.match(String(tailing.item.description), /loss 0\.432/);
      assert.match(String(tailing.item.description), /tailing/);

      proxy.set('Completed');
      await waitFor(
        () => (lines().some((l) => l === `Training job ${job} Completed`) ? true : undefined),
        40_000,
        `the outcome line; the channel has: ${lines().join(' | ')}`,
      );
      const body = lines();
      assert.equal(body.filter((l) => l === 'first line').length, 1, 'no line twice');
      assert.ok(body.indexOf('first line') < body.indexOf('appended later'));
      const done = await waitFor(
        async () => {
          const r = (await jobRows(services)).find((x) => x.item.label === job);
          return r && !/tailing/.test(String(r.item.description)) ? r : undefined;
        },
        10_000,
        'the tail to end',
      );
      assert.equal(done.item.contextValue, 'job.Completed');
    } finally {
      await settings.update('endpointUrl', before, vscode.ConfigurationTarget.Global);
      await proxy.close();
    }
  });
});
