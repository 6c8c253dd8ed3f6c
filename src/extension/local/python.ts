// Which Python local runs use, and the ways to change it: the setting, the spec, the editor's selected
// interpreter, a workspace virtual environment, the extension's own environment, PATH; Select Python
// and Create Environment when none will do.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError, errorLine, isCancelled } from '../../core/errors';
import type { JobSpec } from '../../core/spec/spec';
import {
  checkPython,
  createVenv,
  describeSource,
  resolvePython,
  withPythonFixes,
  workspaceVenvDirs,
  type PythonCheck,
} from '../../workflow/local/pythonEnv';
import type { Services } from '../services';
import { readSettings, updateSetting } from '../settings';
import { toAbortSignal } from '../ui';
import { requireTrust } from './trust';

/**
 * The interpreter chosen in the editor: the Python extension's active environment when it is installed,
 * else python.defaultInterpreterPath when set to something other than its default "python".
 */
async function editorInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<{
    environments?: { getActiveEnvironmentPath(r?: vscode.Uri): { path: string } };
  }>('ms-python.python');
  if (ext) {
    try {
      const api = ext.isActive ? ext.exports : await ext.activate();
      const p = api?.environments?.getActiveEnvironmentPath(resource)?.path;
      if (p && p !== 'python') return p;
    } catch {
      /* an older or broken Python extension: fall back to its setting */
    }
  }
  const configured = vscode.workspace.getConfiguration('python', resource).get<string>('defaultInterpreterPath');
  return configured && configured.trim() && configured.trim() !== 'python' ? configured.trim() : undefined;
}

/**
 * The Python to use, found in order: the setting, the spec, the editor's selected interpreter, a
 * workspace virtual environment, the extension's own environment, PATH (each checked in seconds).
 * When none will do, throws the error that offers Select Python / Create Environment (withPythonFixes).
 */
export async function findPython(
  services: Services,
  venvDir: string,
  spec: JobSpec | undefined,
  signal: AbortSignal,
  forFile?: string,
): Promise<PythonCheck> {
  const wsFolder =
    (forFile ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(forFile)) : undefined) ??
    vscode.workspace.workspaceFolders?.[0];
  const from = spec?.file ? path.dirname(spec.file) : forFile ? path.dirname(forFile) : wsFolder?.uri.fsPath;
  const opts = {
    setting: readSettings().pythonPath,
    specPython: spec?.training.pythonPath,
    specDir: spec?.file ? path.dirname(spec.file) : undefined,
    interpreter: await editorInterpreter(wsFolder?.uri),
    workspaceVenvs: from && wsFolder ? workspaceVenvDirs(from, path.dirname(wsFolder.uri.fsPath)) : [],
    venvDirs: [venvDir, ...(wsFolder ? [path.join(wsFolder.uri.fsPath, '.sagemaker-hf', 'venv')] : [])],
    signal,
  };
  try {
    const py = await resolvePython(opts);
    services.log.info(
      `local Python: ${py.python} (${describeSource(py.source)}; Python ${py.version}, torch ${py.packages.torch}, transformers ${py.packages.transformers})`,
    );
    return py;
  } catch (err) {
    if (isCancelled(err) || signal.aborted) throw err;
    // Thrown, not shown here: the progress ends at once, and register() shows the error with its buttons
    // and runs the command that asked again once Select Python or Create Environment succeeds.
    const fixed = withPythonFixes(err);
    if (fixed !== err) services.log.warn(errorLine(err));
    throw fixed;
  }
}

/**
 * Select Python: the Python extension's picker when installed, else a file dialog saved in the setting.
 * True when a Python was chosen (the command that asked for one then resumes), false when dismissed.
 */
export async function selectPython({ ui }: Services): Promise<boolean> {
  if (vscode.extensions.getExtension('ms-python.python')) {
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const before = await editorInterpreter(resource);
    await vscode.commands.executeCommand('python.setInterpreter');
    const after = await editorInterpreter(resource);
    return after !== undefined && after !== before;
  }
  const picked = await ui.showOpenDialog({
    title: 'Select the Python for local training (with torch and transformers)',
    openLabel: 'Use This Python',
    canSelectMany: false,
    canSelectFolders: false,
  });
  const file = picked?.[0]?.fsPath;
  if (!file) return false;
  const check = await checkPython({ python: file, source: 'setting' });
  if (!check)
    throw new UserError(
      `${file} does not run as Python: pick the python executable of an environment (for example .venv/bin/python)`,
      'pythonPath',
    );
  await updateSetting('pythonPath', file);
  if (check.missing.length) {
    void ui.showWarningMessage(
      `Saved sagemakerHf.pythonPath = ${file}, but it lacks ${check.missing.join(', ')}: install them (pip install -r training-scripts/requirements.txt).`,
    );
    return false;
  }
  void ui.showInformationMessage(`Local runs use ${file} (Python ${check.version}, torch ${check.packages.torch}).`);
  return true;
}

/** A virtual environment in the extension's storage with training-scripts/requirements.txt installed. */
export async function createEnvironment(
  services: Services,
  venvDir: string,
  scriptsDir: string,
  basePython?: string,
): Promise<PythonCheck> {
  requireTrust('Creating the local Python environment');
  const out = services.log;
  return services.ui.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Creating the local Python environment',
      cancellable: true,
    },
    async (progress, token) => {
      out.show(true);
      const check = await createVenv({
        venvDir,
        requirements: path.join(scriptsDir, 'requirements.txt'),
        basePython,
        signal: toAbortSignal(token),
        onLine: (l) => {
          out.info(`[pip] ${l}`);
          if (l.trim()) progress.report({ message: l.slice(0, 120) });
        },
      });
      void services.ui.showInformationMessage(
        `Local Python environment ready: Python ${check.version}, torch ${check.packages.torch}, transformers ${check.packages.transformers}.`,
      );
      return check;
    },
  );
}
