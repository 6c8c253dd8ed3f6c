// Browser side of test/e2e/run.sh: drives Debian's chromium (playwright-core) against a running
// code-server and runs (a) the mocha suite out/test/e2e/suite/index.js inside the real extension host
// (?payload= extensionDevelopmentPath + extensionTestsPath; VS Code reports back through
// window.codeAutomationLog / window.codeAutomationExit) and (b) every GUI scenario test/e2e/gui/*.gui.mjs,
// each in a fresh browser context (so a fresh extension host) and a fresh copy of the workspace (so what
// one part leaves behind, e.g. a local job, cannot change what another sees). Prints "N passed, N failed".
// Usage: node test/e2e/runner.mjs --base URL --workspace DIR --repo DIR --out DIR [--only suite|gui] [--grep RE]
// (--workspace: a folder holding examples/, schemas/, training-scripts/; each part opens a copy's examples/)
import { chromium } from 'playwright-core';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { CHROMIUM_ARGS, Workbench, workbenchUrl } from './gui/driver.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const base = args.base,
  template = resolve(args.workspace),
  repo = resolve(args.repo),
  outDir = resolve(args.out);

/** A fresh copy of the workspace template beside it (same relative layout); returns its examples/ folder. */
function freshWorkspace(name) {
  const dir = join(dirname(template), `ws-${name}`);
  cpSync(template, dir, { recursive: true, verbatimSymlinks: true });
  return join(dir, 'examples');
}
const only = args.only;
const grep = args.grep ? new RegExp(args.grep) : undefined;
const SUITE_TIMEOUT_MS = +(process.env.SAGEMAKER_HF_E2E_SUITE_TIMEOUT_MS ?? 600_000);
const GUI_TIMEOUT_MS = +(process.env.SAGEMAKER_HF_E2E_GUI_TIMEOUT_MS ?? 240_000);
const verbose = process.env.SAGEMAKER_HF_E2E_VERBOSE === '1';
mkdirSync(outDir, { recursive: true });

const counts = { passed: 0, failed: 0 };
const timings = {};
const metrics = {};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
  timeout: 60_000,
});

async function runSuite() {
  const entry = join(repo, 'out/test/e2e/suite/index.js');
  if (!existsSync(entry)) {
    console.log(`✖ e2e suite: ${entry} is missing (run node scripts/build-tests.mjs)`);
    counts.failed++;
    return;
  }
  const t0 = Date.now();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  let exit;
  const exited = new Promise((r) => (exit = r));
  let passing = 0,
    failing = 0;
  const log = [];
  await context.exposeFunction('codeAutomationLog', (type, a) => {
    const s = format(...(Array.isArray(a) ? a : [a]));
    log.push(s);
    let m;
    if ((m = /^\s*(\d+) passing/.exec(s))) passing += +m[1];
    if ((m = /^\s*(\d+) failing/.exec(s))) failing += +m[1];
    if ((m = /^\[e2e-metric\] ([\w.-]+)=(.*)$/.exec(s.trim()))) metrics[m[1]] = m[2];
    // mocha's spec reporter lines, failures and our metrics; everything with SAGEMAKER_HF_E2E_VERBOSE=1
    if (
      verbose ||
      /✔|✓|passing|failing|pending|^\s+\d+\) |Error|at .*\.test\.js|^\s+[+-] |\[e2e-metric\]|^\s{2}\S/.test(s)
    )
      console.log(s);
  });
  await context.exposeFunction('codeAutomationExit', (code) => exit(code));
  const page = await context.newPage();
  const url = workbenchUrl(base, {
    folder: freshWorkspace('suite'),
    extensionDevelopmentPath: repo,
    extensionTestsPath: entry,
  });
  console.log(`--- mocha suite in the extension host (${basename(entry)}) ---`);
  let code;
  try {
    await page.goto(url, { timeout: 60_000 });
    code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), SUITE_TIMEOUT_MS))]);
  } catch (err) {
    code = `browser error: ${err.message}`;
  }
  if (code === 'timeout') {
    console.log(
      `✖ e2e suite: no result within ${SUITE_TIMEOUT_MS} ms (set SAGEMAKER_HF_E2E_SUITE_TIMEOUT_MS); last extension-host output:\n${log.slice(-30).join('\n')}`,
    );
    await page.screenshot({ path: join(outDir, 'suite-timeout.png') }).catch(() => undefined);
  }
  counts.passed += passing;
  counts.failed += failing;
  if (code !== 0 && failing === 0) {
    counts.failed++;
    if (code !== 'timeout')
      console.log(
        `✖ e2e suite exited with ${code} and no mocha failure counted (load error?); output:\n${log.slice(-30).join('\n')}`,
      );
  }
  timings.suiteSeconds = (Date.now() - t0) / 1000;
  await context.close().catch(() => undefined);
}

async function runGui() {
  const dir = join(repo, 'test/e2e/gui');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.gui.mjs'))
    .sort();
  console.log(`--- GUI scenarios (${files.length}) ---`);
  for (const f of files) {
    const name = f.replace(/\.gui\.mjs$/, '');
    const mod = await import(pathToFileURL(join(dir, f)).href);
    const title = mod.title ?? name;
    if (grep && !grep.test(`${name} ${title}`)) continue;
    const t0 = Date.now();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    // A scenario records measured figures (metrics.json) in wb.opts.metrics.
    const wb = new Workbench(page, {
      base,
      folder: freshWorkspace(`gui-${name}`),
      repoRoot: repo,
      outDir,
      name,
      metrics,
    });
    let timer;
    try {
      await Promise.race([
        mod.run(wb),
        // A scenario that trains may ask for more time (export const timeoutMs); the env var still wins.
        new Promise((_, reject) => {
          const ms = process.env.SAGEMAKER_HF_E2E_GUI_TIMEOUT_MS
            ? GUI_TIMEOUT_MS
            : Math.max(GUI_TIMEOUT_MS, mod.timeoutMs ?? 0);
          timer = setTimeout(
            () => reject(new Error(`scenario timed out after ${ms} ms (SAGEMAKER_HF_E2E_GUI_TIMEOUT_MS)`)),
            ms,
          );
        }),
      ]);
      counts.passed++;
      console.log(`  ✔ ${name}: ${title} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      counts.failed++;
      const shot = join(outDir, `${name}-failure.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      console.log(
        `  ✖ ${name}: ${title}\n    ${String(err?.stack ?? err)
          .split('\n')
          .slice(0, 6)
          .join('\n    ')}\n    screenshot: ${shot}`,
      );
    } finally {
      clearTimeout(timer);
      timings[`gui.${name}.seconds`] = (Date.now() - t0) / 1000;
      await context.close().catch(() => undefined);
    }
  }
}

try {
  if (only !== 'gui') await runSuite();
  if (only !== 'suite') await runGui();
} catch (err) {
  counts.failed++;
  console.log(`✖ e2e runner: ${err?.stack ?? err}`);
} finally {
  await browser.close().catch(() => undefined);
}
writeFileSync(join(outDir, 'runner.json'), JSON.stringify({ ...counts, timings, metrics }, null, 2));
console.log(`runner: ${counts.passed} passed, ${counts.failed} failed`);
process.exit(counts.failed === 0 && counts.passed > 0 ? 0 : 1);
