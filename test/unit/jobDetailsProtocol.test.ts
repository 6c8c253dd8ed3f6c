// The job details message protocol: both sides drop anything that is not a well-formed message, and
// metric records become chart points without NaN (JSON cannot carry it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyMetricsText, isFromPage, isToPage, toPoints } from '../../src/webview/jobDetailsProtocol';
import { parseMetricsLine } from '../../src/core/training/metrics';

const STATE = {
  status: 'Completed',
  detail: '',
  facts: [{ title: 'Overview', rows: [{ label: 'ARN', value: 'arn:x', code: true }] }],
  actions: { deploy: true, stop: false, arn: 'arn:x' },
};

test('records from [metrics] lines become points; NaN and missing metrics become null; no step, no point', () => {
  const records = [
    '[metrics] step=10 epoch=0.1 loss=0.91 learning_rate=2e-05',
    '[metrics] step=20 epoch=0.2 loss=nan learning_rate=1.9e-05',
    '[metrics] epoch=1.0 eval_accuracy=0.9',
    '[metrics] step=30 epoch=1.0 eval_loss=0.31 eval_accuracy=0.912',
  ].map((l) => parseMetricsLine(l)!);
  assert.deepEqual(toPoints(records), [
    { step: 10, loss: 0.91, eval_loss: null, learning_rate: 2e-5, eval_accuracy: null, epoch: 0.1 },
    { step: 20, loss: null, eval_loss: null, learning_rate: 1.9e-5, eval_accuracy: null, epoch: 0.2 },
    { step: 30, loss: null, eval_loss: 0.31, learning_rate: null, eval_accuracy: 0.912, epoch: 1 },
  ]);
  const msg = JSON.parse(
    JSON.stringify({ type: 'init', job: 'j', ...STATE, status: 'InProgress', points: toPoints(records) }),
  );
  assert.ok(isToPage(msg), 'a JSON round trip keeps the message valid');
});

test('page-bound messages are validated field by field', () => {
  const point = { step: 1, loss: 0.5, eval_loss: null, learning_rate: null, eval_accuracy: null, epoch: null };
  assert.ok(isToPage({ type: 'append', points: [point] }));
  assert.ok(isToPage({ type: 'status', ...STATE }));
  assert.ok(!isToPage({ type: 'status', status: 'Completed', detail: '' }), 'facts and actions are required');
  assert.ok(
    !isToPage({ type: 'status', ...STATE, facts: [{ title: 'x', rows: [{ label: 'a', value: 1 }] }] }),
    'a fact value must be text',
  );
  assert.ok(!isToPage({ type: 'append', points: [{ ...point, loss: 'x' }] }), 'a string where a number belongs');
  assert.ok(!isToPage({ type: 'append', points: [{ ...point, step: Infinity }] }));
  assert.ok(!isToPage({ type: 'append', points: [{ step: 1 }] }), 'missing keys');
  assert.ok(!isToPage({ type: 'init', job: 1, status: '', detail: '', points: [] }));
  assert.ok(!isToPage({ type: 'eval', code: 'alert(1)' }));
  assert.ok(!isToPage(null));
});

test('extension-bound messages: only ready and the page actions, nothing extra', () => {
  assert.ok(isFromPage({ type: 'ready' }));
  for (const type of ['showLogs', 'deploy', 'stop', 'copyArn']) assert.ok(isFromPage({ type }), type);
  assert.ok(!isFromPage({ type: 'copyArn', arn: 'arn:evil' }), 'the ARN comes from the extension, not the page');
  assert.ok(!isFromPage({ type: 'showLogs', job: '../../etc' }), 'no smuggled fields');
  assert.ok(!isFromPage({ type: 'runCommand' }));
  assert.ok(!isFromPage('ready'));
});

test('no metrics: a finished job says it printed none; a running one says they are coming', () => {
  for (const status of ['Completed', 'Failed', 'Stopped', 'Local job: Completed']) {
    assert.match(
      emptyMetricsText(status),
      /finished \((Completed|Failed|Stopped)\) and printed no \[metrics\] lines/,
      status,
    );
  }
  for (const status of ['InProgress', 'Local job: InProgress', 'Unknown', ''])
    assert.match(emptyMetricsText(status), /^No metrics yet/, status);
});
