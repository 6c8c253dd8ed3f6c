// The examples a predictions panel offers (and Evaluate scores), when its endpoint's own spec gives none:
// those of the first workspace spec whose dataset is local files. Shared by SageMaker and local endpoints.
import * as vscode from 'vscode';
import { errorLine } from '../../core/errors';
import { loadSpecFile } from '../../workflow/specFile';
import { examplesFromSpec, type LabelledExample } from '../../workflow/dataset/testExamples';

/** Examples and label names from the first workspace spec whose dataset is local files. */
export async function workspaceExamples(
  log: vscode.LogOutputChannel,
): Promise<{ examples: LabelledExample[]; labelNames?: string[] }> {
  const files = await vscode.workspace.findFiles('**/*.sagemaker-hf.json', '**/node_modules/**', 20);
  let labelNames: string[] | undefined;
  for (const f of files) {
    try {
      const spec = await loadSpecFile(f.fsPath);
      labelNames ??= spec.dataset.labelNames;
      const examples = await examplesFromSpec(spec);
      if (examples.length) return { examples, labelNames: spec.dataset.labelNames };
    } catch (err) {
      log.debug(`examples from ${f.fsPath}: ${errorLine(err)}`);
    }
  }
  return { examples: [], labelNames };
}
