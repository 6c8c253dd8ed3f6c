// Deploy from the Hub as one multi-step input: "n/5" on every step, Back returns to the step before with
// what was typed, the task proposed from the model card's pipeline_tag (read from a local Hub API server,
// never the internet), a missing model stopped with an error before anything bills, and a closed step
// said to have created nothing.
import { BACK_ANSWER, fakeContext, scriptedUi } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BACK, runSteps } from '../../src/extension/endpoints/multiStep';
import { taskItems } from '../../src/extension/endpoints/hubDeploySteps';
import { deployFromHubCommand } from '../../src/extension/endpoints/deploy';
import type { EndpointsCtx } from '../../src/extension/endpoints/endpointsModel';
import { readHubModelCard } from '../../src/workflow/endpoints/hubModelCard';

process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
const conn = {
  region: 'us-east-1',
  account: '123456789012',
  arn: 'arn:aws:iam::123456789012:user/u',
  role: 'arn:aws:iam::123456789012:role/SageMaker',
  bucket: 'sagemaker-us-east-1-123456789012',
};
const log = { info() {}, warn() {}, error() {}, debug() {}, show() {} };

/** A Hub API stand-in: GET /api/models/<id> answers the card given for that id, else 404. */
async function hub(cards: Record<string, object>) {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const id = decodeURIComponent((req.url ?? '').replace(/^\/api\/models\//, ''));
    const card = cards[id];
    res.writeHead(card ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(card ?? { error: 'Repository not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => server.close() };
}

function ctxWith(ui: unknown) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-hf-hubsteps-'));
  return {
    context: fakeContext(dir),
    log,
    ui,
    connection: { current: conn, require: async () => conn },
    tree: { refresh() {} },
    model: { setOverride: () => undefined, refresh: async () => undefined, node: () => ({}) },
  } as unknown as EndpointsCtx;
}

test('runSteps: Back returns to the step before with its answer kept; a closed step ends it', async () => {
  const seen: string[] = [];
  const script: unknown[] = ['a', 'b', BACK, 'b2', 'c'];
  const step = (key: string) => async (s: Record<string, string>, n: number, total: number) => {
    seen.push(`${n}/${total} ${key}=${s[key] ?? ''}`);
    const a = script.shift();
    return a === BACK || a === undefined ? (a as typeof BACK | undefined) : { [key]: a as string };
  };
  assert.deepEqual(await runSteps<Record<string, string>>({}, [step('x'), step('y'), step('z')]), {
    x: 'a',
    y: 'b2',
    z: 'c',
  });
  assert.deepEqual(seen, ['1/3 x=', '2/3 y=', '3/3 z=', '2/3 y=b', '3/3 z=']);
  const closed = ['a'];
  assert.equal(
    await runSteps<Record<string, string>>({}, [
      async () => ({ x: closed.shift()! }),
      async () => (closed.length ? { y: '1' } : undefined),
    ]),
    undefined,
  );
});

test("taskItems: the card's servable task first and proposed; an unserved one proposes nothing", () => {
  const { items, proposed } = taskItems('fill-mask');
  assert.equal(items[0]!.label, 'fill-mask');
  assert.equal(items[0]!.description, "the model card's pipeline_tag");
  assert.equal(proposed, items[0]);
  assert.equal(items.filter((i) => i.label === 'fill-mask').length, 1);
  const other = taskItems('text-to-image');
  assert.equal(other.proposed, undefined);
  assert.equal(other.items[0]!.label, 'text-classification');
});

test('readHubModelCard: pipeline_tag from the Hub API with the token; 404 names the model', async () => {
  const h = await hub({ 'org/bert-ner': { id: 'org/bert-ner', pipeline_tag: 'token-classification' } });
  try {
    assert.deepEqual(await readHubModelCard('org/bert-ner', { endpoint: h.url, token: 'hf_x' }), {
      pipelineTag: 'token-classification',
      servable: true,
    });
    assert.equal(h.seen[0]!.url, '/api/models/org/bert-ner');
    assert.equal(h.seen[0]!.headers.authorization, 'Bearer hf_x');
    await assert.rejects(
      readHubModelCard('org/nope', { endpoint: h.url }),
      /model org\/nope: the Hub at .* has no such model/,
    );
  } finally {
    h.close();
  }
});

test('Deploy from the Hub: 5 steps with "n/5", the task from the card, Back keeps answers, the modal follows', async () => {
  const h = await hub({ 'org/sst2': { pipeline_tag: 'text-classification' } });
  process.env.HF_ENDPOINT = h.url;
  const hfToken = process.env.HF_TOKEN;
  delete process.env.HF_TOKEN;
  // id, task (the proposed one), capacity, then Back to capacity, a count, the name.
  const inputs = ['org/sst2', BACK_ANSWER, '2', 'my-ep'];
  let capacityAsked = 0;
  const { ui, asked } = scriptedUi({
    input: () => inputs.shift(),
    pick: (list, opts) => {
      if (opts.title?.endsWith('capacity')) {
        capacityAsked++;
        return list.find((i) => (i as { label: string }).label === 'ml.m5.xlarge');
      }
      return list[0];
    },
    message: () => undefined,
  });
  try {
    await deployFromHubCommand(ctxWith(ui))();
  } finally {
    h.close();
    delete process.env.HF_ENDPOINT;
    if (hfToken !== undefined) process.env.HF_TOKEN = hfToken;
  }
  const steps = asked.filter((a) => a.step).map((a) => `${a.step} ${a.kind}`);
  assert.deepEqual(steps, ['1/5 input', '2/5 pick', '3/5 pick', '4/5 input', '3/5 pick', '4/5 input', '5/5 input']);
  assert.equal(capacityAsked, 2);
  const task = asked.find((a) => a.step === '2/5')!;
  assert.equal(task.active, 'text-classification', 'the card proposes the task');
  assert.match(task.placeholder ?? '', /Proposed from the model card: text-classification/);
  const modal = asked.find((a) => a.modal)!;
  assert.match(modal.message, /^Deploy org\/sst2 from the Hugging Face Hub as endpoint my-ep\?$/);
  assert.match(modal.detail!, /2 × ml\.m5\.xlarge/);
  assert.match(modal.detail!, /task text-classification/);
});

test('Deploy from the Hub: closing a step says nothing was created; a missing model is an error', async () => {
  const h = await hub({});
  process.env.HF_ENDPOINT = h.url;
  try {
    const closed = scriptedUi({ input: () => undefined });
    await deployFromHubCommand(ctxWith(closed.ui))();
    assert.equal(closed.asked.at(-1)!.message, 'Deploy from the Hub cancelled: nothing was created.');
    const missing = scriptedUi({ input: () => 'org/missing' });
    await assert.rejects(
      deployFromHubCommand(ctxWith(missing.ui))(),
      /model org\/missing: the Hub at .* has no such model/,
    );
    assert.ok(!missing.asked.some((a) => a.modal), 'no deploy modal for a model that does not exist');
  } finally {
    h.close();
    delete process.env.HF_ENDPOINT;
  }
});
