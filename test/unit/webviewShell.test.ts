// The one webview page shell (src/extension/panels/webviewHtml.ts) and the one command registration
// (src/extension/commands.ts): the CSP every panel gets, and what register() adds to each handler.
import { fakeContext, registered, shown } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { webviewHtml } from '../../src/extension/panels/webviewHtml';
import { register } from '../../src/extension/commands';
import { UserError } from '../../src/core/errors';

const csp = (html: string) => /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';

test('a scripted page: nothing by default, its script only by a fresh nonce, styles from the extension', () => {
  const page = {
    title: 'Job: <b>x</b>',
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    script: 'https://file+.vscode-resource.vscode-cdn.net/dist/webview/jobDetailsPage.js',
    body: '<main id="app"></main>',
  };
  const html = webviewHtml(page);
  const policy = csp(html);
  const nonce = /'nonce-([0-9a-f]{32})'/.exec(policy)?.[1];
  assert.ok(nonce, policy);
  assert.equal(
    policy,
    `default-src 'none'; style-src ${page.cspSource}; font-src ${page.cspSource}; img-src ${page.cspSource} data:; script-src 'nonce-${nonce}';`,
  );
  assert.doesNotMatch(policy, /unsafe-(inline|eval)/);
  assert.deepEqual(
    [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]),
    [`<script nonce="${nonce}" src="${page.script}">`],
  );
  assert.match(html, /<title>Job: &#60;b&#62;x&#60;\/b&#62;<\/title>/, 'the title is escaped');
  assert.notEqual(/'nonce-([0-9a-f]+)'/.exec(csp(webviewHtml(page)))?.[1], nonce, 'every page gets its own nonce');
});

test('inline styles of a scripted page pass by the same nonce, never unsafe-inline', () => {
  const html = webviewHtml({
    title: 't',
    cspSource: 'vscode-webview:',
    script: 'vscode-webview:/p.js',
    style: 'body { color: red; }',
    body: '',
  });
  const policy = csp(html);
  const nonce = /'nonce-([0-9a-f]{32})'/.exec(policy)![1];
  assert.match(policy, new RegExp(`style-src vscode-webview: 'nonce-${nonce}';`));
  assert.match(html, new RegExp(`<style nonce="${nonce}">\\nbody \\{ color: red; \\}\\n</style>`));
  assert.doesNotMatch(policy, /unsafe/);
});

test('a static page (a message in place of a panel) runs no script at all', () => {
  const html = webviewHtml({ title: 'Predictions', style: 'p { max-width: 60em; }', body: '<p>gone</p>' });
  assert.equal(csp(html), `default-src 'none'; style-src 'unsafe-inline';`);
  assert.doesNotMatch(html, /<script/);
});

test('register(): a failing handler is reported as "<what> failed: <line>", not thrown; disposal unregisters', async () => {
  const log = {
    lines: [] as string[],
    info(l: string) {
      this.lines.push(l);
    },
    error(l: string) {
      this.lines.push(l);
    },
    debug() {},
    show() {},
  };
  const context = fakeContext(os.tmpdir());
  let made = 0;
  register({ context, log: log as never }, 'sagemakerHf.releaseWarmPool', () => {
    made++;
    return async (name: string) => {
      throw new UserError(`no warm pool on ${name}`);
    };
  });
  assert.equal(made, 1, 'the factory runs once, at registration');
  const before = shown.length;
  assert.equal(await registered.get('sagemakerHf.releaseWarmPool')!('job-9'), undefined);
  assert.deepEqual(
    shown.slice(before).map((m) => [m.kind, m.message]),
    [['error', 'Release warm pool failed: no warm pool on job-9']],
  );
  assert.deepEqual(log.lines, ['Release warm pool failed: no warm pool on job-9']);
  assert.equal(context.subscriptions.length, 1);
  context.subscriptions[0]!.dispose();
  assert.equal(registered.has('sagemakerHf.releaseWarmPool'), false);
});
