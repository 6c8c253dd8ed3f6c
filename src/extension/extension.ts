// Activation registers commands, the trees and the status bar item, and reads settings. It makes no AWS
// call and loads no heavy module: those load on first use.
import * as vscode from 'vscode';
import { ConnectionManager } from './connectionManager';
import { ExplorerTree } from './tree';
import { JobChannels } from './jobChannels';
import { SpecsTree } from './specsTree';
import type { Services } from './services';
import { command } from './ui';
import { activate as activateDatasets } from './features/datasets';
import { activate as activateTraining } from './features/training';
import { activate as activateLogs } from './features/logs';
import { activate as activateEndpoints } from './features/endpoints';
import { activate as activateLocal } from './features/local';
import { activate as activateWarmPools } from './features/warmPools';

export interface ExtensionApi {
  services: Services;
  /** Milliseconds activate() took (measured for BENCHMARKS.md). */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('SageMaker HF', { log: true });
  const connection = new ConnectionManager(log);
  const tree = new ExplorerTree(() => ({ connected: !!connection.current, rootNode: connection.rootNode() }));
  const specs = new SpecsTree();
  const jobChannels = new JobChannels();
  const services: Services = { context, log, connection, tree, specs, jobChannels };
  context.subscriptions.push(log, connection, tree, specs, jobChannels);
  context.subscriptions.push(
    connection.onDidChange(() => tree.refresh()),
    vscode.commands.registerCommand('sagemakerHf.refresh', () => { tree.refresh(); specs.refresh(); }),
    vscode.commands.registerCommand('sagemakerHf.openSpec', (uri?: vscode.Uri) => uri && vscode.window.showTextDocument(uri)),
    vscode.commands.registerCommand('sagemakerHf.copyToClipboard', async (node?: { label?: string; description?: string }) => {
      const text = node?.description ?? node?.label;
      if (text) await vscode.env.clipboard.writeText(text);
    }),
    vscode.commands.registerCommand('sagemakerHf.newSpec', command(log, 'New job spec', () => newSpec(context))),
  );
  activateDatasets(services);
  activateTraining(services);
  activateLogs(services);
  activateEndpoints(services);
  activateLocal(services);
  activateWarmPools(services);
  const activationMs = performance.now() - t0;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { services, activationMs };
}

async function newSpec(context: vscode.ExtensionContext): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('open a folder first: spec files live in the workspace');
  const name = await vscode.window.showInputBox({ title: 'New job spec', prompt: 'File name (without .sagemaker-hf.json)', value: 'emotion', validateInput: (v) => (/^[\w.-]+$/.test(v) ? undefined : 'Letters, digits, dot, dash and underscore only') });
  if (!name) return;
  const target = vscode.Uri.joinPath(folder.uri, `${name}.sagemaker-hf.json`);
  const example = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, 'examples', 'emotion.sagemaker-hf.json'));
  const text = new TextDecoder().decode(example)
    .replace('"../schemas/sagemaker-hf.schema.json"', JSON.stringify(vscode.Uri.joinPath(context.extensionUri, 'schemas', 'sagemaker-hf.schema.json').toString()))
    .replace('"../training-scripts"', JSON.stringify(vscode.Uri.joinPath(context.extensionUri, 'training-scripts').fsPath));
  try {
    await vscode.workspace.fs.stat(target);
    throw new Error(`${target.fsPath} already exists`);
  } catch (err) {
    if (!(err instanceof vscode.FileSystemError)) throw err;
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target);
}

export function deactivate(): void {}
