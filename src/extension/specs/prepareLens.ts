// "Prepare dataset" as a CodeLens beside "Start training" on spec files (the same line, over the
// "training" key), so the step that comes first is one click away where the spec is edited. It runs the
// Prepare Dataset command on this spec; that command asks where (here or SageMaker) and shows the price
// of anything billable first.
import * as vscode from 'vscode';

const PREPARE_LENS_TITLE = 'Prepare dataset';

class PrepareLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const at = /"training"\s*:/.exec(doc.getText());
    if (!at) return [];
    const range = doc.lineAt(doc.positionAt(at.index).line).range;
    return [
      new vscode.CodeLens(range, {
        title: PREPARE_LENS_TITLE,
        command: 'sagemakerHf.prepareDataset',
        arguments: [doc.uri],
      }),
    ];
  }
}

export function registerPrepareLens(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider({ pattern: '**/*.sagemaker-hf.json' }, new PrepareLens()),
  );
}
