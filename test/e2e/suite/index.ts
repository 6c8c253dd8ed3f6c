// Entry point VS Code loads through extensionTestsPath (the test-electron layout): runs every
// *.test.js compiled beside this file with mocha (TDD ui) inside the real extension host.
// To add a suite: create test/e2e/suite/<feature>.test.ts (suite/test from mocha); build-tests compiles it.
import Mocha from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { metric } from './util';

/**
 * Activation figures for BENCHMARKS.md, taken before any suite can activate the extension: loading the
 * bundle (what VS Code does before calling activate; the extension host shares Node's require cache, so
 * activate() then reuses this module), ext.activate() wall time, and activate()'s own activationMs.
 */
async function measureActivation(): Promise<void> {
  const ext = vscode.extensions.getExtension<{ activationMs: number }>('sagemaker-hf.sagemaker-hf');
  if (!ext) return; // the foundation suite fails on this with a clear message
  (globalThis as { sagemakerHfActiveAtStart?: boolean }).sagemakerHfActiveAtStart = ext.isActive;
  if (ext.isActive) {
    metric('activationMs', ext.exports.activationMs.toFixed(1));
    return;
  }
  // Which of the extension's own bundles (dist/*.js) are loaded at each point: the shell is meant to load
  // nothing heavy until a command runs (scripts/build.mjs).
  const loaded = () =>
    Object.keys(require.cache)
      .filter((k) => k.startsWith(path.join(ext.extensionPath, 'dist')))
      .map((k) => path.basename(k))
      .sort()
      .join('+') || 'none';
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the timing of the bundle's own require() is the measure
  require(path.join(ext.extensionPath, String(ext.packageJSON.main)));
  const t1 = performance.now();
  const afterRequire = loaded();
  // Who loads dist/heavy.js during activate(), if anything does: the first stack, for the report.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- patched at run time, so the CommonJS object itself
  const Module = require('node:module') as { prototype: { require: (id: string) => unknown } };
  const original = Module.prototype.require;
  let heavyStack: string | undefined;
  Module.prototype.require = function (this: unknown, id: string) {
    if (!heavyStack && /heavy\.js$/.test(id))
      heavyStack = new Error().stack
        ?.split('\n')
        .slice(2, 9)
        .map((l) => l.trim())
        .join(' < ');
    return original.call(this, id);
  };
  let api: { activationMs: number };
  try {
    api = await ext.activate();
  } finally {
    Module.prototype.require = original;
  }
  const t2 = performance.now();
  metric('bundleRequireMs', (t1 - t0).toFixed(1));
  metric('activateWallMs', (t2 - t1).toFixed(1));
  metric('activationMs', api.activationMs.toFixed(1));
  metric('bundlesLoadedAfterRequire', afterRequire);
  (globalThis as { sagemakerHfBundlesAfterRequire?: string }).sagemakerHfBundlesAfterRequire = afterRequire;
  metric('bundlesLoadedAfterActivate', loaded());
  if (heavyStack) metric('heavyLoadedDuringActivateBy', heavyStack);
}

export async function run(): Promise<void> {
  await measureActivation();
  return runMocha();
}

function runMocha(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: Number(process.env.SAGEMAKER_HF_E2E_TEST_TIMEOUT_MS ?? 60_000),
  });
  const grep = process.env.SAGEMAKER_HF_E2E_GREP;
  if (grep) mocha.grep(grep);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
