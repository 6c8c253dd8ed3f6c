// The state a predictions page saved (setState) comes back to the host's panel serializer after a window
// reload; it was written by page code and is checked like any other page input before it names an
// endpoint to send text to.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseRestoreState, type RestoreInfo } from '../../src/webview/predictionsProtocol';

const sagemaker: RestoreInfo = {
  title: 'Predictions: emotion-ep',
  stateKey: 'sagemaker:123456789012:us-east-1:emotion-ep',
  labelNames: ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'],
  target: { kind: 'sagemaker', endpointName: 'emotion-ep', account: '123456789012', region: 'us-east-1' },
};
const local: RestoreInfo = {
  title: 'Predictions: emotion-local (local)',
  stateKey: 'local:emotion-local',
  labelNames: [],
  target: { kind: 'local', name: 'emotion-local', url: 'http://127.0.0.1:8123' },
};
const page = (restore: unknown) => ({ text: 'hello', sampleSize: 200, concurrency: 4, restore });
const error = (state: unknown) => {
  const r = parseRestoreState(state);
  assert.equal(r.ok, false, `accepted ${JSON.stringify(state)}`);
  return r.ok ? '' : r.error;
};

test('a saved SageMaker or local target comes back as it was saved', () => {
  assert.deepEqual(parseRestoreState(page(sagemaker)), { ok: true, message: sagemaker });
  assert.deepEqual(parseRestoreState(page(local)), { ok: true, message: local });
  assert.deepEqual(
    parseRestoreState(page({ ...local, target: { ...local.target, url: 'http://localhost:9000/' } })).ok,
    true,
  );
});

test('extra keys a page might add are dropped, not passed on', () => {
  const r = parseRestoreState(page({ ...sagemaker, extra: 1, target: { ...sagemaker.target, url: 'http://evil' } }));
  assert.ok(r.ok);
  assert.deepEqual(r.message, sagemaker);
});

test('state without an endpoint (saved before restore support, or empty) is refused with a reason', () => {
  assert.match(error(undefined), /names no endpoint/);
  assert.match(error(page(undefined)), /names no endpoint/);
  assert.match(error({ restore: [] }), /names no endpoint/);
});

test('each field is checked and named in the error', () => {
  assert.match(error(page({ ...sagemaker, title: '' })), /restore\.title/);
  assert.match(error(page({ ...sagemaker, stateKey: 5 })), /restore\.stateKey/);
  assert.match(error(page({ ...sagemaker, labelNames: ['ok', 3] })), /restore\.labelNames/);
  assert.match(error(page({ ...sagemaker, target: undefined })), /restore\.target is missing/);
  assert.match(error(page({ ...sagemaker, target: { ...sagemaker.target, kind: 'remote' } })), /restore\.target\.kind/);
  assert.match(
    error(page({ ...sagemaker, target: { ...sagemaker.target, endpointName: 'bad name!' } })),
    /endpointName/,
  );
  assert.match(error(page({ ...sagemaker, target: { ...sagemaker.target, account: '1234' } })), /account/);
  assert.match(error(page({ ...sagemaker, target: { ...sagemaker.target, region: 'moon' } })), /region/);
  assert.match(error(page({ ...local, target: { ...local.target, name: '' } })), /restore\.target\.name/);
  assert.match(error(page({ ...local, target: { ...local.target, url: 'not a url' } })), /not a URL/);
});

test('a local target must be an http address on this machine: page state never picks where text is sent', () => {
  for (const url of [
    'http://169.254.169.254/latest',
    'https://127.0.0.1:8080',
    'http://example.com',
    'file:///etc/passwd',
    'http://127.0.0.1.evil.com/',
  ]) {
    assert.match(error(page({ ...local, target: { ...local.target, url } })), /on this machine/, url);
  }
});
