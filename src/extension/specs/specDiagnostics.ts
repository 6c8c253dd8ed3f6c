// Spec-file diagnostics beyond the JSON Schema (src/core/spec/specDiagnostics.ts), with their quick fixes as
// CodeActions: the checks Start runs, as errors on the field they name (an instance-type typo, a spot wait
// below the runtime), and e.g. a warning on "instanceCount" when several instances have no distribution,
// with "Add "distribution": ..." to fix it.
import * as vscode from 'vscode';
import type { SpecProblem } from '../../core/spec/specDiagnostics';

const isSpec = (doc: vscode.TextDocument) => doc.uri.path.endsWith('.sagemaker-hf.json');

/** `region`: the region Start would use (the connection's, else the setting's). */
export function registerSpecDiagnostics(context: vscode.ExtensionContext, region: () => string): void {
  const collection = vscode.languages.createDiagnosticCollection('sagemakerHf.spec');
  const fixes = new WeakMap<vscode.Diagnostic, SpecProblem>();
  const update = async (doc: vscode.TextDocument) => {
    if (!isSpec(doc)) return;
    // The spec parser lives in the lazily loaded part of the extension: loaded on the first spec only.
    const { specProblems } = await import('../../core/spec/specDiagnostics');
    const diagnostics = specProblems(doc.getText(), region()).map((p) => {
      const d = new vscode.Diagnostic(
        new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.end)),
        p.message,
        p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      d.source = 'SageMaker HF';
      d.code = p.code;
      fixes.set(d, p);
      return d;
    });
    collection.set(doc.uri, diagnostics);
  };
  context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument((d) => void update(d)),
    vscode.workspace.onDidChangeTextDocument((e) => void update(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
    vscode.languages.registerCodeActionsProvider(
      { pattern: '**/*.sagemaker-hf.json' },
      {
        provideCodeActions(doc, _range, ctx) {
          return ctx.diagnostics.flatMap((d) => {
            const fix = fixes.get(d)?.fix;
            if (!fix) return [];
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            action.edit = new vscode.WorkspaceEdit();
            action.edit.insert(doc.uri, doc.positionAt(fix.offset), fix.insert);
            action.diagnostics = [d];
            action.isPreferred = true;
            return [action];
          });
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
  // After activation returns: specs already open get their diagnostics too.
  setTimeout(() => vscode.workspace.textDocuments.forEach((d) => void update(d)), 0);
}
