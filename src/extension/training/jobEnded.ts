// The notification when a tailed SageMaker training job ends: a failure with its reason and Show Logs;
// a completion with the next steps as buttons (Deploy, the job page, the logs), as the local completion
// offers Deploy Locally. Deploy runs the usual deploy command on the job, so its pickers and its modal
// with the price come before anything is created.
import * as vscode from 'vscode';
import type { JobDescription } from '../../workflow/jobLogTail';
import type { Ui } from '../window';

/** Only a job that ended this recently is news; re-reading an old job's end is not. */
const NEWS_MS = 3600_000;

export const COMPLETED_ACTIONS = ['Deploy', 'Open Details', 'Show Logs'] as const;

/** Says that `job` ended, with the buttons that carry on from there; resolves once a button ran (or none). */
export async function announceJobEnd(
  ui: Ui,
  job: string,
  status: string,
  desc: JobDescription | undefined,
  showLogs: () => void,
  now = Date.now(),
): Promise<void> {
  if (status === 'Failed') {
    const c = await ui.showErrorMessage(
      `Training job ${job} failed: ${desc?.FailureReason ?? 'no reason given'}`,
      'Show Logs',
    );
    if (c) showLogs();
    return;
  }
  if (status !== 'Completed' || !desc || now - new Date(desc.TrainingEndTime ?? 0).getTime() >= NEWS_MS) return;
  const c = await ui.showInformationMessage(`Training job ${job} completed.`, ...COMPLETED_ACTIONS);
  if (c === 'Show Logs') showLogs();
  else if (c === 'Open Details') await vscode.commands.executeCommand('sagemakerHf.openJobDetails', job);
  // The same argument as the job row's Deploy button: a SageMaker job by name.
  else if (c === 'Deploy')
    await vscode.commands.executeCommand('sagemakerHf.deployEndpoint', { jobName: job, local: false });
}
