// After Cancel on a start or deploy progress: what still runs and bills, with its price, and a button
// that stops or deletes it: the editor's face of workflow/runs/leftRunning, as cli/leftRunning is the
// terminal's (the same facts the CLI prints after Ctrl-C).
import * as vscode from 'vscode';
import { errorLine } from '../core/errors';
import type { StillRunning } from '../workflow/runs/leftRunning';
import type { Services } from './services';

export const STOP_JOB = 'Stop Job';
export const DELETE_ENDPOINT = 'Delete Endpoint';
export const KEEP_RUNNING = 'Keep Running';

export async function offerToEnd(
  services: Services,
  running: StillRunning | undefined,
  end: () => Promise<string>,
): Promise<void> {
  if (!running) return;
  const button = running.kind === 'training job' ? STOP_JOB : DELETE_ENDPOINT;
  const text = running.line.replace(/ (Stop|Delete) it with: .*$/, '');
  services.log.warn(running.line);
  const choice = await services.ui.showWarningMessage(text, button, KEEP_RUNNING);
  if (choice !== button) {
    services.log.info(`${running.kind} ${running.name} left running (${running.cost})`);
    return;
  }
  try {
    const done = await services.ui.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `${button === STOP_JOB ? 'Stopping' : 'Deleting'} ${running.name}`,
      },
      end,
    );
    services.log.info(done);
    void services.ui.showInformationMessage(done);
  } catch (err) {
    const msg = `${button} ${running.name} failed: ${errorLine(err)}`;
    services.log.error(msg);
    void services.ui.showErrorMessage(msg);
  } finally {
    services.tree.refresh();
  }
}
