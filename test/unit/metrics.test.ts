import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricDefinitions, parseMetricsLine } from '../../src/core/training/metrics';

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
