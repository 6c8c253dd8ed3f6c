// A multi-step quick input: each step is one input box or quick pick showing "n/total" and a Back
// button (from step 2), as VS Code's multi-step sample does, instead of separate pickers that each
// start over. runSteps walks the steps (Back returns to the one before, keeping what was entered);
// a closed step (Escape, focus lost) ends the walk as cancelled, which the caller says.
import * as vscode from 'vscode';
import type { Ui } from '../window';

export const BACK = Symbol('back');
/** A step's answer: its value, BACK, or undefined when the user closed it. */
export type StepAnswer<T> = T | typeof BACK | undefined;
export type Step<S> = (state: S, step: number, total: number) => Promise<StepAnswer<Partial<S>>>;

/**
 * Runs `steps` over `state` in order; BACK goes one step back (never before the first), undefined ends
 * it. `total(state)` may change as answers come (serverless asks concurrency, instances a count).
 */
export async function runSteps<S>(state: S, steps: Step<S>[], total = steps.length): Promise<S | undefined> {
  let i = 0;
  while (i < steps.length) {
    const answer = await steps[i]!(state, i + 1, total);
    if (answer === undefined) return undefined;
    if (answer === BACK) {
      i = Math.max(0, i - 1);
      continue;
    }
    state = { ...state, ...answer };
    i++;
  }
  return state;
}

interface StepOptions {
  title: string;
  step: number;
  total: number;
  placeholder?: string;
}

function backButtons(step: number): vscode.QuickInputButton[] {
  return step > 1 ? [vscode.QuickInputButtons.Back] : [];
}

/** One input box step: the accepted text (checked by `validate`), BACK, or undefined when closed. */
export function askInput(
  ui: Ui,
  o: StepOptions & { value?: string; prompt?: string; validate?: (v: string) => string | undefined },
): Promise<StepAnswer<string>> {
  const box = ui.createInputBox();
  Object.assign(box, {
    title: o.title,
    step: o.step,
    totalSteps: o.total,
    value: o.value ?? '',
    prompt: o.prompt,
    placeholder: o.placeholder,
    ignoreFocusOut: true,
    buttons: backButtons(o.step),
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: StepAnswer<string>) => {
      if (done) return;
      done = true;
      resolve(v);
      box.dispose();
    };
    box.onDidChangeValue((v) => (box.validationMessage = o.validate?.(v)));
    box.onDidAccept(() => {
      const problem = o.validate?.(box.value);
      if (problem) box.validationMessage = problem;
      else finish(box.value);
    });
    box.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    box.onDidHide(() => finish(undefined));
    box.show();
  });
}

/** One quick pick step: the chosen item, BACK, or undefined when closed. `active` is highlighted first. */
export function askPick<T extends vscode.QuickPickItem>(
  ui: Ui,
  o: StepOptions & { items: T[]; active?: T; matchOnDetail?: boolean },
): Promise<StepAnswer<T>> {
  const pick = ui.createQuickPick<T>();
  Object.assign(pick, {
    title: o.title,
    step: o.step,
    totalSteps: o.total,
    placeholder: o.placeholder,
    ignoreFocusOut: true,
    matchOnDetail: o.matchOnDetail ?? false,
    buttons: backButtons(o.step),
    items: o.items,
  });
  if (o.active) pick.activeItems = [o.active];
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: StepAnswer<T>) => {
      if (done) return;
      done = true;
      resolve(v);
      pick.dispose();
    };
    pick.onDidAccept(() => pick.selectedItems[0] && finish(pick.selectedItems[0]));
    pick.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && finish(BACK));
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
