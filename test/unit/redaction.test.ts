// Every secret the tool knows is redacted on every path text takes to the user: errors (UserError,
// errorLine, describeAwsError of an answer echoing the request), the extension's output channels (the
// main log, a job's channel and its copy), window messages with their detail, reportError, and webview
// posts. Each path is fed the same echoed AWS error.
import { shown } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError, errorLine } from '../../src/core/errors';
import { redactSecrets, rememberEnvironmentSecrets, rememberSecret } from '../../src/core/secrets';
import { describeAwsError } from '../../src/aws/errors';
import { redactedMessage, redactingChannel } from '../../src/extension/redacting';
import { windowUi } from '../../src/extension/window';
import { reportError } from '../../src/extension/ui';
import { JobChannels } from '../../src/extension/jobChannels';
import type * as vscode from 'vscode';

const HF = 'hf_abcdefghijklmnopqrstuvwxyz0123456789';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SESSION = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ';
const STORED = 'a-token-kept-in-secret-storage-42';
rememberEnvironmentSecrets({ AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_SESSION_TOKEN: SESSION });
rememberSecret(STORED);

/** What AWS answers when it quotes the request back. */
const echoed = `1 validation error detected: Value '{"Environment":{"HF_TOKEN":"${HF}","OTHER":"${STORED}"},"Token":"${SESSION}","Key":"${AWS_SECRET}"}' failed to satisfy constraint`;
const awsError = Object.assign(new Error(echoed), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } });

function assertClean(text: string, where: string): void {
  for (const s of [HF, AWS_SECRET, SESSION, STORED])
    assert.ok(!text.includes(s), `${where} leaked ${s.slice(0, 6)}…:\n${text}`);
  assert.match(text, /<redacted>/, `${where} shows where a secret was`);
}

test('core: remembered secrets (with / and +) and secret shapes are redacted; ordinary text is not', () => {
  assertClean(redactSecrets(echoed), 'redactSecrets');
  assert.equal(redactSecrets('Created bucket s3://b and job x-2026'), 'Created bucket s3://b and job x-2026');
  assert.equal(redactSecrets('HF_TOKEN is not set'), 'HF_TOKEN is not set');
  assert.match(redactSecrets('url?X-Amz-Signature=abc123&x=1'), /X-Amz-Signature=<redacted>&x=1/);
  assert.match(redactSecrets(`export HF_TOKEN=${'z'.repeat(12)}`), /HF_TOKEN=<redacted>/);
});

test('errors: UserError, errorLine and describeAwsError of an echoed request', () => {
  assertClean(new UserError(`deploy failed: ${echoed}`).message, 'UserError');
  assertClean(errorLine(new Error(echoed)), 'errorLine');
  assertClean(errorLine(echoed), 'errorLine(string)');
  assertClean(describeAwsError(awsError, { region: 'us-east-1' }, 'Creating model m').message, 'describeAwsError');
});

function recordingChannel() {
  const seen: string[] = [];
  const ch = {
    name: 'fake',
    append: (t: string) => void seen.push(t),
    appendLine: (t: string) => void seen.push(t),
    info: (t: string) => void seen.push(t),
    warn: (t: string) => void seen.push(t),
    error: (t: string | Error) => void seen.push(String(t)),
    debug: (t: string) => void seen.push(t),
    show: () => undefined,
  };
  return { seen, ch: ch as unknown as vscode.LogOutputChannel };
}

test('output channels: the main log and a job channel (and the copy the job page reads)', () => {
  const { seen, ch } = recordingChannel();
  const log = redactingChannel(ch);
  log.info(echoed);
  log.error(echoed);
  log.appendLine(echoed);
  log.append(echoed);
  log.error(new Error(echoed));
  assert.equal(seen.length, 5);
  for (const s of seen) assertClean(s, 'log channel');
  const jobs = new JobChannels();
  jobs.appendLine('job-1', `[algo-1] ${echoed}`);
  jobs.append('job-1', echoed);
  assertClean(jobs.lines('job-1').join('\n'), 'job channel copy');
});

test('window messages (text and modal detail), reportError, webview posts', async () => {
  shown.length = 0;
  await windowUi.showErrorMessage(`Deploy failed: ${echoed}`);
  await windowUi.showWarningMessage('Delete?', { modal: true, detail: echoed }, 'Delete');
  await windowUi.showInformationMessage(echoed);
  const { seen, ch } = recordingChannel();
  await reportError(ch, 'Deploying', awsError);
  assert.equal(shown.length, 4, JSON.stringify(shown));
  for (const m of shown) assertClean(m.message + JSON.stringify(m.items), `${m.kind} message`);
  assert.ok(!JSON.stringify(shown[1]!.items).includes(SESSION), 'the modal detail');
  for (const s of seen) assertClean(s, 'reportError log');
  const post = redactedMessage({ type: 'result', error: echoed, rows: [{ text: echoed, n: 1 }] });
  assertClean(JSON.stringify(post), 'webview post');
  assert.equal(post.rows[0]!.n, 1, 'the rest of the message kept');
});
