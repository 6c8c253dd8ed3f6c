// The pickers and messages features use, behind one small interface: a command's factory reaches the
// window through ctx.ui, so its logic runs in plain Node with a fake (see test/unit/). The real one reads
// vscode.window on every call, so whatever is installed there at that moment answers (the e2e suite
// answers modals that way).
import * as vscode from 'vscode';

const UI_CALLS = [
  'showQuickPick',
  'showInputBox',
  'showInformationMessage',
  'showWarningMessage',
  'showErrorMessage',
  'withProgress',
  'showOpenDialog',
] as const;

export type Ui = Pick<typeof vscode.window, (typeof UI_CALLS)[number]>;

export const windowUi = Object.defineProperties(
  {},
  Object.fromEntries(UI_CALLS.map((name) => [name, { enumerable: true, get: () => vscode.window[name] }])),
) as Ui;
