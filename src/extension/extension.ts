// Activation registers commands, the trees and the status bar item, and reads settings. It makes no AWS
// call and loads no heavy module: those load on first use.
import * as vscode from 'vscode';
import { ConnectionManager } from './connectionManager';
import { registerConnectionCommands } from './connectionCommands';
import { ExplorerTree } from './tree/tree';
import { JobChannels } from './jobChannels';
import { SpecsTree } from './specs/specsTree';
import type { Services } from './services';
import { register } from './commands';
import { windowUi } from './window';
import { activate as activateDatasets } from './dataset/datasets';
import { activate as activateTraining } from './training/training';
import { activate as activateLogs } from './training/logs';
import { activate as activateEndpoints } from './endpoints/endpoints';
import { activate as activateLocal } from './local/local';
import {
  SCAFFOLD_SCRIPT_FILES,
  SCAFFOLD_SOURCE_DIR,
  SCAFFOLD_HUB_SOURCE,
  scaffoldSpecText,
  scriptFilesToCopy,
  withLocalSource,
} from '../core/spec/specScaffold';
import { pickNewSpecSource, type NewSpecSource } from './specs/newSpecSource';
import { registerSpecDiagnostics } from './specs/specDiagnostics';
import { registerPrepareLens } from './specs/prepareLens';
import { readSettings } from './settings';
import { activate as activateProcessing } from './dataset/processing';
import { onAwsNotice } from '../aws/requestNotices';
import { activate as activateWarmPools } from './training/warmPools';
import { redactingChannel, rememberExtensionSecrets } from './redacting';

export interface ExtensionApi {
  services: Services;
  /** Milliseconds activate() took (measured for BENCHMARKS.md). */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const t0 = performance.now();
  const log = redactingChannel(vscode.window.createOutputChannel('SageMaker HF', { log: true }));
  const connection = new ConnectionManager(log, windowUi, context.globalState);
  const tree = new ExplorerTree(() => ({ connected: !!connection.current, rootNode: connection.rootNode() }));
  const specs = new SpecsTree(windowUi);
  const jobChannels = new JobChannels();
  const services: Services = { context, log, connection, tree, specs, jobChannels, ui: windowUi };
  context.subscriptions.push(log, connection, tree, specs, jobChannels);
  context.subscriptions.push(rememberExtensionSecrets(context.secrets, 'sagemakerHf.hubToken'));
  context.subscriptions.push(connection.onDidChange(() => tree.refresh()));
  registerConnectionCommands(services);
  register(services, 'sagemakerHf.refresh', refreshCommand);
  register(services, 'sagemakerHf.openSpec', openSpecCommand);
  register(services, 'sagemakerHf.copyToClipboard', copyToClipboardCommand);
  register(services, 'sagemakerHf.newSpec', newSpecCommand);
  // The request inactivity limit reaches the AWS clients and Hub fetches through the variable they read
  // (importing their module here would load the heavy bundle at activation).
  const applyTimeout = () => {
    const s = vscode.workspace.getConfiguration('sagemakerHf').get<number>('requestTimeoutSeconds');
    if (s && s > 0) process.env.SAGEMAKER_HF_TIMEOUT_SECONDS = String(s);
  };
  applyTimeout();
  // Slow, throttled and retried requests: in the log, and briefly in the status bar; subscribed once the
  // first connection loads the AWS code anyway.
  let noticesOn = false;
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('sagemakerHf.requestTimeoutSeconds')) applyTimeout();
    }),
    connection.onDidChange(() => {
      if (noticesOn || !connection.current) return;
      noticesOn = true;
      context.subscriptions.push({
        dispose: onAwsNotice((n) => {
          log.info(n.message);
          vscode.window.setStatusBarMessage(`$(sync~spin) ${n.message}`, 5000);
        }),
      });
    }),
  );
  activateDatasets(services);
  registerPrepareLens(context);
  activateTraining(services);
  activateLogs(services);
  activateEndpoints(services);
  activateLocal(services);
  registerSpecDiagnostics(context, () => connection.current?.region ?? readSettings().region ?? 'us-east-1');
  activateProcessing(services);
  activateWarmPools(services);
  const activationMs = performance.now() - t0;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return { services, activationMs };
}

const refreshCommand = (s: Services) => () => {
  s.tree.refresh();
  s.specs.refresh();
};
const openSpecCommand = () => (uri?: vscode.Uri) => uri && vscode.window.showTextDocument(uri);
const copyToClipboardCommand = () => async (node?: { label?: string; description?: string }) => {
  const text = node?.description ?? node?.label;
  if (text) await vscode.env.clipboard.writeText(text);
};
const newSpecCommand = (s: Services) => (fileName?: unknown, source?: unknown) => newSpec(s, fileName, source);

// The spec goes into the workspace folder with the training script beside it (training-scripts/, copied
// from the extension unless already there) and a relative sourceDir: see src/core/spec/specScaffold.ts.
// The data: the notebook's Hub dataset or local JSONL / CSV files (pickNewSpecSource). `fileName` (without
// .sagemaker-hf.json) skips the name prompt and, unless `source` names one, the source picker (Hub), for
// callers such as the e2e suite.
async function newSpec({ context, ui }: Services, fileName?: unknown, sourceArg?: unknown): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('open a folder first: spec files live in the workspace');
  const validate = (v: string) => (/^[\w.-]+$/.test(v) ? undefined : 'Letters, digits, dot, dash and underscore only');
  const name =
    typeof fileName === 'string'
      ? fileName
      : await ui.showInputBox({
          title: 'New job spec',
          prompt: 'File name (without .sagemaker-hf.json)',
          value: 'emotion',
          validateInput: validate,
        });
  if (!name) return;
  const invalid = validate(name);
  if (invalid) throw new Error(`spec file name "${name}": ${invalid}`);
  const target = vscode.Uri.joinPath(folder.uri, `${name}.sagemaker-hf.json`);
  if (await exists(target)) throw new Error(`${target.fsPath} already exists`);
  const source: NewSpecSource | undefined =
    sourceArg === 'hub' || (sourceArg && typeof sourceArg === 'object')
      ? (sourceArg as NewSpecSource)
      : typeof fileName === 'string'
        ? 'hub'
        : await pickNewSpecSource(ui, folder.uri, SCAFFOLD_HUB_SOURCE);
  if (!source) return;
  const example = await vscode.workspace.fs.readFile(
    vscode.Uri.joinPath(context.extensionUri, 'examples', 'emotion.sagemaker-hf.json'),
  );
  const scaffolded = scaffoldSpecText(new TextDecoder().decode(example));
  const text = source === 'hub' ? scaffolded : withLocalSource(scaffolded, source);
  const scripts = vscode.Uri.joinPath(folder.uri, SCAFFOLD_SOURCE_DIR);
  const present = new Set<string>();
  for (const f of SCAFFOLD_SCRIPT_FILES) if (await exists(vscode.Uri.joinPath(scripts, f))) present.add(f);
  for (const f of scriptFilesToCopy((file) => present.has(file))) {
    await vscode.workspace.fs.copy(
      vscode.Uri.joinPath(context.extensionUri, 'training-scripts', f),
      vscode.Uri.joinPath(scripts, f),
    );
  }
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(target);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch (err) {
    if (err instanceof vscode.FileSystemError) return false;
    throw err;
  }
}

export function deactivate(): void {}
