// Command ids: the typed table in src/extension/commands.ts against package.json's contributes.commands,
// and against what activation really registers (the extension activated over a stand-in vscode module).
// A command in the menus but never registered fails with "command not found"; one registered but not
// contributed has no title in the palette.
import { fakeContext, registered } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS, INTERNAL_COMMANDS, register, type CommandId } from '../../src/extension/commands';
import { activate } from '../../src/extension/extension';

const repo = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus?: Record<string, { command: string }[]> };
};
const contributed = pkg.contributes.commands.map((c) => c.command);
const ids = Object.keys(COMMANDS) as CommandId[];

test('every contributed command is in CommandId, and every CommandId is contributed or listed as internal', () => {
  assert.deepEqual(
    contributed.filter((c) => !(c in COMMANDS)),
    [],
    'contributed, not in the CommandId table',
  );
  assert.deepEqual(
    ids.filter((id) => !contributed.includes(id) && !INTERNAL_COMMANDS.includes(id)),
    [],
    'in the table, neither contributed nor internal',
  );
  assert.deepEqual(
    INTERNAL_COMMANDS.filter((id) => contributed.includes(id)),
    [],
    'listed as internal but contributed',
  );
});

test('activation registers exactly the CommandId table', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-hf-commands-'));
  const context = fakeContext(dir);
  activate(context as never);
  try {
    assert.deepEqual([...registered.keys()].sort(), [...ids].sort());
    for (const id of contributed) assert.ok(registered.has(id), `${id} is contributed but not registered`);
  } finally {
    for (const d of context.subscriptions) d.dispose();
  }
  assert.equal(registered.size, 0, 'disposing the subscriptions unregisters every command');
});

test('menu entries name registered commands only', () => {
  const inMenus = Object.values(pkg.contributes.menus ?? {})
    .flat()
    .map((m) => m.command)
    .filter((c) => c.startsWith('sagemakerHf.'));
  assert.deepEqual([...new Set(inMenus.filter((c) => !(c in COMMANDS)))], []);
});

// Type-level: registering an id outside the table does not compile (checked by `tsc -p .`).
export function notCalled(): void {
  const host = { context: { subscriptions: [] }, log: undefined as never };
  // @ts-expect-error 'sagemakerHf.noSuchCommand' is not a CommandId
  register(host, 'sagemakerHf.noSuchCommand', () => () => undefined);
}
