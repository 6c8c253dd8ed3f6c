// In the real editor: a spec with two instances and no distribution shows a warning on
// "instanceCount" (source "SageMaker HF"), the quick fix "Add "distribution": ..." inserts the setting, and
// the warning goes away.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
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
});
