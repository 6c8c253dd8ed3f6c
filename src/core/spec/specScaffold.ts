// New Job Spec File: the spec and the training script it names go into the workspace, with sourceDir
// relative to the spec, so nothing points into the installed extension's versioned folder (which the next
// upgrade removes). The schema comes from package.json's jsonValidation for *.sagemaker-hf.json, so the
// spec names none.

/** The folder beside the new spec that the training script is copied into (the spec's sourceDir). */
export const SCAFFOLD_SOURCE_DIR = 'training-scripts';

/** What a training job's sourceDir needs from the extension's training-scripts/ (serve.py stays the tool's). */
export const SCAFFOLD_SCRIPT_FILES = ['train.py', 'requirements.txt'] as const;

/**
 * The example spec's text as a workspace spec: the "$schema" line removed and training.sourceDir set to
 * SCAFFOLD_SOURCE_DIR. Edits lines rather than re-serialising, so the example's layout and number
 * spellings (3e-5) stay as written. Throws when the example no longer has the shape this expects.
 */
export function scaffoldSpecText(exampleText: string): string {
  const text = exampleText
    .replace(/^[ \t]*"\$schema"[ \t]*:[ \t]*"[^"\n]*"[ \t]*,?[ \t]*\r?\n/m, '')
    .replace(/("sourceDir"[ \t]*:[ \t]*)"[^"\n]*"/, `$1${JSON.stringify(SCAFFOLD_SOURCE_DIR)}`);
  const parsed = JSON.parse(text) as { $schema?: unknown; training?: { sourceDir?: unknown } };
  if (parsed.$schema !== undefined || parsed.training?.sourceDir !== SCAFFOLD_SOURCE_DIR) {
    throw new Error('the example spec has no "$schema" line or no training.sourceDir to rewrite');
  }
  return text;
}

/** The script files to copy: those the workspace's SCAFFOLD_SOURCE_DIR does not have yet (never overwritten). */
export function scriptFilesToCopy(existsInWorkspace: (file: string) => boolean): string[] {
  return SCAFFOLD_SCRIPT_FILES.filter((f) => !existsInWorkspace(f));
}

/** The Hub dataset of the example, as the notebook has it. */
export const SCAFFOLD_HUB_SOURCE = 'dair-ai/emotion';

/**
 * A scaffolded spec's text reading local files instead of the example's Hub dataset: dataset.source
 * becomes split -> file (paths relative to the spec, "/" separated, as resolveSpecPaths reads them), the
 * Hub-only "config" line goes, and dataset.splits maps each split's own channel. The other lines stay as
 * written. Throws when the text no longer has the example's source line.
 */
export function withLocalSource(specText: string, files: Record<string, string>): string {
  const splits = Object.keys(files);
  if (splits.length === 0) throw new Error('withLocalSource: no files');
  const inline = (o: Record<string, string>) =>
    `{ ${Object.entries(o)
      .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(', ')} }`;
  const sourceLine = /("source"[ \t]*:[ \t]*)"[^"\n]*"/;
  if (!sourceLine.test(specText)) throw new Error('the spec has no dataset.source line to rewrite');
  const text = specText
    .replace(sourceLine, `$1${inline(files)}`)
    .replace(/^[ \t]*"config"[ \t]*:[ \t]*"[^"\n]*"[ \t]*,[ \t]*\r?\n/m, '')
    .replace(/("splits"[ \t]*:[ \t]*)\{[^}\n]*\}/, `$1${inline(Object.fromEntries(splits.map((s) => [s, s])))}`);
  const parsed = JSON.parse(text) as { dataset?: { source?: unknown; config?: unknown; splits?: unknown } };
  if (typeof parsed.dataset?.source !== 'object' || parsed.dataset.config !== undefined)
    throw new Error('the spec has no dataset.source / dataset.config to rewrite');
  return text;
}
