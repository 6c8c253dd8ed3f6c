// New Job Spec File: where the new spec's data comes from. A picker offers the notebook's Hub dataset or
// local JSONL / CSV files; for local files, one file picker per split (train, then test), and the spec
// gets them as paths relative to its folder (so the workspace can move), "/" separated as the spec reads
// them on every OS.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Ui } from '../window';

/** 'hub': the example's Hub dataset; otherwise split -> path relative to the spec's folder. */
export type NewSpecSource = 'hub' | Record<string, string>;

const SPLITS = ['train', 'test'] as const;
const FILTERS = { 'JSON Lines or CSV': ['jsonl', 'csv'] };

function relative(specFolder: string, file: string): string {
  const rel = path.relative(specFolder, file).split(path.sep).join('/');
  return rel.startsWith('.') || path.isAbsolute(rel) ? rel : `./${rel}`;
}

/**
 * The source the user picks; undefined when a picker is dismissed (nothing is written then). `hubId`
 * names the example's Hub dataset in the picker.
 */
export async function pickNewSpecSource(
  ui: Ui,
  specFolder: vscode.Uri,
  hubId: string,
): Promise<NewSpecSource | undefined> {
  const hub = { label: `$(cloud) Hub dataset`, description: hubId, detail: 'As the notebook: loaded from the Hub' };
  const local = {
    label: '$(file) Local JSONL or CSV files',
    description: 'a train file and a test file',
    detail: 'Each file: one row per line with a text and a label column',
  };
  const choice = await ui.showQuickPick([hub, local], {
    title: 'New job spec: dataset (1/3)',
    placeHolder: 'Where does the data come from?',
  });
  if (!choice) return undefined;
  if (choice === hub) return 'hub';
  const files: Record<string, string> = {};
  for (const [i, split] of SPLITS.entries()) {
    const picked = await ui.showOpenDialog({
      title: `New job spec: the ${split} file (${i + 2}/3)`,
      openLabel: `Use as ${split}`,
      canSelectMany: false,
      defaultUri: specFolder,
      filters: FILTERS,
    });
    const file = picked?.[0];
    if (!file) return undefined;
    files[split] = relative(specFolder.fsPath, file.fsPath);
  }
  return files;
}
