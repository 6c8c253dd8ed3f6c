// The local predictor against loopback HTTP servers: it sends the endpoint's token, reads the error
// bodies the container's model server (MMS) writes, and a server that accepts and never answers ends
// with the same timeout and "waiting for … at URL" notice as a SageMaker request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpPredictor } from '../../src/workflow/endpoints/predictor';
import { predictionHttpError } from '../../src/core/endpoints/predictionResponse';
import { onAwsNotice, type AwsNotice } from '../../src/aws/requestNotices';
import { deployedTransformers } from '../../src/workflow/runs/localRun';
import { CURRENT_INFERENCE_VERSIONS } from '../../src/core/images/inferenceImages';
import type { JobSpec } from '../../src/core/spec/spec';

async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// MMS's body for the handler's 400, as serve.py and the real container write it (Gson, HTML-safe escapes).
const mmsBody = (message: string, code = 400, type = 'InternalServerException') =>
  `{\n  "code": ${code},\n  "type": "${type}",\n  "message": "${message}"\n}\n`;

test('the token goes in X-SageMaker-HF-Token; without one the 403 names the header', async () => {
  const seen: (string | undefined)[] = [];
  const s = await serve((req, res) => {
    const token = req.headers['x-sagemaker-hf-token'] as string | undefined;
    seen.push(token);
    req.resume();
    if (token !== 'tok-123') {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(mmsBody('missing or wrong X-SageMaker-HF-Token header', 403, 'Forbidden'));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[{"label":"joy","score":0.9}]');
  });
  try {
    const ok = await httpPredictor(s.url, 'local endpoint t', { token: 'tok-123' }).predict('hi');
    assert.deepEqual(ok.predictions, [[{ label: 'joy', score: 0.9 }]]);
    await assert.rejects(
      httpPredictor(s.url, 'local endpoint t').predict('hi'),
      /rejected \(403\): missing or wrong X-SageMaker-HF-Token header/,
    );
    assert.deepEqual(seen, ['tok-123', undefined]);
  } finally {
    await s.close();
  }
});

test("the model server's error bodies give their message, its escapes decoded", () => {
  const e = predictionHttpError(
    400,
    mmsBody('\\u0027str\\u0027 object has no attribute \\u0027pop\\u0027'),
    'Predicting',
  );
  assert.equal(e.message, "Predicting: the request was rejected (400): 'str' object has no attribute 'pop'");
  const t = predictionHttpError(504, mmsBody('the invocation took longer than 60 s', 504, 'TimeoutException'), 'P');
  assert.equal(t.message, 'P: the endpoint failed (504): the invocation took longer than 60 s');
});

test('a local endpoint that accepts and never answers times out with the URL, after a "waiting for" notice', async () => {
  const s = await serve(() => {
    /* never answers */
  });
  const notices: AwsNotice[] = [];
  const off = onAwsNotice((n) => notices.push(n));
  const before = process.env.SAGEMAKER_HF_TIMEOUT_SECONDS;
  process.env.SAGEMAKER_HF_TIMEOUT_SECONDS = '4';
  const t0 = Date.now();
  try {
    await assert.rejects(httpPredictor(s.url, 'local endpoint slow', { token: 't' }).predict('hi'), (err: Error) => {
      assert.match(err.message, new RegExp(`${s.url}/invocations accepted the connection but sent nothing for 4 s`));
      assert.match(err.message, /SAGEMAKER_HF_TIMEOUT_SECONDS/);
      return true;
    });
    assert.ok(Date.now() - t0 < 15_000, 'ended by the limit, not by a test timeout');
    const waiting = notices.find((n) => n.kind === 'waiting');
    assert.ok(waiting, 'a waiting notice');
    assert.equal(waiting.service, 'local endpoint slow');
    assert.match(waiting.message, new RegExp(`^waiting for ${s.url}/invocations`));
  } finally {
    off();
    if (before === undefined) delete process.env.SAGEMAKER_HF_TIMEOUT_SECONDS;
    else process.env.SAGEMAKER_HF_TIMEOUT_SECONDS = before;
    await s.close();
  }
});

test('serve.py is told the transformers of the image that deploying the spec would use', () => {
  const spec = (transformersVersion?: string, pytorchVersion?: string) =>
    ({ training: { transformersVersion, pytorchVersion } }) as unknown as JobSpec;
  assert.equal(deployedTransformers(spec('4.11.0', '1.9.0')), '4.11.0');
  assert.equal(deployedTransformers(spec('4.21.1', '1.11.0')), '4.26.0'); // the nearest newer image
  assert.equal(deployedTransformers(spec()), CURRENT_INFERENCE_VERSIONS.transformers);
});
