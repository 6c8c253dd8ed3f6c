// In the real editor: a spec with two instances and no distribution shows a warning on
// "instanceCount" (source "SageMaker HF"), the quick fix "Add "distribution": ..." inserts the setting, and
// the warning goes away. The checks Start runs show while editing: an instance-type typo and a spot wait
// below the runtime are errors on their fields, and fixing one takes its error away.
import * as assert from 'node:assert/strict';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { api, waitFor } from './util';

suite('spec diagnostics', function () {
  this.timeout(120_000);

  test('multi-instance without distribution: warning on instanceCount, quick fix adds torch_distributed', async () => {
    await api();
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'a workspace folder is open');
    const example = JSON.parse(
      readFileSync(vscode.Uri.joinPath(ws.uri, 'emotion.sagemaker-hf.json').fsPath, 'utf8'),
    ) as { training: Record<string, unknown> };
    const training: Record<string, unknown> = {
      ...example.training,
      compiler: 'torch-compile',
      instanceType: 'ml.g5.12xlarge',
      instanceCount: 2,
    };
    for (const k of ['transformersVersion', 'pytorchVersion', 'pyVersion']) delete training[k];
    const uri = vscode.Uri.joinPath(ws.uri, 'e2e-diagnostics.sagemaker-hf.json');
    writeFileSync(uri.fsPath, JSON.stringify({ ...example, training }, null, 2));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const ours = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'SageMaker HF');
    const [diag] = await waitFor(() => (ours().length ? ours() : undefined), 30_000, 'the distribution warning');
    assert.equal(doc.getText(diag!.range), '"instanceCount": 2');
    assert.equal(diag!.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(diag!.message, /"distribution": "torch_distributed"/);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      diag!.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Add "distribution": "torch_distributed"');
    assert.ok(fix?.edit, `quick fix offered (got: ${actions.map((a) => a.title).join(', ')})`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.match(doc.getText(), /"instanceCount": 2,\n\s*"distribution": "torch_distributed"/);
    await waitFor(() => (ours().length === 0 ? true : undefined), 30_000, 'the warning to go away');
    await doc.save();
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('the checks Start runs, while editing: instance-type typo and spot wait below the runtime, on their fields', async () => {
    await api();
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'a workspace folder is open');
    const example = JSON.parse(
      readFileSync(vscode.Uri.joinPath(ws.uri, 'emotion.sagemaker-hf.json').fsPath, 'utf8'),
    ) as { training: Record<string, unknown> };
    const training = {
      ...example.training,
      instanceType: 'ml.p3.2xlarg',
      maxRuntimeInSeconds: 3600,
      spot: { maxWaitSeconds: 600 },
    };
    const uri = vscode.Uri.joinPath(ws.uri, 'e2e-start-checks.sagemaker-hf.json');
    writeFileSync(uri.fsPath, JSON.stringify({ ...example, training }, null, 2));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const errors = () =>
      vscode.languages
        .getDiagnostics(uri)
        .filter((d) => d.source === 'SageMaker HF' && d.severity === vscode.DiagnosticSeverity.Error);
    const found = await waitFor(() => (errors().length === 2 ? errors() : undefined), 30_000, 'two errors');
    const [typo, wait] = found;
    assert.equal(doc.getText(typo!.range), '"instanceType": "ml.p3.2xlarg"');
    assert.equal(
      typo!.message,
      "'ml.p3.2xlarg' is not a SageMaker training instance type; did you mean ml.p3.2xlarge?",
    );
    assert.equal(doc.getText(wait!.range), '"maxWaitSeconds": 600');
    assert.match(wait!.message, /set maxWaitSeconds to at least 3600/);
    const at = doc.getText().indexOf('"ml.p3.2xlarg"') + '"ml.p3.2xlarg'.length;
    assert.ok(await editor.edit((e) => e.insert(doc.positionAt(at), 'e')));
    const left = await waitFor(() => (errors().length === 1 ? errors() : undefined), 30_000, 'the typo error to go');
    assert.equal(doc.getText(left[0]!.range), '"maxWaitSeconds": 600');
    await doc.save();
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // Other suites list the workspace's specs: this one would be a faulty extra.
    unlinkSync(uri.fsPath);
  });
});
