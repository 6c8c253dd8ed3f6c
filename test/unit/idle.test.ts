// The idle rules: the last request from Invocations sums, the lower bound when the window holds none,
// the threshold, and the line shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIdleDuration, idleHours, idleStateOf, idleText } from '../../src/core/endpoints/idle';
import { idleLine } from '../../src/workflow/endpoints/idle';

const H = 3600_000;
const now = new Date('2026-12-07T12:00:00Z');
const windowStart = new Date(now.getTime() - 24 * H);

test('the last request is the latest period with a positive sum, in any order', () => {
  const s = idleStateOf(
    {
      timestamps: [new Date(now.getTime() - 6 * H), new Date(now.getTime() - 1 * H), new Date(now.getTime() - 3 * H)],
      values: [4, 0, 2],
    },
    undefined,
    windowStart,
  );
  assert.equal(s.lastRequest?.toISOString(), new Date(now.getTime() - 3 * H).toISOString());
  assert.equal(s.atLeast, false);
  // idle from the end of that 5-minute period
  assert.equal(s.idleSince.getTime(), now.getTime() - 3 * H + 300_000);
  assert.ok(Math.abs(idleHours(s, now, 2)! - (3 - 1 / 12)) < 1e-9);
  assert.equal(idleHours(s, now, 3), undefined);
});

test('no data in the window: idle at least since the window start, or since creation when later', () => {
  const old = idleStateOf({ timestamps: [], values: [] }, new Date(now.getTime() - 100 * H), windowStart);
  assert.equal(old.atLeast, true);
  assert.equal(old.idleSince.getTime(), windowStart.getTime());
  assert.match(idleText(old, idleHours(old, now, 2)!, '$5.00'), /^idle for at least 24 h, \$5\.00 in that time$/);
  const fresh = idleStateOf({ timestamps: [], values: [] }, new Date(now.getTime() - 1 * H), windowStart);
  assert.equal(fresh.atLeast, false);
  assert.equal(idleHours(fresh, now, 2), undefined);
  const newish = idleStateOf({ timestamps: [], values: [] }, new Date(now.getTime() - 3 * H), windowStart);
  assert.equal(idleText(newish, idleHours(newish, now, 2)!, undefined), 'idle 3 h');
});

test('the line carries the labelled sum of the idle hours', () => {
  const state = idleStateOf(
    { timestamps: [new Date(now.getTime() - 5 * H - 300_000)], values: [1] },
    undefined,
    windowStart,
  );
  const hours = idleHours(state, now, 2)!;
  assert.equal(
    idleLine(
      { name: 'e', state, hours },
      { amount: 0.74, unit: 'hour', source: 'offline-table', region: 'us-east-1' },
      1,
    ),
    'idle 5 h, about $3.70 (offline table (us-east-1 prices)) since its last request',
  );
  assert.equal(formatIdleDuration(0.5), '30 min');
  assert.equal(formatIdleDuration(50), '2 d 2 h');
});
