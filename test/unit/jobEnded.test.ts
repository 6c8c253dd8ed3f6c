// The notification when a tailed SageMaker training job ends, run in plain Node over the stand-in vscode
// module: a completion offers Deploy (the usual deploy command on that job, so its modal and price come
// first), the job page and the logs; a failure offers the logs; an old completion is not news.
import { fakeVscode, scriptedUi } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { announceJobEnd } from '../../src/extension/training/jobEnded';

const commands = fakeVscode.commands as unknown as { executeCommand: (...a: unknown[]) => Promise<unknown> };
function recordCommands(): unknown[][] {
  const calls: unknown[][] = [];
  commands.executeCommand = async (...a: unknown[]) => void calls.push(a);
  return calls;
}

const now = Date.parse('2026-12-07T12:00:00Z');
const ended = (minutesAgo: number) =>
  ({ TrainingJobStatus: 'Completed', TrainingEndTime: new Date(now - minutesAgo * 60_000) }) as never;

test('a completed job offers Deploy, which runs the deploy command on that SageMaker job', async () => {
  const calls = recordCommands();
  const { ui, asked } = scriptedUi({ message: () => 'Deploy' });
  let logs = 0;
  await announceJobEnd(ui as never, 'job-1', 'Completed', ended(2), () => logs++, now);
  assert.equal(asked.length, 1);
  assert.equal(asked[0]!.kind, 'info');
  assert.equal(asked[0]!.message, 'Training job job-1 completed.');
  assert.deepEqual(asked[0]!.items, ['Deploy', 'Open Details', 'Show Logs']);
  assert.deepEqual(calls, [['sagemakerHf.deployEndpoint', { jobName: 'job-1', local: false }]]);
  assert.equal(logs, 0);
});

test('the other buttons: Open Details opens the job page, Show Logs the logs, dismissing does nothing', async () => {
  for (const [answer, expected, logsShown] of [
    ['Open Details', [['sagemakerHf.openJobDetails', 'job-1']], 0],
    ['Show Logs', [], 1],
    [undefined, [], 0],
  ] as const) {
    const calls = recordCommands();
    const { ui } = scriptedUi({ message: () => answer });
    let logs = 0;
    await announceJobEnd(ui as never, 'job-1', 'Completed', ended(2), () => logs++, now);
    assert.deepEqual(calls, expected, `answered ${answer}`);
    assert.equal(logs, logsShown, `answered ${answer}`);
  }
});

test('a job that ended over an hour ago, or stopped, is not announced; a failure names its reason and offers the logs', async () => {
  const calls = recordCommands();
  const quiet = scriptedUi({ message: () => 'Deploy' });
  await announceJobEnd(quiet.ui as never, 'job-1', 'Completed', ended(61), () => undefined, now);
  await announceJobEnd(quiet.ui as never, 'job-1', 'Stopped', ended(1), () => undefined, now);
  assert.equal(quiet.asked.length, 0);
  const failed = scriptedUi({ message: () => 'Show Logs' });
  let logs = 0;
  await announceJobEnd(
    failed.ui as never,
    'job-2',
    'Failed',
    { FailureReason: 'AlgorithmError: boom' } as never,
    () => logs++,
    now,
  );
  assert.equal(failed.asked[0]!.kind, 'error');
  assert.equal(failed.asked[0]!.message, 'Training job job-2 failed: AlgorithmError: boom');
  assert.deepEqual(failed.asked[0]!.items, ['Show Logs']);
  assert.equal(logs, 1);
  assert.deepEqual(calls, []);
});
