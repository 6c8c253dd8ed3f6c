// Compiles every test file (and the e2e suite entry) to out/ with esbuild: one CommonJS file per test,
// source bundled, npm packages (and vscode) left external. Type checking is `npm run check-types`.
import * as esbuild from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const entries = walk('test').filter(
  (f) =>
    /\.test\.ts$/.test(f) ||
    /test[\\/]e2e[\\/]suite[\\/]index\.ts$/.test(f) ||
    /test[\\/](bench|tools)[\\/][^\\/]+\.ts$/.test(f),
);
rmSync('out', { recursive: true, force: true });
await esbuild.build({
  entryPoints: entries,
  outdir: 'out',
  outbase: '.',
  bundle: true,
  packages: 'external',
  external: ['vscode'],
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
});
console.log(`compiled ${entries.length} test files to out/`);
