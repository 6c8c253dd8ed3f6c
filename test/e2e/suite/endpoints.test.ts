// Endpoints in the real VS Code extension host against moto: a deployed endpoint appears in the tree
// with status, size and price; Try Predictions opens the webview; Delete Endpoint removes the endpoint,
// its config and its model after the modal confirmation.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  CreateTrainingJobCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { ExtensionApi } from '../../../src/extension/extension';
import type { Node } from '../../../src/extension/tree/tree';
import { deployFromJob } from '../../../src/workflow/endpoints/deploy';
import { api, waitFor } from './util';

const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';
const JOB = 'e2e-endpoints-job';
const ENDPOINT = 'e2e-endpoints-ep';

async function endpointNodes(services: ExtensionApi['services']): Promise<{ node: Node; item: vscode.TreeItem }[]> {
  const roots = await services.tree.getChildren();
  const items = await Promise.all(roots.map(async (n) => ({ node: n, item: await n.treeItem() })));
  const section = items.find((r) => r.item.contextValue === 'section.endpoints');
  assert.ok(section, `no Endpoints section among ${items.map((r) => r.item.label).join(', ')}`);
  const kids = await services.tree.getChildren(section.node);
  return Promise.all(kids.map(async (n) => ({ node: n, item: await n.treeItem() })));
}

suite('endpoints', () => {
  const sm = () => new SageMakerClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, maxAttempts: 1 });

  test('a deployed endpoint shows status, instance type x count and price in the tree', async () => {
    const { services } = await api();
    await vscode.commands.executeCommand('sagemakerHf.connect');
    const conn = services.connection.current;
    assert.ok(conn, `not connected: ${services.connection.lastError}`);
    await sm().send(
      new CreateTrainingJobCommand({
        TrainingJobName: JOB,
        AlgorithmSpecification: {
          TrainingImage:
            '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04',
          TrainingInputMode: 'File',
        },
        RoleArn: ROLE,
        OutputDataConfig: { S3OutputPath: `s3://${conn.bucket}/output` },
        ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      }),
    );
    await deployFromJob({ ...conn, role: ROLE }, JOB, {
      instanceType: 'ml.m5.xlarge',
      initialInstanceCount: 1,
      endpointName: ENDPOINT,
      pollMs: 10,
    });
    // The model lists on demand; a reconnect empties its cache as a profile switch would.
    await vscode.commands.executeCommand('sagemakerHf.connect');
    const row = await waitFor(
      async () => (await endpointNodes(services)).find((r) => r.item.label === ENDPOINT),
      20_000,
      `tree row ${ENDPOINT}`,
    );
    assert.equal(row.item.contextValue, 'endpoint.InService');
    assert.match(
      String(row.item.description),
      /^InService · ml\.m5\.xlarge × 1 · .* · about \$0\.230\/h, offline table \(us-east-1 prices\) · about \$0\.00 so far$/,
    );
  });

  test('Try Predictions on the node opens the predictions webview', async () => {
    const { services } = await api();
    const row = (await endpointNodes(services)).find((r) => r.item.label === ENDPOINT);
    assert.ok(row, 'endpoint row missing');
    await vscode.commands.executeCommand('sagemakerHf.openPredictions', row.node);
    const tab = await waitFor(
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === `Predictions: ${ENDPOINT}`),
      10_000,
      'predictions tab',
    );
    assert.ok(tab.input instanceof vscode.TabInputWebview, 'the tab is a webview');
    await vscode.window.tabGroups.close(tab);
  });

  test('Delete Endpoint confirms with names and cost, then nothing is left', async () => {
    const { services } = await api();
    const row = (await endpointNodes(services)).find((r) => r.item.label === ENDPOINT);
    assert.ok(row, 'endpoint row missing');
    // A modal cannot be clicked from inside the extension host: answer it here and check what it says
    // (the GUI scenarios click real dialogs).
    const original = vscode.window.showWarningMessage;
    const asked: { message: string; detail?: string; items: string[] }[] = [];
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = async (
      message: string,
      opts: vscode.MessageOptions,
      ...items: string[]
    ) => {
      asked.push({ message, detail: opts?.detail, items });
      return items.find((i) => i === 'Delete');
    };
    try {
      await vscode.commands.executeCommand('sagemakerHf.deleteEndpoint', row.node);
    } finally {
      (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original;
    }
    assert.equal(asked[0]?.message, `Delete endpoint ${ENDPOINT}?`);
    assert.equal(asked[0]?.items[0], 'Keep Endpoint', 'the first button (the one Enter presses) keeps');
    assert.match(
      asked[0]?.detail ?? '',
      // deploy(endpoint_name=) names the endpoint and its config; the model keeps the job's default name.
      new RegExp(`endpoint ${ENDPOINT}, endpoint config ${ENDPOINT} and model ${JOB}-[\\d-]+\\.`),
    );
    assert.match(
      asked[0]?.detail ?? '',
      /about \$0\.230\/h, offline table \(us-east-1 prices\) now \(1 × ml\.m5\.xlarge/,
    );
    const client = sm();
    assert.deepEqual(
      ((await client.send(new ListEndpointsCommand({}))).Endpoints ?? []).filter((e) => e.EndpointName === ENDPOINT),
      [],
    );
    assert.deepEqual(
      ((await client.send(new ListEndpointConfigsCommand({}))).EndpointConfigs ?? []).filter(
        (e) => e.EndpointConfigName === ENDPOINT,
      ),
      [],
    );
    assert.deepEqual(
      ((await client.send(new ListModelsCommand({}))).Models ?? []).filter((e) => e.ModelName?.startsWith(`${JOB}-`)),
      [],
    );
    await waitFor(
      async () => ((await endpointNodes(services)).some((r) => r.item.label === ENDPOINT) ? undefined : true),
      10_000,
      'the row to disappear',
    );
  });
});
