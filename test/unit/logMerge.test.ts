// The pure merger, stream cursor and poll scheduler against scripted GetLogEvents pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogMerger, PollScheduler, StreamCursor, instanceOf } from '../../src/core/sagemaker/logMerge';

const ev = (timestamp: number, message: string, ingestionTime = timestamp + 1) => ({
  timestamp,
  message,
  ingestionTime,
});

test('instanceOf reads algo-N from SageMaker stream names', () => {
  assert.equal(instanceOf('job-1/algo-1-1700000000'), 'algo-1');
  assert.equal(instanceOf('job-1/algo-12-1700000000'), 'algo-12');
  assert.equal(instanceOf('job-1/other'), 'other');
});

test('two instances interleave by timestamp with [algo-N] prefixes', () => {
  const m = new LogMerger(2);
  m.add('j/algo-2-1', [ev(2, 'b2'), ev(4, 'b4')]);
  m.add('j/algo-1-1', [ev(1, 'a1'), ev(3, 'a3'), ev(5, 'a5')]);
  assert.deepEqual(
    m.drain().map((l) => l.text),
    ['[algo-1] a1', '[algo-2] b2', '[algo-1] a3', '[algo-2] b4', '[algo-1] a5'],
  );
  assert.deepEqual(m.drain(), [], 'drained lines are not emitted again');
});

test('identical timestamps: instance order first, then arrival order; algo-10 after algo-2', () => {
  const m = new LogMerger(3);
  m.add('j/algo-10-1', [ev(7, 'x10')]);
  m.add('j/algo-2-1', [ev(7, 'x2-first'), ev(7, 'x2-second')]);
  m.add('j/algo-1-1', [ev(7, 'x1')]);
  assert.deepEqual(
    m.drain().map((l) => l.message),
    ['x1', 'x2-first', 'x2-second', 'x10'],
  );
});

test('one instance: no prefix, trailing newline dropped; a second stream turns prefixes on', () => {
  const m = new LogMerger(1);
  m.add('j/algo-1-1', [ev(1, 'hello\n')]);
  assert.deepEqual(
    m.drain().map((l) => l.text),
    ['hello'],
  );
  m.add('j/algo-2-1', [ev(2, 'late')]);
  assert.deepEqual(
    m.drain().map((l) => l.text),
    ['[algo-2] late'],
  );
});

test('cursor follows forward tokens; the same token back means the end for now', () => {
  const c = new StreamCursor('j/algo-1-1', 2);
  let req = c.request();
  assert.deepEqual(req, { startFromHead: true, limit: 2 });
  let r = c.accept(req, { events: [ev(1, 'a'), ev(2, 'b')], nextForwardToken: 'f/2' });
  assert.deepEqual(
    r.fresh.map((e) => e.message),
    ['a', 'b'],
  );
  assert.equal(r.atEnd, false, 'a full page means more may follow');
  req = c.request();
  assert.equal(req.nextToken, 'f/2');
  r = c.accept(req, { events: [ev(3, 'c')], nextForwardToken: 'f/3' });
  assert.equal(r.atEnd, true, 'a short page ends the round');
  assert.equal(r.exhausted, false, 'but only the same token back proves the end');
  req = c.request();
  r = c.accept(req, { events: [], nextForwardToken: 'f/3' });
  assert.deepEqual(r, { fresh: [], atEnd: true, exhausted: true });
  // An empty page with a new token (CloudWatch does that on sparse streams) is not the end.
  r = c.accept(c.request(), { events: [], nextForwardToken: 'f/3b' });
  assert.equal(r.exhausted, false);
  assert.equal(c.request().nextToken, 'f/3b');
});

test('re-read after a lost token skips exactly what was emitted, duplicates of identical lines included', () => {
  const c = new StreamCursor('j/algo-1-1', 100);
  // Two identical lines at ts 5 (same message, same ingestion time), the page cut after the first.
  let r = c.accept(c.request(), { events: [ev(4, 'x'), ev(5, 'same', 9)], nextForwardToken: 'f/2' });
  assert.deepEqual(
    r.fresh.map((e) => e.message),
    ['x', 'same'],
  );
  c.dropToken();
  const req = c.request();
  assert.deepEqual(req, { startFromHead: true, startTime: 5, limit: 100 });
  r = c.accept(req, { events: [ev(5, 'same', 9), ev(5, 'same', 9), ev(6, 'next')], nextForwardToken: 'f/9' });
  assert.deepEqual(
    r.fresh.map((e) => `${e.timestamp}:${e.message}`),
    ['5:same', '6:next'],
    'the second identical line is new, the first is not',
  );
  c.dropToken();
  r = c.accept(c.request(), { events: [ev(6, 'next')], nextForwardToken: 'f/10' });
  assert.deepEqual(r.fresh, [], 'nothing repeats on a second re-read');
});

test('scheduler: fast while lines arrive, gentle growth to the idle ceiling, back to fast on lines', () => {
  const s = new PollScheduler({ fastMs: 1000, idleMaxMs: 15_000, idleFactor: 1.5, random: () => 1 });
  assert.equal(s.next('lines'), 1000);
  const idle = Array.from({ length: 10 }, () => s.next('idle'));
  assert.deepEqual(idle.slice(0, 4), [1500, 2250, 3375, 5063]);
  assert.equal(idle.at(-1), 15_000);
  assert.equal(s.next('lines'), 1000);
  assert.equal(s.next('idle'), 1500);
});

test('scheduler: throttling backs off exponentially with jitter, capped, reset by success', () => {
  const top = new PollScheduler({ fastMs: 1000, backoffMaxMs: 60_000, random: () => 1 });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map(() => top.next('throttled')),
    [2000, 4000, 8000, 16000, 32000, 60000, 60000],
  );
  assert.equal(top.next('lines'), 1000);
  assert.equal(top.next('throttled'), 2000, 'a success resets the backoff');
  const low = new PollScheduler({ fastMs: 1000, random: () => 0 });
  assert.equal(low.next('error'), 1000, 'jitter draws from the upper half of the delay');
});
