// Training on SageMaker in the real VS Code extension host against moto: with a small emotion dataset
// prepared in moto's S3 (through the workflow API), Start Training on a spec with ml.p3.2xlarge and the
// Training Compiler settings of examples/emotion.sagemaker-hf.json confirms instance type, count and price
// in a modal, shows the compiler notice once (never with an error), creates the job with the trcomp image and the compiler
// hyperparameter, lists it in the Training Jobs tree and opens its output channel. Stop is not tested:
// moto does not implement StopTrainingJob.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DescribeTrainingJobCommand, ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { loadSpecFile } from '../../../src/workflow/specFile';
import { prepareDataset } from '../../../src/workflow/dataset/prepare';
import { api, treeNodes, EMOTIONS, shared, waitFor } from './util';

const PREFIX = 'e2e/training/emotion-small';
const BASE_JOB = 'e2e-trcomp';
const ROLE = 'arn:aws:iam::123456789012:role/SageMakerRole';

suite('training', function () {
  this.timeout(300_000);
  const sm = () => new SageMakerClient({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL, maxAttempts: 1 });
  let specUri: vscode.Uri;
  let jobName: string;

  suiteSetup(async () => {
    const a = await api();
    await vscode.commands.executeCommand('sagemakerHf.connect');
    const conn = a.services.connection.current;
    assert.ok(conn, `not connected: ${a.services.connection.lastError}`);
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'a workspace folder is open');
    // The example's training section (Training Compiler, ml.p3.2xlarge) with a small local dataset.
    const example = JSON.parse(readFileSync(path.join(ws.uri.fsPath, 'emotion.sagemaker-hf.json'), 'utf8')) as {
      training: Record<string, unknown>;
    };
    assert.equal(example.training.compiler, 'training-compiler');
    specUri = vscode.Uri.joinPath(ws.uri, 'e2e-training.sagemaker-hf.json');
    writeFileSync(
      specUri.fsPath,
      JSON.stringify(
        {
          version: 1,
          dataset: {
            source: {
              train: path.join(shared, 'data/emotion/train.jsonl'),
              test: path.join(shared, 'data/emotion/test.jsonl'),
            },
            splits: { train: 'train', test: 'test' },
            labelNames: EMOTIONS,
            tokenizer: path.join(shared, 'models/bert-base-uncased'),
            padding: 'max_length',
            maxLength: 64,
            limit: 200,
            s3Prefix: PREFIX,
          },
          training: { ...example.training, baseJobName: BASE_JOB, role: ROLE },
        },
        null,
        2,
      ),
    );
    const spec = await loadSpecFile(specUri.fsPath);
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-e2e-training-'));
    const prepared = await prepareDataset(spec, { outDir, upload: conn });
    assert.ok(prepared.manifestUri, 'the dataset was uploaded');
  });

  test('no execution role: the error offers Select Execution Role, speaks of the editor, and no compiler notice rides along', async () => {
    const a = await api();
    assert.equal(
      a.services.connection.current?.role,
      undefined,
      "moto's identity is a user: no role is known (precondition)",
    );
    const ws = vscode.workspace.workspaceFolders![0]!;
    const noRole = vscode.Uri.joinPath(ws.uri, 'e2e-training-norole.sagemaker-hf.json');
    const withRole = JSON.parse(readFileSync(specUri.fsPath, 'utf8')) as { training: Record<string, unknown> };
    delete withRole.training.role;
    writeFileSync(noRole.fsPath, JSON.stringify(withRole, null, 2));
    const win = vscode.window as unknown as Record<
      'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage',
      unknown
    >;
    const saved = {
      showInformationMessage: win.showInformationMessage,
      showWarningMessage: win.showWarningMessage,
      showErrorMessage: win.showErrorMessage,
    };
    const asked: { kind: string; message: string; items: string[] }[] = [];
    for (const kind of Object.keys(saved) as (keyof typeof saved)[]) {
      win[kind] = async (message: string, ...rest: unknown[]) => {
        asked.push({ kind, message, items: rest.filter((r): r is string => typeof r === 'string') });
        return undefined;
      };
    }
    try {
      await vscode.commands.executeCommand('sagemakerHf.startTraining', noRole);
    } finally {
      Object.assign(win, saved);
    }
    const errors = asked.filter((q) => q.kind === 'showErrorMessage');
    assert.equal(errors.length, 1, asked.map((q) => q.message).join(' | '));
    assert.match(errors[0]!.message, /^Start training failed: no execution role: .*Select Execution Role/);
    assert.doesNotMatch(errors[0]!.message, /--role|SAGEMAKER_ROLE_ARN/);
    assert.deepEqual(errors[0]!.items, ['Select Execution Role', 'Show Log']);
    assert.deepEqual(
      asked.filter((q) => q.message.includes('Training Compiler')).map((q) => q.message),
      [],
      'no compiler notice with the error',
    );
  });

  test('declining the confirmation creates no job', async () => {
    const win = vscode.window as unknown as Record<'showWarningMessage' | 'showInformationMessage', unknown>;
    const saved = { showWarningMessage: win.showWarningMessage, showInformationMessage: win.showInformationMessage };
    const asked: string[] = [];
    // The modal cannot be dismissed from inside the extension host: answer it as Cancel (undefined) here.
    win.showWarningMessage = async (message: string) => {
      asked.push(message);
      return undefined;
    };
    win.showInformationMessage = async (message: string) => {
      asked.push(message);
      return undefined;
    };
    try {
      await vscode.commands.executeCommand('sagemakerHf.startTraining', specUri);
    } finally {
      Object.assign(win, saved);
    }
    assert.ok(
      asked.includes(
        'Start a SageMaker training job on ml.p3.2xlarge x1, about $3.83/h, offline table (us-east-1 prices)?',
      ),
      asked.join(' | '),
    );
    // The notice comes once per window, separately, before the first confirmation (the checks passed).
    const notice = asked.findIndex((m) => m.includes('no longer updates SageMaker Training Compiler'));
    assert.ok(notice >= 0, `the Training Compiler notice was shown: ${asked.join(' | ')}`);
    assert.ok(
      notice <
        asked.indexOf(
          'Start a SageMaker training job on ml.p3.2xlarge x1, about $3.83/h, offline table (us-east-1 prices)?',
        ),
    );
    const jobs = (await sm().send(new ListTrainingJobsCommand({ NameContains: BASE_JOB }))).TrainingJobSummaries ?? [];
    assert.deepEqual(
      jobs.map((j) => j.TrainingJobName),
      [],
    );
  });

  test('Start Training confirms instance, count and price, then the trcomp job exists in SageMaker', async () => {
    const a = await api();
    const asked: { kind: string; message: string; detail?: string; modal: boolean; items: string[] }[] = [];
    // A modal cannot be clicked from inside the extension host: the message functions are answered here
    // and what they said is checked (the GUI scenarios click real dialogs). Restored in finally.
    const win = vscode.window as unknown as Record<
      'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage',
      unknown
    >;
    const saved = {
      showInformationMessage: win.showInformationMessage,
      showWarningMessage: win.showWarningMessage,
      showErrorMessage: win.showErrorMessage,
    };
    for (const kind of Object.keys(saved) as (keyof typeof saved)[]) {
      win[kind] = async (message: string, ...rest: unknown[]) => {
        const opts =
          rest[0] && typeof rest[0] === 'object' && !('title' in (rest[0] as object))
            ? (rest.shift() as vscode.MessageOptions)
            : undefined;
        const items = rest.map((r) => (typeof r === 'string' ? r : (r as vscode.MessageItem).title));
        asked.push({ kind, message, detail: opts?.detail, modal: opts?.modal === true, items });
        if (items.includes('Start Training')) return 'Start Training';
        if (items.includes('OK')) return 'OK';
        return undefined;
      };
    }
    try {
      await vscode.commands.executeCommand('sagemakerHf.startTraining', specUri);
    } finally {
      Object.assign(win, saved);
    }
    assert.deepEqual(
      asked.filter((q) => q.kind === 'showErrorMessage').map((q) => q.message),
      [],
      'no error reported',
    );

    const confirm = asked.find((q) => q.items.includes('Start Training'));
    assert.ok(confirm, `a confirmation was asked: ${asked.map((q) => q.message).join(' | ')}`);
    assert.equal(confirm.kind, 'showWarningMessage');
    assert.ok(confirm.modal, 'the confirmation is modal');
    assert.equal(
      confirm.message,
      'Start a SageMaker training job on ml.p3.2xlarge x1, about $3.83/h, offline table (us-east-1 prices)?',
    );
    assert.match(confirm.detail ?? '', /huggingface-pytorch-trcomp-training/);
    assert.ok(
      (confirm.detail ?? '').includes(`s3://${a.services.connection.current!.bucket}/${PREFIX}/train`),
      confirm.detail,
    );
    // Shown once per window: the previous test saw it, this start does not repeat it.
    assert.deepEqual(
      asked.filter((q) => q.message.includes('no longer updates SageMaker Training Compiler')).map((q) => q.message),
      [],
    );

    const jobs = (await sm().send(new ListTrainingJobsCommand({ NameContains: BASE_JOB }))).TrainingJobSummaries ?? [];
    assert.equal(jobs.length, 1, `one job named ${BASE_JOB}-…: ${jobs.map((j) => j.TrainingJobName).join(', ')}`);
    jobName = jobs[0]!.TrainingJobName!;
    const started = asked.find((q) => q.message.startsWith('Training job '));
    assert.equal(
      started?.message,
      `Training job ${jobName} started on ml.p3.2xlarge x1, about $3.83/h, offline table (us-east-1 prices).`,
    );

    const job = await sm().send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    assert.match(
      job.AlgorithmSpecification?.TrainingImage ?? '',
      /^763104351884\.dkr\.ecr\.us-east-1\.amazonaws\.com\/huggingface-pytorch-trcomp-training:1\.9\.0-transformers4\.11\.0-gpu-py38/,
    );
    assert.equal(job.HyperParameters?.sagemaker_training_compiler_enabled, 'true');
    assert.equal(job.ResourceConfig?.InstanceType, 'ml.p3.2xlarge');
    assert.equal(job.ResourceConfig?.InstanceCount, 1);
    assert.equal(job.RoleArn, ROLE);
    assert.deepEqual(job.InputDataConfig?.map((c) => c.ChannelName).sort(), ['test', 'train']);
  });

  test('the started job is in the Training Jobs tree and has its output channel', async () => {
    const a = await api();
    assert.ok(jobName, 'the previous test started a job');
    const row = await waitFor(
      async () => (await treeNodes(a, 'jobs')).find((n) => (n.node as { jobName?: string }).jobName === jobName),
      20_000,
      `${jobName} in the Training Jobs tree`,
    );
    // Labelled by the time in its SDK-style name, the base name after the status, so a narrow side bar tells jobs apart.
    assert.equal(
      row.item.label,
      jobName!.replace(/^.*-\d{4}-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-\d{3}$/, '$1-$2 $3:$4:$5'),
    );
    assert.match(String(row.item.description), /^[A-Za-z]+( · [A-Za-z]+)? · e2e-trcomp( · |$)/);
    assert.match(String(row.item.contextValue), /^job\.[A-Za-z]+$/);
    assert.ok(a.services.jobChannels.has(jobName), 'the job has an output channel (its log tail)');
    await vscode.commands.executeCommand('sagemakerHf.stopTailing', jobName);
  });
});
