// "Job Specs": the *.sagemaker-hf.json files of the workspace, each with its actions (prepare, train,
// run locally). Empty shows the "no spec file" welcome view.
import * as vscode from 'vscode';
import * as path from 'node:path';
import { windowUi, type Ui } from '../window';

export const SPEC_GLOB = '**/*.sagemaker-hf.json';

export class SpecsTree implements vscode.TreeDataProvider<vscode.Uri>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  readonly view: vscode.TreeView<vscode.Uri>;

  constructor(private readonly ui: Ui = windowUi) {
    this.watcher = vscode.workspace.createFileSystemWatcher(SPEC_GLOB);
    this.watcher.onDidCreate(() => this.changed.fire());
    this.watcher.onDidDelete(() => this.changed.fire());
    this.view = vscode.window.createTreeView('sagemakerHf.specs', { treeDataProvider: this });
  }

  async getChildren(element?: vscode.Uri): Promise<vscode.Uri[]> {
    if (element) return [];
    const files = await vscode.workspace.findFiles(SPEC_GLOB, '**/node_modules/**', 200);
    return files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  }

  getTreeItem(uri: vscode.Uri): vscode.TreeItem {
    const item = new vscode.TreeItem(
      path.basename(uri.fsPath).replace(/\.sagemaker-hf\.json$/, ''),
      vscode.TreeItemCollapsibleState.None,
    );
    item.resourceUri = uri;
    // The folder relative to the workspace; nothing for a spec at the root (asRelativePath of the root
    // folder itself would be its absolute path).
    const dir = path.dirname(vscode.workspace.asRelativePath(uri, false));
    item.description = dir === '.' ? undefined : dir;
    item.iconPath = new vscode.ThemeIcon('file-code');
    item.contextValue = 'spec';
    item.tooltip = uri.fsPath;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
    return item;
  }

  refresh(): void {
    this.changed.fire();
  }

  /** A spec file for a command: the argument, the active editor's spec, the only one, or a pick. */
  async pick(arg?: unknown): Promise<vscode.Uri | undefined> {
    if (arg instanceof vscode.Uri) return arg;
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && active.fsPath.endsWith('.sagemaker-hf.json')) return active;
    const all = await this.getChildren();
    if (all.length === 1) return all[0];
    if (all.length === 0) {
      const choice = await this.ui.showWarningMessage(
        'No job spec file (*.sagemaker-hf.json) in this workspace.',
        'New Job Spec File',
      );
      if (choice) await vscode.commands.executeCommand('sagemakerHf.newSpec');
      return undefined;
    }
    const pick = await this.ui.showQuickPick(
      all.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
      { title: 'Job spec' },
    );
    return pick?.uri;
  }

  dispose(): void {
    this.watcher.dispose();
    this.view.dispose();
    this.changed.dispose();
  }
}
