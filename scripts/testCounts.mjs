// Reads the closing counts (passed, failed, skipped) of each test runner's output, for the summary of
// scripts/test-all.mjs: node's test runner, pytest, and the plain "N passed, N failed[, N skipped]" line of
// test/e2e/run.sh. Skips are counted so a summary never hides that a test checked nothing.
export function nodeCounts(out) {
  const pass = [...out.matchAll(/^[ℹ#] pass (\d+)/gm)].pop();
  const fail = [...out.matchAll(/^[ℹ#] fail (\d+)/gm)].pop();
  const skip = [...out.matchAll(/^[ℹ#] (?:skipped|todo) (\d+)/gm)].map((m) => +m[1]);
  // skipped and todo lines come in pairs at the end of each run: the last pair is the run's.
  const skipped = skip.length >= 2 ? skip.at(-2) + skip.at(-1) : (skip[0] ?? 0);
  return { passed: pass ? +pass[1] : 0, failed: fail ? +fail[1] : 0, skipped };
}
export function pytestCounts(out) {
  // "-q" ends with "28 passed, 1 failed in 61.14s (0:01:01)"; without -q the same line is framed by "=".
  const line = [...out.matchAll(/^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s\b.*$/gm)].pop();
  const get = (w) => {
    const m = line && new RegExp(`(\\d+) ${w}\\b`).exec(line[1]);
    return m ? +m[1] : 0;
  };
  return {
    passed: get('passed'),
    failed: get('failed') + get('error') + get('errors'),
    skipped: get('skipped') + get('xfailed'),
  };
}
export function plainCounts(out) {
  const m = [...out.matchAll(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm)].pop();
  return { passed: m ? +m[1] : 0, failed: m ? +m[2] : 0, skipped: m?.[3] ? +m[3] : 0 };
}
