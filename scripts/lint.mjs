// `npm run lint`: the habits the test command checks, each a named check with its own verdict —
// format (Prettier), types (tsc: esbuild only strips types, so nothing else checks them, the tests'
// @ts-expect-error lines included), lint (ESLint with typescript-eslint), imports (dependency-cruiser:
// the layer and room rules of .dependency-cruiser.cjs), unused (knip: files, exports, dependencies),
// rooms (no folder under src/ with more than 15 source files side by side, no source file over 500 lines).
// Usage: node scripts/lint.mjs [--fix]   Ends with "N passed, N failed"; exit 1 when any check fails.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { roomProblems } from './rooms.mjs';

const fix = process.argv.includes('--fix');
const bin = (name) => join('node_modules', '.bin', name);
const FORMATTED = ['src/**/*.ts', 'test/**/*.{ts,mjs}', 'scripts/**/*.mjs', 'bench/**/*.mjs', '*.{mjs,cjs,json}'];

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ ok: code === 0, out }));
  });
}

const checks = [
  ['format', () => run(bin('prettier'), [fix ? '--write' : '--check', '--log-level', 'warn', ...FORMATTED])],
  ['types', () => run(bin('tsc'), ['-p', '.', '--noEmit'])],
  ['lint', () => run(bin('eslint'), ['--max-warnings', '0', ...(fix ? ['--fix'] : []), '.'])],
  ['imports', () => run(bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err-long'])],
  ['unused', () => run(bin('knip'), ['--no-progress'])],
  [
    'rooms',
    async () => {
      const problems = roomProblems('src');
      return { ok: problems.length === 0, out: problems.join('\n') };
    },
  ],
];

let passed = 0,
  failed = 0;
for (const [name, check] of checks) {
  const t0 = Date.now();
  const { ok, out } = await check();
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`);
  if (!ok)
    console.log(
      out
        .trim()
        .split('\n')
        .map((l) => `     ${l}`)
        .join('\n'),
    );
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
