// The "Dataset ready" row at the top of the Datasets section: the last prepare of this workspace that
// finished, where its files are and a click that opens its report. The notification saying the same
// fades after a few seconds; this row stays (in workspace state, so a window reload keeps it too) until
// the next prepare replaces it.
import * as vscode from 'vscode';
import { InfoNode } from '../tree/tree';

export interface DatasetReady {
  prefix: string;
  rows: number[];
  /** s3://bucket/prefix/ once uploaded, else the local folder. */
  where: string;
  createdAt: string;
  reportPath: string;
}

const KEY = 'sagemakerHf.datasetReady';

/** The row's words: what is ready first (the sidebar cuts the end of a long row), then where. */
export function readyRow(r: DatasetReady): { label: string; description: string; tooltip: string } {
  const rows = r.rows.map((n) => n.toLocaleString('en-US')).join(' / ');
  return {
    label: `Dataset ready: ${r.prefix}`,
    description: `${rows} rows · ${r.where}`,
    tooltip: `${r.prefix}: ${rows} rows at ${r.where}, prepared ${r.createdAt}. Click to open its report (${r.reportPath}).`,
  };
}

export async function rememberReady(
  context: Pick<vscode.ExtensionContext, 'workspaceState'>,
  r: DatasetReady,
): Promise<void> {
  await context.workspaceState.update(KEY, r);
}

/** The row, when a prepare of this workspace finished and its report file is still there. */
export function readyNode(
  context: Pick<vscode.ExtensionContext, 'workspaceState'>,
  exists: (file: string) => boolean,
): InfoNode | undefined {
  const r = context.workspaceState.get<DatasetReady>(KEY);
  if (!r || typeof r.reportPath !== 'string' || !Array.isArray(r.rows) || !exists(r.reportPath)) return undefined;
  const { label, description, tooltip } = readyRow(r);
  return new InfoNode(label, description, {
    icon: 'pass',
    tooltip,
    contextValue: 'dataset.ready',
    command: {
      command: 'sagemakerHf.openDatasetReport',
      title: 'Open Dataset Report',
      arguments: [{ reportPath: r.reportPath }],
    },
  });
}
