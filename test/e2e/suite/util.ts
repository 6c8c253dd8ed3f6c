// Helpers for the e2e suites (no test here: build-tests bundles this into each *.test.js that imports it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension/extension';
import type { Node } from '../../../src/extension/tree/tree';

export const EXTENSION_ID = 'sagemaker-hf.sagemaker-hf';
export const EMOTIONS = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
// out/test/e2e/suite -> the repository (../shared lives beside it, not in the workspace copy).
export const repo = path.resolve(__dirname, '../../../..');
export const shared = path.resolve(repo, '../shared');

/** The extension's API (activating it if needed). */
export async function api(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath wrong?)`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** The nodes of one section of the SageMaker tree, with their tree items. */
export async function treeNodes(a: ExtensionApi, section: string): Promise<{ node: Node; item: vscode.TreeItem }[]> {
  const roots = await a.services.tree.getChildren();
  for (const r of roots) {
    const item = await r.treeItem();
    if (item.contextValue === `section.${section}`) {
      const kids = await a.services.tree.getChildren(r);
      return Promise.all(kids.map(async (node) => ({ node, item: await node.treeItem() })));
    }
  }
  return [];
}

/** Polls until fn returns something defined, or fails with `what` after timeoutMs. */
export async function waitFor<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
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
