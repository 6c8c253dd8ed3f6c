// A local endpoint started as the extension and the CLI start it (real serve.py, a real tiny BERT) can
// be used only with its own token, which its registry record keeps: a request without it, from another
// Host or from a web page's origin is refused, the predictor (which sends it) is answered.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startLocalEndpoint, localEndpointToken, type LocalEndpoint } from '../../src/workflow/local/localEndpoint';
import { httpPredictor } from '../../src/workflow/endpoints/predictor';

const repo = path.resolve(__dirname, '../../..');
const python = path.join(repo, '.cache/venv/bin/python');
const serveScript = path.join(repo, 'training-scripts/serve.py');

let tmp: string;
let ep: LocalEndpoint;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'local-access-'));
  const model = path.join(tmp, 'tiny');
  await promisify(execFile)(python, [path.join(repo, 'test/tools/make_tiny_model.py'), model], { timeout: 300_000 });
  ep = await startLocalEndpoint({ python, model, workspaceDir: tmp, serveScript, port: 0, name: 'access' });
});

after(async () => {
  await ep?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const invoke = (headers: Record<string, string>) =>
  fetch(`${ep.url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{"inputs": "hello"}',
  });

test('each endpoint gets a random token, kept in its registry record', async () => {
  assert.match(ep.token ?? '', /^[A-Za-z0-9_-]{40,}$/);
  const registry = JSON.parse(readFileSync(path.join(tmp, '.sagemaker-hf/endpoints.json'), 'utf8')) as {
    endpoints: { name: string; token?: string }[];
  };
  assert.equal(registry.endpoints.find((e) => e.name === 'access')?.token, ep.token);
  assert.equal(await localEndpointToken(tmp, `${ep.url}/`), ep.token);
});

test('without the token, with a wrong one or from a web page, /invocations is refused; /ping stays open', async () => {
  assert.equal((await invoke({})).status, 403);
  assert.equal((await invoke({ 'x-sagemaker-hf-token': 'guess' })).status, 403);
  assert.equal((await invoke({ 'x-sagemaker-hf-token': ep.token!, origin: 'https://evil.example' })).status, 403);
  assert.equal((await fetch(`${ep.url}/ping`)).status, 200);
});

test('the predictor sends the token and is answered', async () => {
  const r = await httpPredictor(ep.url, 'local endpoint access', { token: ep.token }).predict('Winter is coming.');
  assert.equal(r.predictions.length, 1);
  await assert.rejects(httpPredictor(ep.url, 'local endpoint access').predict('x'), /rejected \(403\)/);
});
