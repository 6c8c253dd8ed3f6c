// The local target in the real VS Code: "Start training" on a spec with instanceType "local" trains
// locally, with no Python chosen (no setting: the workspace's .cache/venv is found), the job shows in the
// Training Jobs tree (newest first) and its output channel fills, deploy it locally from its tree node,
// ask the local endpoint through the predictor, delete it from the Endpoints tree after a confirmation. Real train.py and serve.py
// on CPU with a tiny BERT (test/tools/make_tiny_model.py) and a few hundred emotion rows.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { httpPredictor } from '../../../src/workflow/endpoints/predictor';
import { api, treeNodes, EMOTIONS, repo, shared, metric, waitFor } from './util';

const python = path.join(repo, '.cache/venv/bin/python');

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

suite('Local target', function () {
  this.timeout(600_000);
  let specUri: vscode.Uri;

  suiteSetup(async () => {
    assert.ok(existsSync(python), `${python} exists (bash scripts/ensure-venv.sh)`);
    assert.ok(vscode.workspace.isTrusted, 'the e2e workspace is trusted');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'sagemaker-hf-e2e-local-'));
    const model = path.join(tmp, 'bert-tiny');
    await promisify(execFile)(python, [path.join(repo, 'test/tools/make_tiny_model.py'), model], { timeout: 300_000 });
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'a workspace folder is open');
    specUri = vscode.Uri.joinPath(ws.uri, 'e2e-local.sagemaker-hf.json');
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
            padding: 'dynamic',
            maxLength: 64,
            limit: 200,
          },
          training: {
            entryPoint: 'train.py',
            sourceDir: '../training-scripts',
            baseJobName: 'e2e-local',
            instanceType: 'local',
            instanceCount: 1,
            hyperparameters: {
              epochs: 1,
              train_batch_size: 32,
              eval_batch_size: 64,
              learning_rate: 5e-4,
              model_id: model,
              fp16: false,
              warmup_steps: 0,
              logging_steps: 2,
            },
          },
        },
        null,
        2,
      ),
    );
    // No Python chosen: discovery must find the workspace's environment (<workspace>/../.cache/venv).
    assert.equal(
      vscode.workspace.getConfiguration('sagemakerHf').get('pythonPath') || undefined,
      undefined,
      'no sagemakerHf.pythonPath',
    );
    assert.ok(
      existsSync(path.join(ws.uri.fsPath, '..', '.cache', 'venv', 'bin', 'python')),
      'the workspace copy has ../.cache/venv',
    );
  });

  test('train locally from a spec, see the output, deploy locally, predict, delete', async () => {
    const a = await api();
    const t0 = Date.now();
    // The same action as the CodeLens and the editor's ▷ button: the spec says "local", so it trains here.
    const job = (await vscode.commands.executeCommand('sagemakerHf.startTraining', specUri)) as
      { jobName: string; status: string; modelArtifact?: string; python: string } | undefined;
    assert.ok(job, 'the command returned the job (an error would have been reported instead)');
    assert.equal(job.status, 'Completed');
    assert.equal(
      job.python,
      path.join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '..', '.cache', 'venv', 'bin', 'python'),
      'the workspace venv was found',
    );
    metric('local.trainLocally.ms', Date.now() - t0);

    // The job's output channel received train.py's lines, metrics included.
    const channels = a.services.jobChannels as unknown as { lines?(job: string): string[]; has(job: string): boolean };
    assert.ok(channels.has(job.jobName), 'the job has an output channel');
    assert.ok(channels.lines, 'JobChannels keeps a copy of the lines');
    const lines = channels.lines(job.jobName);
    assert.ok(
      lines.some((l) => l.includes('[metrics]') && l.includes('eval_accuracy=')),
      `metrics lines in the channel: ${lines.slice(-5).join(' | ')}`,
    );
    assert.ok(lines.some((l) => l.includes(`${job.jobName} Completed`)));

    // The Training Jobs tree lists it as a completed local job.
    const jobRow = await waitFor(
      async () => (await treeNodes(a, 'jobs')).find((n) => (n.node as { jobName?: string }).jobName === job.jobName),
      10_000,
      'the local job in the tree',
    );
    assert.equal(jobRow.item.contextValue, 'job.local.Completed');
    // A narrow side bar shows the row's start only: the time in the name, then the status first.
    assert.match(String(jobRow.item.label), /^\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.match(String(jobRow.item.description), /^Completed · /);
    // Newest first, local and SageMaker jobs together.
    const created = (await treeNodes(a, 'jobs'))
      .map((n) => (n.node as { createdMs?: number }).createdMs)
      .filter((t): t is number => typeof t === 'number');
    assert.deepEqual(
      created,
      [...created].sort((x, y) => y - x),
      'jobs sorted newest first',
    );
    assert.equal(
      ((await treeNodes(a, 'jobs'))[0]!.node as { jobName?: string }).jobName,
      job.jobName,
      'the new job is on top',
    );

    // The Deploy action on a local job node: sagemakerHf.deployEndpoint hands it to the local target.
    const t1 = Date.now();
    const deploying = vscode.commands.executeCommand('sagemakerHf.deployEndpoint', jobRow.node) as Thenable<
      { url: string; name: string; port: number; token?: string } | undefined
    >;
    // Delete Endpoint while that deploy is under way: it says a deploy is in progress (not "deploy one first").
    await new Promise((r) => setTimeout(r, 1000));
    const w = vscode.window as unknown as Record<'showErrorMessage' | 'showQuickPick', unknown>;
    const keep = { showErrorMessage: w.showErrorMessage, showQuickPick: w.showQuickPick };
    const said: string[] = [];
    w.showErrorMessage = async (message: string) => {
      said.push(message);
      return undefined;
    };
    w.showQuickPick = async () => {
      said.push('(a quick pick of endpoints)');
      return undefined;
    };
    try {
      await vscode.commands.executeCommand('sagemakerHf.deleteEndpoint');
    } finally {
      Object.assign(w, keep);
    }
    assert.equal(said.length, 1, said.join(' | '));
    assert.match(said[0]!, /^Delete endpoint failed: a deploy is in progress \(.*locally\)/);
    const endpoint = await deploying;
    assert.ok(endpoint, 'deployEndpoint returned the local endpoint');
    metric('local.deploy.ms', Date.now() - t1);
    assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const epRow = await waitFor(
      async () => (await treeNodes(a, 'endpoints')).find((n) => n.item.label === endpoint.name),
      10_000,
      'the local endpoint in the tree',
    );
    assert.equal(epRow.item.contextValue, 'endpoint.local.InService');

    const result = await httpPredictor(endpoint.url, 'e2e local', { token: endpoint.token }).predict(
      'Winter is coming and it will be dark soon.',
    );
    assert.equal(result.predictions.length, 1);
    assert.ok(EMOTIONS.includes(result.predictions[0]![0]!.label), `an emotion label: ${JSON.stringify(result.raw)}`);

    // Delete Endpoint on a local node asks first (a modal: answered here, the GUI scenario clicks it).
    const win = vscode.window as unknown as { showWarningMessage: unknown };
    const saved = win.showWarningMessage;
    const asked: { message: string; modal: boolean; items: string[] }[] = [];
    let answer: string | undefined;
    win.showWarningMessage = async (message: string, opts: vscode.MessageOptions, ...items: string[]) => {
      asked.push({ message, modal: opts?.modal === true, items });
      return answer;
    };
    try {
      await vscode.commands.executeCommand('sagemakerHf.deleteEndpoint', epRow.node);
      assert.equal(asked.length, 1, 'one confirmation');
      assert.ok(asked[0]!.modal, 'modal');
      assert.equal(asked[0]!.message, `Delete local endpoint ${endpoint.name}?`);
      assert.deepEqual(asked[0]!.items, ['Keep Endpoint', 'Delete']);
      assert.equal(await portOpen(endpoint.port), true, 'declined: the server still runs');
      answer = 'Delete';
      await vscode.commands.executeCommand('sagemakerHf.deleteEndpoint', epRow.node);
    } finally {
      win.showWarningMessage = saved;
    }
    assert.equal(await portOpen(endpoint.port), false, 'the server is gone');
    assert.equal(
      (await treeNodes(a, 'endpoints')).find((n) => n.item.label === endpoint.name),
      undefined,
    );
  });

  test('Stop during local training ends the process group; the run is reported stopped, never failed', async () => {
    const a = await api();
    const win = vscode.window as unknown as Record<
      'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage',
      unknown
    >;
    const saved = {
      showInformationMessage: win.showInformationMessage,
      showWarningMessage: win.showWarningMessage,
      showErrorMessage: win.showErrorMessage,
    };
    const asked: { kind: string; message: string }[] = [];
    for (const kind of Object.keys(saved) as (keyof typeof saved)[]) {
      win[kind] = async (message: string, ...rest: unknown[]) => {
        asked.push({ kind, message });
        return rest.includes('Stop Job') ? 'Stop Job' : undefined;
      };
    }
    try {
      const before = new Set((await treeNodes(a, 'jobs')).map((n) => String(n.item.label)));
      const run = vscode.commands.executeCommand('sagemakerHf.startTraining', specUri) as Thenable<
        { status: string } | undefined
      >;
      const row = await waitFor(
        async () =>
          (await treeNodes(a, 'jobs')).find(
            (n) => !before.has(String(n.item.label)) && n.item.contextValue === 'job.local.InProgress',
          ),
        180_000,
        'the new job running',
      );
      // The record gets its pid once the script's process starts (a moment after InProgress): wait for it,
      // so "no process left" below is always checked.
      const pidOf = (n: unknown) => (n as { job?: { pid?: number } }).job?.pid;
      const withPid = await waitFor(
        async () =>
          (await treeNodes(a, 'jobs')).find((n) => n.item.label === row.item.label && (pidOf(n.node) ?? 0) > 1),
        60_000,
        'the running job with its pid',
      );
      const pid = pidOf(withPid.node)!;
      await vscode.commands.executeCommand('sagemakerHf.stopTrainingJob', row.node);
      const result = await run;
      assert.equal(result, undefined, 'a stopped run returns nothing (cancelled)');
      const stopped = await waitFor(
        async () =>
          (await treeNodes(a, 'jobs')).find(
            (n) => n.item.label === row.item.label && n.item.contextValue === 'job.local.Stopped',
          ),
        30_000,
        'the job marked Stopped',
      );
      assert.ok(stopped);
      assert.throws(() => process.kill(-pid, 0), "no process of the job's group is left");
      // Nothing reports later either.
      await new Promise((r) => setTimeout(r, 5000));
    } finally {
      Object.assign(win, saved);
    }
    assert.deepEqual(
      asked.filter((q) => q.kind === 'showErrorMessage' || /failed/i.test(q.message)).map((q) => q.message),
      [],
    );
    assert.ok(
      asked.some((q) => /Local training .* stopped\./.test(q.message)),
      asked.map((q) => q.message).join(' | '),
    );
  });
});
