// The rule set of `npm run lint` itself: dependency-cruiser with the project's .dependency-cruiser.cjs,
// and the room sizes of scripts/rooms.mjs, run on small fixture trees, so a rule that stopped matching
// (a renamed folder, a typo in a path pattern) fails here instead of silently passing on main.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = path.resolve(__dirname, '../../..');
const depcruise = path.join(repo, 'node_modules', '.bin', 'depcruise');
const config = path.join(repo, '.dependency-cruiser.cjs');

function fixture(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'house-rules-'));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }),
  );
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function cruise(files: Record<string, string>): { status: number | null; out: string } {
  const dir = fixture(files);
  try {
    const r = spawnSync(depcruise, ['src', '--config', config, '--output-type', 'err'], { cwd: dir, encoding: 'utf8' });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a file in src/core that imports from src/workflow fails the import rules', () => {
  const r = cruise({
    'src/core/spec/spec.ts': "import { prepare } from '../../workflow/dataset/prepare';\nexport const x = prepare;\n",
    'src/workflow/dataset/prepare.ts': 'export const prepare = 1;\n',
  });
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, /core-imports-only-core: src\/core\/spec\/spec\.ts → src\/workflow\/dataset\/prepare\.ts/);
});

test('the layers in their allowed direction pass', () => {
  const r = cruise({
    'src/core/spec/spec.ts': 'export const spec = 1;\n',
    'src/aws/clients.ts': "import { spec } from '../core/spec/spec';\nexport const c = spec;\n",
    'src/workflow/train.ts': "import { c } from '../aws/clients';\nexport const t = c;\n",
    'src/cli/main.ts': "import { t } from '../workflow/train';\nexport const m = t;\n",
    'src/extension/training/training.ts':
      "import { t } from '../../workflow/train';\nimport { tree } from '../tree/tree';\nexport const e = [t, tree];\n",
    'src/extension/tree/tree.ts': 'export const tree = 1;\n',
  });
  assert.equal(r.status, 0, r.out);
});

test('workflow importing vscode or the extension, core doing I/O, and a circle each fail with their rule', () => {
  const r = cruise({
    'src/workflow/train.ts': "import { e } from '../extension/ui';\nexport const t = e;\n",
    'src/extension/ui.ts': 'export const e = 1;\n',
    'src/core/dataset/writer.ts': "import * as fs from 'node:fs';\nexport const w = fs.writeFileSync;\n",
    'src/core/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
    'src/core/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
  });
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, /workflow-never-up: src\/workflow\/train\.ts → src\/extension\/ui\.ts/);
  assert.match(r.out, /core-no-io: src\/core\/dataset\/writer\.ts → (node:)?fs/);
  assert.match(r.out, /no-circular: src\/core\/a\.ts → /);
});

test('one feature room of the extension importing another fails; a room importing tree/ or itself passes', () => {
  const bad = cruise({
    'src/extension/local/local.ts': "import { deploy } from '../endpoints/deploy';\nexport const l = deploy;\n",
    'src/extension/endpoints/deploy.ts': 'export const deploy = 1;\n',
  });
  assert.notEqual(bad.status, 0, bad.out);
  assert.match(
    bad.out,
    /extension-rooms-apart: src\/extension\/local\/local\.ts → src\/extension\/endpoints\/deploy\.ts/,
  );
  const good = cruise({
    'src/extension/local/local.ts':
      "import { run } from './run';\nimport { tree } from '../tree/tree';\nexport const l = [run, tree];\n",
    'src/extension/local/run.ts': 'export const run = 1;\n',
    'src/extension/tree/tree.ts': 'export const tree = 1;\n',
  });
  assert.equal(good.status, 0, good.out);
});

test('a folder of 16 source files and a file of 501 lines are named by the room check', async () => {
  const { roomProblems } = await import(pathToFileURL(path.join(repo, 'scripts', 'rooms.mjs')).href);
  const files: Record<string, string> = {
    'src/core/long.ts': 'x;\n'.repeat(501),
    'src/core/ok/short.ts': 'x;\n'.repeat(500),
  };
  for (let i = 0; i < 16; i++) files[`src/workflow/f${i}.ts`] = 'x;\n';
  const dir = fixture(files);
  try {
    const problems: string[] = roomProblems(path.join(dir, 'src'));
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.ok(
      problems.some((p) => p.includes('workflow/ holds 16 source files')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.includes('long.ts has 501 lines')),
      problems.join('\n'),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
