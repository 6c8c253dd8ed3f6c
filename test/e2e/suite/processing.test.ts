// Prepare Dataset on SageMaker in the real VS Code extension host against moto: the instance type picker
// shows prices, the modal names instance type, count and price (the offline table, labelled: moto has no
// Price List) before anything is created; declining creates nothing; accepting uploads the inputs and
// creates the Processing job, which then shows in the Datasets section's "Processing jobs" node. moto
// runs no container, so the job has no output: the command must say so and leave no manifest.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ListProcessingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { api, treeNodes, EMOTIONS, shared, waitFor } from './util';

const PREFIX = 'e2e/processing/emotion';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';

type Win = Record<
  'showWarningMessage' | 'showInformationMessage' | 'showErrorMessage' | 'showQuickPick' | 'showInputBox',
  unknown
>;

async function answering(
  confirm: string | undefined,
  run: () => Thenable<unknown>,
): Promise<{ warnings: { message: string; detail?: string }[]; picks: string[][]; errors: string[] }> {
  const win = vscode.window as unknown as Win;
  const saved = {
    showWarningMessage: win.showWarningMessage,
    showInformationMessage: win.showInformationMessage,
    showErrorMessage: win.showErrorMessage,
    showQuickPick: win.showQuickPick,
    showInputBox: win.showInputBox,
  };
  const warnings: { message: string; detail?: string }[] = [];
  const picks: string[][] = [];
  const errors: string[] = [];
  win.showQuickPick = async (
    items: Thenable<{ label: string; description?: string }[]> | { label: string; description?: string }[],
  ) => {
    const list = await items;
    picks.push(list.map((i) => `${i.label} ${i.description ?? ''}`));
    return list[0];
  };
  win.showInputBox = async () => '1';
  win.showWarningMessage = async (message: string, opts?: { detail?: string }) => {
    warnings.push({ message, detail: opts?.detail });
    return confirm;
  };
  win.showInformationMessage = async () => undefined;
  win.showErrorMessage = async (message: string) => {
    errors.push(message);
    return undefined;
  };
  try {
    await run();
  } finally {
    Object.assign(win, saved);
  }
  return { warnings, picks, errors };
}

suite('processing', function () {
  this.timeout(300_000);
  const sm = () => new SageMakerClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, maxAttempts: 1 });
  let specUri: vscode.Uri;

  suiteSetup(async () => {
    const a = await api();
    await vscode.commands.executeCommand('sagemakerHf.connect');
    assert.ok(a.services.connection.current, `not connected: ${a.services.connection.lastError}`);
    const ws = vscode.workspace.workspaceFolders![0]!;
    specUri = vscode.Uri.joinPath(ws.uri, 'e2e-processing.sagemaker-hf.json');
    writeFileSync(
      specUri.fsPath,
      JSON.stringify(
        {
          version: 1,
          dataset: {
            source: { train: path.join(shared, 'data/emotion/train.jsonl') },
            splits: { train: 'train' },
            labelNames: EMOTIONS,
            tokenizer: path.join(shared, 'models/bert-base-uncased'),
            maxLength: 64,
            s3Prefix: PREFIX,
          },
          training: { entryPoint: 'train.py', sourceDir: '.', instanceType: 'ml.p3.2xlarge', role: ROLE },
        },
        null,
        2,
      ),
    );
  });

  test('the confirmation shows instance type, count and the labelled price; declining creates no job', async () => {
    const { warnings, picks } = await answering(undefined, () =>
      vscode.commands.executeCommand('sagemakerHf.prepareDatasetOnSageMaker', specUri),
    );
    assert.match(picks[0]![0]!, /^ml\.c5\.4xlarge about \$0\.816\/h, offline table \(us-east-1 prices\)$/);
    assert.ok(
      picks[0]!.includes('ml.c5.9xlarge about $1.84/h, offline table (us-east-1 prices)'),
      `every instance type of the picker has a price: ${picks[0]!.join(' | ')}`,
    );
    assert.equal(warnings.length, 1);
    assert.equal(
      warnings[0]!.message,
      'Start a SageMaker Processing job on ml.c5.4xlarge x1, about $0.816/h, offline table (us-east-1 prices)?',
    );
    // A CPU instance gets the CPU build of the image, not a -gpu- one.
    assert.match(warnings[0]!.detail ?? '', /huggingface-pytorch-inference:2\.6\.0-transformers5\.5\.3-cpu-py312/);
    const jobs =
      (await sm().send(new ListProcessingJobsCommand({ NameContains: 'prep-emotion' }))).ProcessingJobSummaries ?? [];
    assert.deepEqual(jobs, []);
  });

  test('accepting creates the job; it shows under Processing jobs; with no output the command says so and writes no manifest', async () => {
    const a = await api();
    const { errors } = await answering('Start Processing Job', () =>
      vscode.commands.executeCommand('sagemakerHf.prepareDatasetOnSageMaker', specUri),
    );
    const jobs =
      (await sm().send(new ListProcessingJobsCommand({ NameContains: 'prep-emotion' }))).ProcessingJobSummaries ?? [];
    assert.equal(jobs.length, 1);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^Prepare dataset on SageMaker failed: the Processing job wrote no summary\.json/);
    const conn = a.services.connection.current!;
    await assert.rejects(
      new S3Client({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, forcePathStyle: true }).send(
        new HeadObjectCommand({ Bucket: conn.bucket, Key: `${PREFIX}/.sagemaker-hf-manifest.json` }),
      ),
    );
    a.services.tree.refresh('datasets');
    const node = await waitFor(
      async () => (await treeNodes(a, 'datasets')).find((n) => n.item.label === 'Processing jobs'),
      20_000,
      'the Processing jobs node',
    );
    const kids = await Promise.all((await a.services.tree.getChildren(node.node)).map(async (n) => n.treeItem()));
    assert.equal(kids[0]!.label, jobs[0]!.ProcessingJobName);
    assert.match(String(kids[0]!.description), /^Completed/);
  });
});
