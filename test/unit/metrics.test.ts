import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricDefinitions, parseMetricsLine } from '../../src/core/training/metrics';
import { accuracyBesideBaseline, majorityBaseline } from '../../src/core/training/baseline';
import { plannedSteps, progressText, StepMeter } from '../../src/core/training/stepProgress';

test('metrics lines parse, with or without a timestamp before them', () => {
  assert.deepEqual(parseMetricsLine('[metrics] step=120 epoch=0.5 loss=0.5123 learning_rate=2.5e-05'), {
    step: 120,
    epoch: 0.5,
    loss: 0.5123,
    learning_rate: 2.5e-5,
  });
  assert.deepEqual(
    parseMetricsLine('2026-11-26 10:00:00,123 - train - INFO - [metrics] step=667 eval_accuracy=0.912 eval_loss=nan'),
    { step: 667, eval_accuracy: 0.912, eval_loss: NaN },
  );
  assert.equal(parseMetricsLine('loss=0.5 without the prefix'), undefined);
  assert.equal(parseMetricsLine('[metrics] nothing here'), undefined);
});

test('MetricDefinitions regexes capture the same values as the parser', () => {
  const line = '[metrics] step=10 epoch=0.25 loss=1.25e-01 learning_rate=3e-05';
  const defs = metricDefinitions();
  const loss = defs.find((d) => d.Name === 'loss')!;
  assert.equal(new RegExp(loss.Regex).exec(line)?.[1], '1.25e-01');
  const lr = defs.find((d) => d.Name === 'learning_rate')!;
  assert.equal(new RegExp(lr.Regex).exec(line)?.[1], '3e-05');
  assert.equal(
    new RegExp(defs.find((d) => d.Name === 'eval_loss')!.Regex).exec(line),
    null,
    'loss does not match eval_loss',
  );
});

test('the majority baseline: the training split’s most frequent label, scored on the test split (emotion: joy, 0.3475)', () => {
  const names = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
  const split = (channel: string, counts: number[]) => ({
    channel,
    rows: counts.reduce((a, b) => a + b, 0),
    labelCounts: Object.fromEntries(names.map((n, i) => [n, counts[i]!])),
  });
  // The emotion dataset's label counts (../shared/data/emotion, train and test).
  const report = {
    labelNames: names,
    splits: [split('test', [581, 695, 159, 275, 224, 66]), split('train', [4666, 5362, 1304, 2159, 1937, 572])],
  } as unknown as Parameters<typeof majorityBaseline>[0];
  const b = majorityBaseline(report);
  assert.deepEqual(b, { label: 'joy', accuracy: 695 / 2000, evalChannel: 'test' });
  assert.equal(accuracyBesideBaseline(0.859, b), "eval_accuracy 0.859 (majority baseline 0.347: always 'joy' on test)");
  // The 400-row run this replaced: below always answering joy, and said so.
  assert.match(accuracyBesideBaseline(0.295, b), /majority baseline 0.347.*the model has not learned/);
  // The majority is taken on train, not on the split scored: a test split dominated by another label
  // does not move the label, only the figure.
  const skewed = {
    ...report,
    splits: [split('train', [1, 5, 0, 0, 0, 0]), split('test', [9, 1, 0, 0, 0, 0])],
  } as unknown as typeof report;
  assert.deepEqual(majorityBaseline(skewed), { label: 'joy', accuracy: 0.1, evalChannel: 'test' });
  assert.equal(majorityBaseline({ labelNames: names, splits: [] }), undefined);
});

test('step progress while training: the planned steps, the step reached and the samples per second', () => {
  // The main job: 16,000 rows, batch 64, one epoch.
  assert.equal(plannedSteps(16_000, { train_batch_size: 64, epochs: 1 }), 250);
  assert.equal(plannedSteps(300, { train_batch_size: 8, epochs: 1, max_steps: 1200 }), 1200);
  assert.equal(plannedSteps(0, { train_batch_size: 64 }), undefined);
  const meter = new StepMeter(64, 250);
  assert.equal(progressText(meter.step(25, 10_000)), 'step 25/250 (10%)');
  // 25 steps of 64 in 2 s: 800 samples/s.
  assert.equal(progressText(meter.step(50, 12_000)), 'step 50/250 (20%), 800 samples/s');
  // A restart logs a lower step: the rate is kept until two new steps are seen.
  assert.equal(progressText(meter.step(10, 13_000)), 'step 10/250 (4%), 800 samples/s');
});
