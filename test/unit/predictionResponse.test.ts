// The toolkit's text-classification answers across transformers versions, and request/error handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildRequestBody,
  normalizePredictions,
  parsePredictionBody,
  predictionHttpError,
  MAX_PAYLOAD_BYTES,
} from '../../src/core/endpoints/predictionResponse';
import { evaluate, evenSample, percentile } from '../../src/workflow/endpoints/evaluate';
import { mapLimit } from '../../src/core/concurrency';
import type { Predictor } from '../../src/workflow/endpoints/predictor';

const six = [
  { label: 'sadness', score: 0.9 },
  { label: 'joy', score: 0.02 },
  { label: 'love', score: 0.01 },
  { label: 'anger', score: 0.03 },
  { label: 'fear', score: 0.035 },
  { label: 'surprise', score: 0.005 },
];

test('single input, top label (4.11 default): one list with one label', () => {
  assert.deepEqual(normalizePredictions([{ label: 'sadness', score: 0.98 }], 1), [[{ label: 'sadness', score: 0.98 }]]);
  assert.deepEqual(normalizePredictions({ label: 'joy', score: 0.5 }, 1), [[{ label: 'joy', score: 0.5 }]]);
});

test('single input, all scores: nested (return_all_scores) and flat (top_k=None) both rank every label', () => {
  const nested = normalizePredictions([six], 1);
  const flat = normalizePredictions(six, 1);
  assert.deepEqual(nested, flat);
  assert.equal(nested[0]!.length, 6);
  assert.deepEqual(
    nested[0]!.map((x) => x.label),
    ['sadness', 'fear', 'anger', 'joy', 'love', 'surprise'],
  );
});

test('batch: one top label per input, or all scores per input', () => {
  assert.deepEqual(
    normalizePredictions(
      [
        { label: 'joy', score: 0.7 },
        { label: 'anger', score: 0.6 },
      ],
      2,
    ),
    [[{ label: 'joy', score: 0.7 }], [{ label: 'anger', score: 0.6 }]],
  );
  const nested = normalizePredictions([six, [...six].reverse()], 2);
  assert.equal(nested.length, 2);
  assert.equal(nested[1]![0]!.label, 'sadness');
  assert.throws(() => normalizePredictions([{ label: 'joy', score: 0.7 }], 3), /1 results for 3 inputs/);
});

test('answers that are not classification results are refused with a preview', () => {
  assert.throws(() => normalizePredictions({ generated_text: 'x' }, 1), /not a text-classification result/);
  assert.throws(() => normalizePredictions([], 1), /empty list/);
  assert.throws(() => normalizePredictions([[{ label: 'a' }]], 1), /lacks label or score/);
  assert.throws(() => parsePredictionBody('body', 1, 'content_type'), /non-JSON \(content_type\): "body"/);
  assert.deepEqual(parsePredictionBody(JSON.stringify([six]), 1).raw, [six]);
});

test('request bodies ask for all scores the way the image understands; over 6 MB is refused before sending', () => {
  assert.deepEqual(JSON.parse(buildRequestBody('Winter is coming', 'top_k')), {
    inputs: 'Winter is coming',
    parameters: { top_k: null },
  });
  assert.deepEqual(JSON.parse(buildRequestBody(['a', 'b'], 'return_all_scores')), {
    inputs: ['a', 'b'],
    parameters: { return_all_scores: true },
  });
  assert.throws(() => buildRequestBody('x'.repeat(MAX_PAYLOAD_BYTES)), /at most 6 MB/);
  assert.throws(() => buildRequestBody([]), /non-empty list/);
});

test("error answers: 424 from the container, other 4xx/5xx with the body's message", () => {
  assert.match(
    predictionHttpError(
      424,
      '{"code":400,"type":"InternalServerException","message":"text input must be of type str"}',
      'Predicting',
    ).message,
    /^Predicting: the model container answered an error \(424 ModelError\): text input must be of type str/,
  );
  assert.match(predictionHttpError(400, '{"Message":"bad"}', 'P').message, /rejected \(400\): bad/);
  assert.match(predictionHttpError(503, 'overloaded', 'P').message, /failed \(503\): overloaded/);
});

test('evaluation: accuracy, confusion matrix and nearest-rank percentiles', async () => {
  const answers: Record<string, string> = { a: 'joy', b: 'joy', c: 'sadness', d: 'anger' };
  let inFlight = 0,
    maxInFlight = 0,
    n = 0;
  const predictor: Predictor = {
    label: 'fake',
    async predict(text) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { predictions: [[{ label: answers[text as string]!, score: 0.9 }]], latencyMs: ++n * 10, raw: null };
    },
  };
  const r = await evaluate(
    predictor,
    [
      { text: 'a', label: 'joy' },
      { text: 'b', label: 'sadness' },
      { text: 'c', label: 'sadness' },
      { text: 'd', label: 'anger' },
    ],
    { concurrency: 2 },
  );
  assert.equal(maxInFlight, 2);
  assert.equal(r.accuracy, 0.75);
  assert.deepEqual(r.labels, ['joy', 'sadness', 'anger']);
  assert.deepEqual(r.confusion, [
    [1, 0, 0],
    [1, 1, 0],
    [0, 0, 1],
  ]);
  assert.deepEqual({ p50: r.latencyMs.p50, p99: r.latencyMs.p99 }, { p50: 20, p99: 40 });
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9);
  assert.deepEqual(evenSample([0, 1, 2, 3, 4, 5], 3), [0, 2, 4]);
  await assert.rejects(
    mapLimit([1, 2], 1, async (x) => {
      if (x === 1) throw new Error('boom');
      return x;
    }),
    /boom/,
  );
});
