import type * as vscode from 'vscode';
import type { ConnectionManager } from './connectionManager';
import type { ExplorerTree } from './tree/tree';
import type { JobChannels } from './jobChannels';
import type { SpecsTree } from './specs/specsTree';
import type { Ui } from './window';

/** What every feature module gets at activation. */
export interface Services {
  context: vscode.ExtensionContext;
  /** The extension's own diagnostics (LogOutputChannel "SageMaker HF"). */
  log: vscode.LogOutputChannel;
  connection: ConnectionManager;
  tree: ExplorerTree;
  specs: SpecsTree;
  jobChannels: JobChannels;
  /** Pickers and messages (vscode.window, or a fake in unit tests). */
  ui: Ui;
}
