// The settings the extension contributes, as package.json declares them. In a remote window (code-server
// is one) VS Code applies and lists a "machine" or "machine-overridable" setting only under the Remote
// tab; the User tab showed none of ours. These checks keep every setting where a
// user looks, and keep the ones that send credentials somewhere or run code out of untrusted workspaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
interface Prop {
  scope?: string;
  type: string;
}
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Prop> } };
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
};
const props = pkg.contributes.configuration.properties;

test('every setting can be set in the User tab, also in a remote window such as code-server', () => {
  // Scopes VS Code applies from (local) user settings in a remote window; "window" is the default.
  const userTab = new Set(['application', 'window', 'resource', 'language-overridable']);
  const hidden = Object.entries(props)
    .filter(([, p]) => !userTab.has(p.scope ?? 'window'))
    .map(([k, p]) => `${k} (${p.scope})`);
  assert.deepEqual(hidden, [], 'settings only the Remote tab shows');
});

test('settings that send credentials to a URL or run a program are ignored in untrusted workspaces', () => {
  const restricted = new Set(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations);
  // endpointUrl receives signed AWS requests (with the session token), hubEndpoint the Hub token,
  // pythonPath is executed: a cloned repository's .vscode/settings.json must not choose them untrusted.
  for (const key of ['sagemakerHf.endpointUrl', 'sagemakerHf.hubEndpoint', 'sagemakerHf.pythonPath']) {
    assert.ok(props[key], `${key} is not contributed`);
    assert.ok(restricted.has(key), `${key} is not in capabilities.untrustedWorkspaces.restrictedConfigurations`);
  }
});

test('every setting the extension reads is contributed', () => {
  const src = fs.readFileSync(path.join(repo, 'src/extension/settings.ts'), 'utf8');
  const read = [...src.matchAll(/\.get<[^>]+>\('([\w.]+)'\)/g)].map((m) => `sagemakerHf.${m[1]}`);
  assert.ok(read.length >= 7, `found only ${read.length} settings read in settings.ts`);
  assert.deepEqual(
    read.filter((k) => !props[k]),
    [],
  );
});
