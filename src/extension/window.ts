// The pickers and messages features use, behind one small interface: a command's factory reaches the
// window through ctx.ui, so its logic runs in plain Node with a fake (see test/unit/). The real one reads
// vscode.window on every call, so whatever is installed there at that moment answers (the e2e suite
// answers modals that way).
import * as vscode from 'vscode';

export type Ui = Pick<
  typeof vscode.window,
  | 'showQuickPick'
  | 'showInputBox'
  | 'showInformationMessage'
  | 'showWarningMessage'
  | 'showErrorMessage'
  | 'withProgress'
  | 'showOpenDialog'
>;

export const windowUi: Ui = {
  get showQuickPick() {
    return vscode.window.showQuickPick;
  },
  get showInputBox() {
    return vscode.window.showInputBox;
  },
  get showInformationMessage() {
    return vscode.window.showInformationMessage;
  },
  get showWarningMessage() {
    return vscode.window.showWarningMessage;
  },
  get showErrorMessage() {
    return vscode.window.showErrorMessage;
  },
  get withProgress() {
    return vscode.window.withProgress;
  },
  get showOpenDialog() {
    return vscode.window.showOpenDialog;
  },
};
