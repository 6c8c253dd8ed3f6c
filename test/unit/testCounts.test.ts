// The summary of scripts/test-all.mjs counts skips of every layer (a skipped test checked nothing), read
// from the real closing lines of node's test runner, pytest and test/e2e/run.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}
type Reader = (out: string) => Counts;
const load = async () =>
  (await import(pathToFileURL(path.resolve(__dirname, '../../../scripts/testCounts.mjs')).href)) as {
    nodeCounts: Reader;
    pytestCounts: Reader;
    plainCounts: Reader;
  };

test('node, pytest and the plain line: skips counted', async () => {
  const { nodeCounts, pytestCounts, plainCounts } = await load();
  const node = [
    'ℹ tests 9',
    'ℹ suites 0',
    'ℹ pass 6',
    'ℹ fail 1',
    'ℹ cancelled 0',
    'ℹ skipped 2',
    'ℹ todo 0',
    'ℹ duration_ms 5',
  ];
  assert.deepEqual(nodeCounts(node.join('\n')), { passed: 6, failed: 1, skipped: 2 });
  assert.deepEqual(nodeCounts(node.map((l) => l.replace('ℹ', '#')).join('\n')), { passed: 6, failed: 1, skipped: 2 });
  assert.deepEqual(pytestCounts('....s\n28 passed, 1 failed, 3 skipped in 61.14s (0:01:01)\n'), {
    passed: 28,
    failed: 1,
    skipped: 3,
  });
  assert.deepEqual(plainCounts('  ✔ a\n12 passed, 0 failed, 1 skipped\n'), { passed: 12, failed: 0, skipped: 1 });
  assert.deepEqual(plainCounts('12 passed, 0 failed\n'), { passed: 12, failed: 0, skipped: 0 });
});
