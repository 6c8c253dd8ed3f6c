// Runs the habits check (lint: format, ESLint, import rules, unused code, room sizes) and then the test
// layers (unit, integration, python, e2e) and prints one closing "N passed, N failed" line.
// Usage: node scripts/test-all.mjs [lint|unit|integration|python|e2e ...]   (no argument: all of them)
// Every layer installs what it needs (venv, code-server, chromium) into .cache/ on first use; in CI a
// missing prerequisite fails the run instead of being skipped.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCounts, plainCounts, pytestCounts } from './testCounts.mjs';

const all = ['lint', 'unit', 'integration', 'python', 'e2e'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const w of wanted)
  if (!all.includes(w)) {
    console.error(`unknown layer '${w}' (one of ${all.join(', ')})`);
    process.exit(2);
  }

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    const onData = (stream) => (d) => {
      out += d;
      stream.write(d);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

function listTests(dir, suffix) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) found.push(...listTests(p, suffix));
    else if (e.endsWith(suffix)) found.push(p);
  }
  return found.sort();
}

const results = [];
async function layer(name, fn) {
  const t0 = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = await fn();
  const failed = r.failed + (r.code !== 0 && r.failed === 0 ? 1 : 0);
  results.push({
    name,
    passed: r.passed,
    failed,
    skipped: r.skipped ?? 0,
    seconds: (Date.now() - t0) / 1000,
    code: r.code,
  });
}

// The habits come first: a formatting or import-rule violation fails the run before minutes of tests.
if (wanted.includes('lint')) {
  await layer('lint', async () => {
    const r = await run(process.execPath, ['scripts/lint.mjs']);
    return { ...r, ...plainCounts(r.out) };
  });
}

console.log('=== build ===');
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
execFileSync('npm', ['run', '--silent', 'compile-tests'], { stdio: 'inherit' });

const nodeTest = async (dir, extra = []) => {
  const files = listTests(dir, '.test.js');
  if (files.length === 0) return { code: 1, passed: 0, failed: 1, out: '' };
  const r = await run(process.execPath, ['--test', '--test-reporter=spec', ...extra, ...files], {
    env: { ...process.env },
  });
  return { ...r, ...nodeCounts(r.out) };
};

// The Python environment (.cache/venv) is used by the integration layer (local target, Hub stand-in
// data) as well as by pytest, so it is made before either runs; a failure fails the run.
let venvReady = true;
if (wanted.some((w) => ['integration', 'python', 'e2e'].includes(w))) {
  console.log('\n=== python environment ===');
  venvReady = (await run('bash', ['scripts/ensure-venv.sh'])).code === 0;
  if (!venvReady) results.push({ name: 'python-env', passed: 0, failed: 1, seconds: 0, code: 1 });
}

for (const name of wanted) {
  if (name === 'unit') await layer('unit', () => nodeTest('out/test/unit'));
  if (name === 'integration')
    await layer('integration', () => nodeTest('out/test/integration', ['--test-concurrency=1']));
  if (name === 'python') {
    await layer('python', async () => {
      if (!venvReady) return { code: 1, passed: 0, failed: 1 };
      const r = await run('.cache/venv/bin/python', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'test/python'], {
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      return { ...r, ...pytestCounts(r.out) };
    });
  }
  if (name === 'e2e') {
    await layer('e2e', async () => {
      const r = await run('bash', ['test/e2e/run.sh']);
      return { ...r, ...plainCounts(r.out) };
    });
  }
}

console.log('\n=== summary ===');
let passed = 0,
  failed = 0,
  skipped = 0;
for (const r of results) {
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped ?? 0;
  console.log(
    `${r.name.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped ?? 0).padStart(3)} skipped  ${r.seconds.toFixed(1)} s${r.code !== 0 ? `  (exit ${r.code})` : ''}`,
  );
}
// Skips are counted aloud: a skipped test checked nothing.
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && results.every((r) => r.code === 0) ? 0 : 1);
