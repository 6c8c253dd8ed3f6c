// Helpers for the e2e suites (no test here: build-tests bundles this into each *.test.js that imports it).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Polls until fn returns something defined, or fails with `what` after timeoutMs. */
export async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Records a measured figure: printed as "[e2e-metric] name=value" (run.sh collects these lines from the
 * forwarded extension-host console) and appended to $SAGEMAKER_HF_E2E_OUTPUT/metrics.jsonl when set.
 */
export function metric(name: string, value: string | number): void {
  console.log(`[e2e-metric] ${name}=${value}`);
  const dir = process.env.SAGEMAKER_HF_E2E_OUTPUT;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), JSON.stringify({ name, value }) + '\n');
}
