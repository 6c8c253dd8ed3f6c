// The pickers and messages features use, behind one small interface: a command's factory reaches the
// window through ctx.ui, so its logic runs in plain Node with a fake (see test/unit/). The real one reads
// vscode.window on every call, so whatever is installed there at that moment answers (the e2e suite
// answers modals that way).
import * as vscode from 'vscode';
import { redactedText } from './redacting';

const UI_CALLS = [
  'showQuickPick',
  'showInputBox',
  'showInformationMessage',
  'showWarningMessage',
  'showErrorMessage',
  'withProgress',
  'showOpenDialog',
  'createQuickPick',
  'createInputBox',
] as const;

export type Ui = Pick<typeof vscode.window, (typeof UI_CALLS)[number]>;

const MESSAGES: readonly string[] = ['showInformationMessage', 'showWarningMessage', 'showErrorMessage'];

/** A message call whose text and modal detail are redacted (whatever they quote: an echoed AWS error). */
const redactingMessage =
  (show: (...args: unknown[]) => unknown) =>
  (message: string, ...rest: unknown[]) =>
    show(
      redactedText(message),
      ...rest.map((r) =>
        r && typeof r === 'object' && typeof (r as { detail?: unknown }).detail === 'string'
          ? { ...r, detail: redactedText((r as { detail: string }).detail) }
          : r,
      ),
    );

export const windowUi = Object.defineProperties(
  {},
  Object.fromEntries(
    UI_CALLS.map((name) => [
      name,
      {
        enumerable: true,
        get: () =>
          MESSAGES.includes(name)
            ? redactingMessage(vscode.window[name] as (...args: unknown[]) => unknown)
            : vscode.window[name],
      },
    ]),
  ),
) as Ui;
