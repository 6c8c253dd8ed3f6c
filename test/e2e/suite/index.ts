// Entry point VS Code loads through extensionTestsPath (the test-electron layout): runs every
// *.test.js compiled beside this file with mocha (TDD ui) inside the real extension host.
// To add a suite: create test/e2e/suite/<feature>.test.ts (suite/test from mocha); build-tests compiles it.
import Mocha from 'mocha';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: Number(process.env.SAGEMAKER_HF_E2E_TEST_TIMEOUT_MS ?? 60_000) });
  const grep = process.env.SAGEMAKER_HF_E2E_GREP;
  if (grep) mocha.grep(grep);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
