// Foundation in the real VS Code extension host (code-server, Node extension host): activation, the
// contributed commands, connecting to AWS (moto, through AWS_ENDPOINT_URL given to code-server by
// test/e2e/run.sh), the connection at the root of the tree, the Job Specs view and schema diagnostics.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension/extension';
import { EXTENSION_ID, api, waitFor } from './util';

suite('foundation', () => {
  test('the extension activates lazily and returns its API', async () => {
    const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
    // Lazy: nothing activated it before suite/index.ts did (it records the timings); activate() again
    // must hand back the same API.
    assert.equal(
      (globalThis as { sagemakerHfActiveAtStart?: boolean }).sagemakerHfActiveAtStart,
      false,
      'the extension was already active when the tests started (an eager activation event?)',
    );
    const exports = await ext.activate();
    assert.ok(ext.isActive, 'the extension is not active after activate()');
    assert.ok(exports?.services?.connection, 'activate() returned no services');
    assert.ok(
      exports.services.tree && exports.services.specs && exports.services.jobChannels,
      'activate() returned incomplete services',
    );
    assert.equal(typeof exports.activationMs, 'number');
    assert.ok(exports.activationMs > 0 && exports.activationMs < 10_000, `activationMs ${exports.activationMs}`);
    // Loading the shell must not pull in dist/heavy.js (AWS SDK, transformers.js): a top-level use of a core
    // export in src/extension (e.g. a class extending one) would, and activation would cost ~200 ms more.
    const afterRequire = (globalThis as { sagemakerHfBundlesAfterRequire?: string }).sagemakerHfBundlesAfterRequire;
    if (afterRequire !== undefined)
      assert.doesNotMatch(
        afterRequire,
        /heavy\.js/,
        `dist/heavy.js was loaded by require(extension.js): ${afterRequire}`,
      );
  });

  test('every command contributed in package.json is registered', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await api();
    const pkg = JSON.parse(fs.readFileSync(path.join(ext.extensionPath, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string }[] };
    };
    const contributed = pkg.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 20, `only ${contributed.length} commands contributed`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('Connect to AWS (moto) sets the connection and shows it at the root of the tree', async () => {
    const { services } = await api();
    assert.ok(
      process.env.AWS_ENDPOINT_URL,
      'AWS_ENDPOINT_URL is not set in the extension host (run.sh sets it for code-server)',
    );
    const result = (await vscode.commands.executeCommand('sagemakerHf.connect')) as { account?: string } | undefined;
    const conn = services.connection.current;
    assert.ok(conn, `not connected after sagemakerHf.connect: ${services.connection.lastError ?? 'no error recorded'}`);
    assert.equal(conn.account, '123456789012');
    assert.equal(result?.account, '123456789012');
    assert.equal(conn.region, 'us-east-1');
    assert.equal(conn.bucket, 'sagemaker-us-east-1-123456789012');
    const roots = await services.tree.getChildren();
    const items = await Promise.all(roots.map(async (n) => n.treeItem()));
    const row = items.find((i) => i.contextValue === 'connection');
    assert.ok(row, `no connection row among the tree roots: ${items.map((i) => i.label).join(', ')}`);
    assert.equal(row.description, '123456789012');
    assert.match(String(row.label), /us-east-1/);
    const root = roots[items.indexOf(row)];
    const kids = await Promise.all((((await root.children?.()) ?? []) as typeof roots).map(async (n) => n.treeItem()));
    const bucket = kids.find((k) => k.label === 'Default bucket');
    assert.equal(bucket?.description, 's3://sagemaker-us-east-1-123456789012');
    await vscode.commands.executeCommand('sagemakerHf.explorer.focus');
    await waitFor(
      () => services.tree.visible || undefined,
      10_000,
      'the SageMaker view did not become visible after sagemakerHf.explorer.focus',
    );
  });

  test('the Job Specs view lists the example spec', async () => {
    const { services } = await api();
    await vscode.commands.executeCommand('sagemakerHf.specs.focus');
    const uris = await services.specs.getChildren();
    const names = uris.map((u) => path.basename(u.fsPath));
    assert.ok(names.includes('emotion.sagemaker-hf.json'), `Job Specs lists ${JSON.stringify(names)}`);
    const item = services.specs.getTreeItem(uris[names.indexOf('emotion.sagemaker-hf.json')]);
    assert.equal(item.label, 'emotion');
    assert.equal(item.contextValue, 'spec');
  });

  test('an invalid spec file gets schema diagnostics (jsonValidation) naming the field', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder open');
    const uri = vscode.Uri.joinPath(folder.uri, 'broken.sagemaker-hf.json');
    const bad = {
      version: 1,
      dataset: { source: 'dair-ai/emotion', padding: 'sometimes', maxLength: 'long' },
      training: { instanceCount: 0 },
    };
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(JSON.stringify(bad, null, 2)));
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.languageId, 'json');
      await vscode.window.showTextDocument(doc);
      const diags = await waitFor(
        () => {
          const d = vscode.languages.getDiagnostics(uri);
          return d.length > 0 ? d : undefined;
        },
        30_000,
        'no diagnostics for broken.sagemaker-hf.json',
      );
      const messages = diags.map((d) => d.message).join(' | ');
      // The schema's enum for padding must be reported on the "padding" value.
      const padding = diags.find((d) => doc.getText(d.range).includes('sometimes'));
      assert.ok(padding, `no diagnostic on the padding value; got: ${messages}`);
      assert.ok(
        diags.some((d) => doc.getText(d.range).includes('long')),
        `no diagnostic on maxLength; got: ${messages}`,
      );
      // The valid example has none.
      const good = vscode.Uri.joinPath(folder.uri, 'emotion.sagemaker-hf.json');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(good));
      await new Promise((r) => setTimeout(r, 1500));
      const goodDiags = vscode.languages
        .getDiagnostics(good)
        .filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      assert.deepEqual(
        goodDiags.map((d) => d.message),
        [],
        'the example spec has schema errors',
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(uri);
    }
  });
});
