// What sourcedir.tar.gz carries off the machine. Real files in a temporary folder, the real
// archive listed back with tar.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { list } from 'tar';
import { describeListing, listSourceFiles, packageSourceDir } from '../../src/workflow/training/sourcePackage';
import { UserError } from '../../src/core/errors';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'srcpkg-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
  return dir;
}

async function archived(dir: string): Promise<string[]> {
  const pkg = await packageSourceDir(dir, 'train.py');
  const names: string[] = [];
  await list({ file: pkg.file, onReadEntry: (e) => names.push(e.path) });
  await pkg.cleanup();
  return names.sort();
}

test('.git, .env files, keys and credentials stay home by default; the code goes', async () => {
  const dir = tree('secrets', {
    'train.py': 'print(1)\n',
    'requirements.txt': 'evaluate\n',
    'sub/util.py': 'X = 1\n',
    '.env': 'HF_TOKEN=hf_secret\n',
    '.env.local': 'A=1\n',
    '.git/config': '[core]\n',
    '.git/HEAD': 'ref\n',
    id_rsa: 'KEY',
    'certs/server.pem': 'PEM',
    '.aws/credentials': '[default]\n',
    '.netrc': 'machine x\n',
    '__pycache__/train.cpython-311.pyc': 'bc',
    'sub/util.pyc': 'bc',
  });
  assert.deepEqual(await archived(dir), ['certs/', 'requirements.txt', 'sub/', 'sub/util.py', 'train.py']);
  const listing = listSourceFiles(dir, 'train.py');
  assert.equal(listing.totalBytes, 'print(1)\n'.length + 'evaluate\n'.length + 'X = 1\n'.length);
  assert.deepEqual(listing.excludedByDefault.sort(), [
    '.aws/',
    '.env',
    '.env.local',
    '.git/',
    '.netrc',
    '__pycache__/',
    'certs/server.pem',
    'id_rsa',
    'sub/util.pyc',
  ]);
  const lines = describeListing(listing);
  assert.match(lines[0]!, /: 3 files, 24 B before compression$/);
  assert.ok(lines.includes('  train.py (9 B)'));
  assert.match(lines.at(-1)!, /left out .*\.env, .*\.git\//);
});

test('.sagemakerignore (gitignore syntax) leaves out more, and can bring a default back', async () => {
  const dir = tree('ignorefile', {
    'train.py': 'print(1)\n',
    'data/big.bin': 'x'.repeat(1000),
    'notes.md': '#\n',
    'keep/a.py': '',
    '.env.example': 'HF_TOKEN=\n',
    '.env': 'HF_TOKEN=hf_secret\n',
    '.sagemakerignore': '# comment\ndata/\n*.md\n!.env.example\n',
  });
  assert.deepEqual(await archived(dir), ['.env.example', '.sagemakerignore', 'keep/', 'keep/a.py', 'train.py']);
});

test('a symlink that leaves sourceDir is refused; one that stays inside is followed', async () => {
  const outside = tree('outside', { 'secret.txt': 'top secret' });
  const dir = tree('links', { 'train.py': 'print(1)\n', 'lib/helper.py': 'Y = 2\n' });
  fs.symlinkSync(path.join(dir, 'lib'), path.join(dir, 'lib-alias'));
  assert.deepEqual(await archived(dir), ['lib-alias/', 'lib-alias/helper.py', 'lib/', 'lib/helper.py', 'train.py']);
  fs.symlinkSync(outside, path.join(dir, 'shared'));
  assert.throws(
    () => listSourceFiles(dir, 'train.py'),
    (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(
        err.message,
        /^training\.sourceDir: shared is a symbolic link to .*outside, outside .*links; its contents would be uploaded/,
      );
      return true;
    },
  );
  await assert.rejects(packageSourceDir(dir, 'train.py'), /symbolic link/);
  // Listed in .sagemakerignore, the link is simply left out.
  fs.writeFileSync(path.join(dir, '.sagemakerignore'), 'shared\n');
  assert.ok(!(await archived(dir)).some((n) => n.startsWith('shared')));
});

test('an entry point outside sourceDir, or left out by .sagemakerignore, is refused before anything is paid for', () => {
  const dir = tree('outside', { 'code/util.py': 'x = 1\n', 'scripts/train.py': 'print(1)\n' });
  const src = path.join(dir, 'code');
  for (const ep of ['../scripts/train.py', path.join(dir, 'scripts/train.py')])
    assert.throws(
      () => listSourceFiles(src, ep),
      (e) =>
        e instanceof UserError &&
        e.field === 'training.entryPoint' &&
        /lies outside training\.sourceDir .*would not be in sourcedir\.tar\.gz/.test(e.message),
    );
  const ignored = tree('ignored', { 'train.py': 'print(1)\n', '.sagemakerignore': '*.py\n' });
  assert.throws(
    () => listSourceFiles(ignored, 'train.py'),
    (e) => e instanceof UserError && /"train\.py" is left out of sourcedir\.tar\.gz .*!train\.py/.test(e.message),
  );
});

test('a sourceDir over 100 MiB is said in the listing the dry-run and the confirmation show, naming the largest files', () => {
  const dir = tree('large', { 'train.py': 'print(1)\n' });
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data/big.bin'), '');
  fs.truncateSync(path.join(dir, 'data/big.bin'), 150 * 1024 * 1024); // sparse: no 150 MiB written
  const lines = describeListing(listSourceFiles(dir, 'train.py'));
  assert.match(
    lines[1]!,
    /^ {2}warning: training\.sourceDir holds 150\.0 MiB \(over 100\.0 MiB\), packed and uploaded .*largest: data\/big\.bin \(150\.0 MiB\)/,
  );
  const small = describeListing(listSourceFiles(tree('small', { 'train.py': 'print(1)\n' }), 'train.py'));
  assert.ok(!small.some((l) => l.includes('warning')));
});
