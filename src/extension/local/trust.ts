// Local runs execute Python from the workspace: they need a trusted workspace and a folder to keep
// their jobs and endpoints in (.sagemaker-hf/).
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';

export function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new UserError(
      `${what} runs Python code from this workspace, so it needs a trusted workspace: trust it first (Workspaces: Manage Workspace Trust)`,
    );
  }
}

export function workspaceDirOf(uri?: vscode.Uri): string {
  const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder)
    throw new UserError('open a folder first: local jobs and endpoints live in the workspace (.sagemaker-hf/)');
  return folder.uri.fsPath;
}
