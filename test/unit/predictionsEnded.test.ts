// A predictions page whose endpoint is gone, in plain Node over the stand-in vscode module and a recorded
// webview: endPredictions marks the open page ended at once (the typed 'ended' message, the title), the
// host then refuses Predict and Evaluate without calling the endpoint, a reloaded page is told again, and
// Try Predictions on the same name afterwards opens a fresh page; a Predict that finds the endpoint gone
// (not found on SageMaker, connection refused locally) ends the page as well.
import { fakeContext } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { endPredictions, openPredictionsPanel, sageMakerPanelKey } from '../../src/extension/panels/predictionsPanel';
import type { HostMessage } from '../../src/webview/predictionsProtocol';
import { endpointGoneReason } from '../../src/core/endpoints/endpointGone';
import type { Services } from '../../src/extension/services';

function fakePanel() {
  const posted: HostMessage[] = [];
  let onMessage: (m: unknown) => Promise<void> = async () => undefined;
  let onDispose: () => void = () => undefined;
  let disposed = false;
  const panel = {
    title: '',
    webview: {
      options: {},
      html: '',
      cspSource: 'vscode-resource:',
      asWebviewUri: (u: unknown) => u,
      postMessage: async (m: HostMessage) => void posted.push(m),
      onDidReceiveMessage: (h: (m: unknown) => Promise<void>) => {
        onMessage = h;
        return { dispose() {} };
      },
    },
    onDidDispose: (h: () => void) => {
      onDispose = h;
      return { dispose() {} };
    },
    reveal() {},
    dispose() {
      disposed = true;
      onDispose();
    },
  };
  return { panel, posted, send: (m: unknown) => onMessage(m), disposed: () => disposed };
}

const services = () =>
  ({
    context: fakeContext(fs.mkdtempSync(path.join(os.tmpdir(), 'sm-hf-ended-'))),
    log: { info() {}, warn() {}, error() {}, debug() {} },
  }) as unknown as Services;

test('an ended page: the ended message at once, Predict and Evaluate refused without calling the endpoint', async () => {
  let calls = 0;
  const predictor = {
    label: 'endpoint ep-1',
    predict: async () => {
      calls++;
      return { predictions: [[{ label: 'joy', score: 0.9 }]], latencyMs: 5 };
    },
  };
  const key = sageMakerPanelKey('123456789012', 'us-east-1', 'ep-1');
  assert.equal(key, 'sagemaker:123456789012:us-east-1:ep-1', 'the key panels and histories were saved under');
  const p = fakePanel();
  const s = services();
  openPredictionsPanel(s, {
    title: 'Predictions: ep-1',
    predictor: predictor as never,
    examples: [{ text: 'a', label: 'joy' }],
    stateKey: key,
    panel: p.panel as never,
  });
  await p.send({ type: 'ready' });
  await p.send({ type: 'predict', requestId: 1, text: 'hello' });
  assert.equal(calls, 1, 'a live endpoint is asked');
  assert.equal(endPredictions('sagemaker:123456789012:us-east-1:other', 'gone'), false, 'no page open for it');

  const reason = 'Endpoint ep-1 was deleted: predictions have ended.';
  p.posted.length = 0;
  assert.equal(endPredictions(key, reason), true);
  assert.deepEqual(p.posted, [{ type: 'ended', message: reason }]);
  assert.equal(p.panel.title, 'Predictions: ep-1 (ended)');
  assert.equal(endPredictions(key, 'again'), false, 'ended once');

  p.posted.length = 0;
  await p.send({ type: 'predict', requestId: 2, text: 'hello' });
  await p.send({ type: 'evaluate', sampleSize: 1, concurrency: 1 });
  assert.equal(calls, 1, 'no request to a deleted endpoint');
  assert.deepEqual(p.posted, [
    { type: 'predictionError', requestId: 2, message: reason },
    { type: 'evaluationError', message: reason },
  ]);

  // retainContextWhenHidden is off: a page shown again starts over and must hear it again.
  p.posted.length = 0;
  await p.send({ type: 'ready' });
  assert.deepEqual(
    p.posted.map((m) => m.type),
    ['init', 'ended'],
  );

  // Deployed again under the same name: Try Predictions opens a fresh page, not the ended one.
  const fresh = fakePanel();
  const opened = openPredictionsPanel(s, {
    title: 'Predictions: ep-1',
    predictor: predictor as never,
    stateKey: key,
    panel: fresh.panel as never,
  });
  assert.equal(p.disposed(), true, 'the ended page is closed');
  assert.equal(opened, fresh.panel as never);
  await fresh.send({ type: 'predict', requestId: 1, text: 'hello' });
  assert.equal(calls, 2);
  assert.equal(endPredictions(key, reason), true, 'the fresh page can end in its turn');
});

test('a Predict that finds the endpoint gone ends the page too; other failures do not', async () => {
  assert.equal(
    endpointGoneReason(new Error('Endpoint ep-2 of account 123456789012 not found.'), {
      kind: 'sagemaker',
      endpointName: 'ep-2',
      region: 'us-east-1',
    }),
    'Endpoint ep-2 no longer exists in us-east-1: predictions have ended. Deploy again, then "Try Predictions".',
  );
  assert.equal(
    endpointGoneReason(new Error('ThrottlingException: Rate exceeded'), {
      kind: 'sagemaker',
      endpointName: 'ep-2',
      region: 'us-east-1',
    }),
    undefined,
  );
  const local = { kind: 'local', name: 'loc', url: 'http://127.0.0.1:8080' } as const;
  assert.match(
    endpointGoneReason(
      new Error(
        'local endpoint loc failed: http://127.0.0.1:8080 is not answering (ECONNREFUSED). Is the local endpoint running?',
      ),
      local,
    )!,
    /^Local endpoint loc is not running \(nothing answers at http:\/\/127\.0\.0\.1:8080\)/,
  );
  assert.equal(endpointGoneReason(new Error('HTTP 500 from serve.py'), local), undefined);

  let fail = 'ThrottlingException: Rate exceeded';
  const p = fakePanel();
  openPredictionsPanel(services(), {
    title: 'Predictions: ep-2',
    predictor: {
      label: 'endpoint ep-2',
      predict: async () => {
        throw new Error(fail);
      },
    } as never,
    stateKey: sageMakerPanelKey('123456789012', 'us-east-1', 'ep-2'),
    target: { kind: 'sagemaker', endpointName: 'ep-2', account: '123456789012', region: 'us-east-1' },
    panel: p.panel as never,
  });
  await p.send({ type: 'predict', requestId: 1, text: 'hi' });
  assert.deepEqual(
    p.posted.map((m) => m.type),
    ['predictionError'],
    'a throttled request is only an error',
  );
  fail = 'Endpoint ep-2 of account 123456789012 not found.';
  await p.send({ type: 'predict', requestId: 2, text: 'hi' });
  assert.deepEqual(
    p.posted.map((m) => m.type),
    ['predictionError', 'predictionError', 'ended'],
  );
  assert.equal(p.panel.title, 'Predictions: ep-2 (ended)');
});
