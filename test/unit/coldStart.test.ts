// Cold starts of serverless endpoints: which request counts as one, and the latency kept apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COLD_START_IDLE_MS,
  formatLatencySplit,
  isColdStart,
  splitLatencies,
} from '../../src/core/endpoints/coldStart';

test('the first request, and the first after the idle line, are cold starts', () => {
  assert.equal(isColdStart(undefined, 1000), true);
  assert.equal(isColdStart(1000, 1000 + COLD_START_IDLE_MS - 1), false);
  assert.equal(isColdStart(1000, 1000 + COLD_START_IDLE_MS), true);
});

test('cold and warm latencies are summarised apart; nothing shown without a cold start', () => {
  const s = splitLatencies([
    { latencyMs: 2400, coldStart: true },
    { latencyMs: 80 },
    { latencyMs: 100 },
    { latencyMs: 90 },
    { latencyMs: 3000, coldStart: true },
  ]);
  assert.deepEqual(s, { coldCount: 2, coldMedianMs: 2700, warmCount: 3, warmMedianMs: 90 });
  assert.equal(formatLatencySplit(s), 'cold starts: 2, median 2700 ms · warm: 3, median 90 ms');
  assert.equal(formatLatencySplit(splitLatencies([{ latencyMs: 80 }])), undefined);
  assert.equal(
    formatLatencySplit(splitLatencies([{ latencyMs: 1500, coldStart: true }])),
    'cold start: 1, median 1500 ms · warm: 0',
  );
});
