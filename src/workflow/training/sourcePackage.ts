// sourcedir.tar.gz as the SageMaker Python SDK builds it (fw_utils.tar_and_upload_dir): the entries of
// sourceDir at the archive root (no "scripts/" or "./" prefix), gzip, symlinks followed. Deviations, all
// about what leaves the machine:
//  - left out by default: version control (.git, .hg, .svn), .env files, cloud/SSH/package-manager
//    credentials and key files (SECRET_PATTERNS), and __pycache__ / *.pyc (this machine's bytecode);
//  - a `.sagemakerignore` in sourceDir (gitignore syntax) leaves out more, or brings a default back
//    with `!pattern` (e.g. `!.env.example`);
//  - a symlink that points outside sourceDir is refused (the SDK would pack whatever it points to);
//  - the file list and total size are known before anything is uploaded (dry-run, confirmation).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ignore from 'ignore';
import { create } from 'tar';
import { UserError } from '../../core/errors';

export const IGNORE_FILE = '.sagemakerignore';

/** gitignore patterns left out unless .sagemakerignore brings them back. */
export const SECRET_PATTERNS = [
  '.git/',
  '.hg/',
  '.svn/',
  '.env',
  '.env.*',
  '.envrc',
  '.aws/',
  '.ssh/',
  '.gnupg/',
  '.docker/config.json',
  '.kube/config',
  '.netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.huggingface/',
  '.cache/huggingface/',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  'credentials.json',
  'service-account*.json',
  '__pycache__/',
  '*.pyc',
];

export interface SourceFile {
  /** Path inside the archive ("sub/util.py"); folders end with "/". */
  path: string;
  bytes: number;
}

export interface SourceListing {
  sourceDir: string;
  /** Folders and files in archive order. */
  entries: SourceFile[];
  /** Sum of the file sizes (before gzip). */
  totalBytes: number;
  /** Paths left out by the default secret patterns (so the user can see them named). */
  excludedByDefault: string[];
}

export interface SourcePackage {
  file: string;
  bytes: number;
  entries: string[];
  listing: SourceListing;
  /** Removes the temporary folder holding the archive. */
  cleanup(): Promise<void>;
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
  // Only sourceDir is packed: an entry point elsewhere exists here but not in the job, which would fail
  // after its paid instances start.
  const rel = path.relative(path.resolve(sourceDir), path.resolve(sourceDir, entryPoint));
  if (path.isAbsolute(entryPoint) || rel.startsWith('..') || path.isAbsolute(rel))
    throw new UserError(
      `training.entryPoint: "${entryPoint}" lies outside training.sourceDir "${sourceDir}", so it would not be in sourcedir.tar.gz and the job would fail after its instances start. Move the script into sourceDir, or point sourceDir at the folder that holds it`,
      'training.entryPoint',
    );
  if (!fs.existsSync(path.join(sourceDir, entryPoint)) || !fs.statSync(path.join(sourceDir, entryPoint)).isFile()) {
    throw new UserError(
      `training.entryPoint: No file named "${entryPoint}" was found in directory "${sourceDir}".`,
      'training.entryPoint',
    );
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** What sourcedir.tar.gz will hold, without writing it. Refuses links that leave sourceDir. */
export function listSourceFiles(sourceDir: string, entryPoint: string): SourceListing {
  checkSourceDir(sourceDir, entryPoint);
  const root = fs.realpathSync(sourceDir);
  const defaults = ignore().add(SECRET_PATTERNS);
  const rules = ignore().add(SECRET_PATTERNS);
  const ignoreFile = path.join(sourceDir, IGNORE_FILE);
  if (fs.existsSync(ignoreFile)) rules.add(fs.readFileSync(ignoreFile, 'utf8'));
  const entries: SourceFile[] = [];
  const excludedByDefault: string[] = [];
  let totalBytes = 0;
  // Iterative walk, sorted, so the archive order does not depend on the file system. A link back to a
  // folder above it (a loop) is not followed again.
  const stack: { rel: string; ancestors: string[] }[] = [{ rel: '', ancestors: [root] }];
  while (stack.length) {
    const { rel, ancestors } = stack.pop()!;
    const dir = path.join(sourceDir, rel);
    const subdirs: { rel: string; ancestors: string[] }[] = [];
    for (const name of fs.readdirSync(dir).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const full = path.join(sourceDir, relPath);
      const lst = fs.lstatSync(full);
      let real = full;
      if (lst.isSymbolicLink()) {
        try {
          real = fs.realpathSync(full);
        } catch {
          throw new UserError(
            `training.sourceDir: ${relPath} is a broken symbolic link (${fs.readlinkSync(full)}); remove it or list it in ${IGNORE_FILE}`,
            'training.sourceDir',
          );
        }
      }
      const st = fs.statSync(real);
      const key = st.isDirectory() ? `${relPath}/` : relPath;
      if (rules.ignores(key)) {
        if (defaults.ignores(key)) excludedByDefault.push(key);
        continue;
      }
      if (lst.isSymbolicLink() && !inside(root, real)) {
        throw new UserError(
          `training.sourceDir: ${relPath} is a symbolic link to ${real}, outside ${sourceDir}; its contents would be uploaded with the code. Copy what the job needs into the folder, or list the link in ${IGNORE_FILE}`,
          'training.sourceDir',
        );
      }
      if (st.isDirectory()) {
        const realDir = fs.realpathSync(full);
        if (ancestors.includes(realDir)) continue;
        entries.push({ path: key, bytes: 0 });
        subdirs.push({ rel: relPath, ancestors: [...ancestors, realDir] });
      } else if (st.isFile()) {
        entries.push({ path: relPath, bytes: st.size });
        totalBytes += st.size;
      }
    }
    stack.push(...subdirs.reverse());
  }
  const entry = path.relative(path.resolve(sourceDir), path.resolve(sourceDir, entryPoint)).split(path.sep).join('/');
  if (!entries.some((e) => e.path === entry))
    throw new UserError(
      `training.entryPoint: "${entryPoint}" is left out of sourcedir.tar.gz (by ${IGNORE_FILE} or the default secret patterns), so the job would not find it. Bring it back with !${entry} in ${IGNORE_FILE}`,
      'training.entryPoint',
    );
  return { sourceDir, entries, totalBytes, excludedByDefault };
}

/** Above this the dry-run and the confirmation warn: the folder is packed and uploaded on every run. */
export const LARGE_SOURCE_BYTES = 100 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Lines for the dry-run and the confirmation: what is uploaded, its size, and what was left out. */
export function describeListing(l: SourceListing, maxFiles = 20): string[] {
  const files = l.entries.filter((e) => !e.path.endsWith('/'));
  const lines = [
    `sourcedir.tar.gz from ${l.sourceDir}: ${files.length} file${files.length === 1 ? '' : 's'}, ${formatBytes(l.totalBytes)} before compression`,
  ];
  if (l.totalBytes > LARGE_SOURCE_BYTES) {
    const biggest = [...files].sort((a, b) => b.bytes - a.bytes).slice(0, 3);
    lines.push(
      `  warning: training.sourceDir holds ${formatBytes(l.totalBytes)} (over ${formatBytes(LARGE_SOURCE_BYTES)}), packed and uploaded to S3 on every run; largest: ${biggest.map((f) => `${f.path} (${formatBytes(f.bytes)})`).join(', ')}. Keep data and checkpoints out of sourceDir, or list them in ${IGNORE_FILE}`,
    );
  }
  for (const f of files.slice(0, maxFiles)) lines.push(`  ${f.path} (${formatBytes(f.bytes)})`);
  if (files.length > maxFiles) lines.push(`  … and ${files.length - maxFiles} more`);
  if (l.excludedByDefault.length)
    lines.push(
      `  left out (secrets, version control, bytecode; ${IGNORE_FILE} can bring one back with !name): ${l.excludedByDefault.join(', ')}`,
    );
  return lines;
}

export async function packageSourceDir(sourceDir: string, entryPoint: string): Promise<SourcePackage> {
  const listing = listSourceFiles(sourceDir, entryPoint);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sagemaker-hf-source-'));
  const file = path.join(dir, 'sourcedir.tar.gz');
  try {
    // Exactly the listed paths: no recursion, so nothing the listing left out can slip in.
    await create(
      { gzip: true, file, cwd: sourceDir, follow: true, portable: true, noDirRecurse: true },
      listing.entries.map((e) => e.path.replace(/\/$/, '')),
    );
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw new UserError(`packaging ${sourceDir} failed: ${(err as Error).message}`, 'training.sourceDir', {
      cause: err,
    });
  }
  return {
    file,
    bytes: fs.statSync(file).size,
    entries: listing.entries.map((e) => e.path.replace(/\/$/, '')),
    listing,
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}
