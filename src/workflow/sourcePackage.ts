// sourcedir.tar.gz as the SageMaker Python SDK builds it (fw_utils.tar_and_upload_dir): every entry of
// sourceDir at the archive root (no "scripts/" or "./" prefix), gzip, symlinks followed. One deviation:
// __pycache__ folders and *.pyc files are left out (bytecode from this machine's Python is useless in the
// container and can be large).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { create } from 'tar';
import { UserError } from '../core/errors';

export interface SourcePackage {
  file: string;
  bytes: number;
  entries: string[];
  /** Removes the temporary folder holding the archive. */
  cleanup(): Promise<void>;
}

export function isPackaged(p: string): boolean {
  const parts = p.split(/[\\/]/);
  return !parts.includes('__pycache__') && !p.endsWith('.pyc');
}

/** validate_source_dir: the entry point must be a file in sourceDir. */
export function checkSourceDir(sourceDir: string, entryPoint: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(sourceDir);
  } catch {
    throw new UserError(`training.sourceDir: folder ${sourceDir} does not exist`, 'training.sourceDir');
  }
  if (!st.isDirectory()) throw new UserError(`training.sourceDir: ${sourceDir} is not a folder`, 'training.sourceDir');
  if (!fs.existsSync(path.join(sourceDir, entryPoint)) || !fs.statSync(path.join(sourceDir, entryPoint)).isFile()) {
    throw new UserError(`training.entryPoint: No file named "${entryPoint}" was found in directory "${sourceDir}".`, 'training.entryPoint');
  }
}

export async function packageSourceDir(sourceDir: string, entryPoint: string): Promise<SourcePackage> {
  checkSourceDir(sourceDir, entryPoint);
  const top = fs.readdirSync(sourceDir).filter((e) => isPackaged(e)).sort();
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sagemaker-hf-source-'));
  const file = path.join(dir, 'sourcedir.tar.gz');
  const entries: string[] = [];
  try {
    await create(
      {
        gzip: true,
        file,
        cwd: sourceDir,
        follow: true,
        portable: true,
        filter: (p: string) => {
          const ok = isPackaged(p.replace(/^\.\//, ''));
          if (ok) entries.push(p.replace(/^\.\//, ''));
          return ok;
        },
      },
      top,
    );
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw new UserError(`packaging ${sourceDir} failed: ${(err as Error).message}`, 'training.sourceDir', { cause: err });
  }
  return {
    file,
    bytes: fs.statSync(file).size,
    entries,
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}
