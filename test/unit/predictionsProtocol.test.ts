// Every message from the predictions page is checked before the host acts on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { MAX_INPUT_BYTES, parsePageMessage } from '../../src/webview/predictionsProtocol';
import { readExamplesFile } from '../../src/workflow/dataset/testExamples';

test('well-formed messages pass and come back typed', () => {
  assert.deepEqual(parsePageMessage({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
  assert.deepEqual(
    parsePageMessage({ type: 'predict', requestId: 3, text: 'Winter is coming and it will be dark soon.' }),
    { ok: true, message: { type: 'predict', requestId: 3, text: 'Winter is coming and it will be dark soon.' } },
  );
  assert.deepEqual(parsePageMessage({ type: 'evaluate', sampleSize: 200, concurrency: 4 }), {
    ok: true,
    message: { type: 'evaluate', sampleSize: 200, concurrency: 4 },
  });
  assert.equal(parsePageMessage({ type: 'clearHistory' }).ok, true);
  assert.equal(parsePageMessage({ type: 'cancelEvaluation' }).ok, true);
});

test('malformed messages are refused with the reason', () => {
  const error = (m: unknown) => {
    const r = parsePageMessage(m);
    assert.equal(r.ok, false);
    return (r as { error: string }).error;
  };
  assert.equal(error(null), 'not an object');
  assert.equal(error('predict'), 'not an object');
  assert.equal(error([{ type: 'ready' }]), 'not an object');
  assert.equal(error({ text: 'x' }), 'no message type');
  assert.match(error({ type: 'predict', requestId: '1', text: 'x' }), /requestId must be a non-negative integer/);
  assert.match(error({ type: 'predict', requestId: -1, text: 'x' }), /requestId/);
  assert.match(error({ type: 'predict', requestId: 1, text: 42 }), /text must be a string/);
  assert.match(error({ type: 'predict', requestId: 1, text: '   ' }), /text is empty/);
  assert.match(
    error({ type: 'predict', requestId: 1, text: 'x', html: '<img onerror=…>' }),
    /unexpected field\(s\) html/,
  );
  assert.match(error({ type: 'evaluate', sampleSize: 0, concurrency: 4 }), /sampleSize must be a whole number from 1/);
  assert.match(error({ type: 'evaluate', sampleSize: 10, concurrency: 1.5 }), /concurrency must be a whole number/);
  assert.match(error({ type: 'evaluate', sampleSize: 10, concurrency: 100 }), /concurrency/);
  assert.match(error({ type: 'ready', extra: 1 }), /unexpected field/);
});

test('unknown message types are refused', () => {
  const r = parsePageMessage({ type: 'runShellCommand', command: 'rm -rf /' });
  assert.deepEqual(r, { ok: false, error: "unknown message type 'runShellCommand'" });
});

test('input over the 6 MB payload limit is refused, counted in UTF-8 bytes', () => {
  assert.equal(parsePageMessage({ type: 'predict', requestId: 1, text: 'a'.repeat(MAX_INPUT_BYTES) }).ok, true);
  assert.match(
    (parsePageMessage({ type: 'predict', requestId: 1, text: 'a'.repeat(MAX_INPUT_BYTES + 1) }) as { error: string })
      .error,
    /6 MB payload limit/,
  );
  // 3 bytes per character: under the limit in characters, over it in bytes.
  assert.equal(
    parsePageMessage({ type: 'predict', requestId: 1, text: '€'.repeat(Math.ceil(MAX_INPUT_BYTES / 3) + 1) }).ok,
    false,
  );
});

test('examples come from the prepared test split with label names', async () => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const file = path.resolve(dir, '../shared/data/emotion/test.jsonl');
  const names = ['sadness', 'joy', 'love', 'anger', 'fear', 'surprise'];
  const ex = await readExamplesFile(file, 'text', 'label', names, 100);
  assert.equal(ex.length, 100);
  assert.deepEqual(ex[0], { text: 'im feeling rather rotten so im not very ambitious right now', label: 'sadness' });
  assert.ok(ex.every((e) => names.includes(e.label!)));
});
