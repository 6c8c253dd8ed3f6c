// Evaluate's arithmetic on a hand-computed example: the confusion matrix follows the model's label
// names (not the order labels happen to be seen), and per-class precision / recall / F1 and macro-F1
// equal the figures worked out by hand below (the same as scikit-learn's classification_report).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classScores, confusionMatrix, labelOrder } from '../../src/core/endpoints/evaluation';
import { evaluate } from '../../src/workflow/endpoints/evaluate';
import type { Predictor } from '../../src/workflow/endpoints/predictor';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);

// 8 examples. Rows = truth, columns = prediction, in the names' order sadness, joy, love, anger:
//   sadness: 2 sadness, 1 joy            -> support 3
//   joy:     1 sadness, 3 joy            -> support 4
//   love:    1 joy                       -> support 1
//   anger:   none, never predicted      -> left out of macro-F1
// Column sums (predicted): sadness 3, joy 5, love 0, anger 0.
//   sadness P = 2/3, R = 2/3, F1 = 2/3
//   joy     P = 3/5, R = 3/4, F1 = 2·0.6·0.75/1.35 = 2/3
//   love    P = 0 (nothing predicted), R = 0/1, F1 = 0
//   macro-F1 = (2/3 + 2/3 + 0) / 3 = 4/9
const pairs = [
  ['joy', 'joy'],
  ['sadness', 'sadness'],
  ['joy', 'sadness'],
  ['love', 'joy'],
  ['sadness', 'joy'],
  ['joy', 'joy'],
  ['sadness', 'sadness'],
  ['joy', 'joy'],
].map(([truth, predicted]) => ({ truth: truth!, predicted: predicted! }));
const names = ['sadness', 'joy', 'love', 'anger'];

test('confusion matrix rows and columns follow the label names, unknown labels after them', () => {
  assert.deepEqual(labelOrder(names, ['joy', 'LABEL_7', 'sadness', 'LABEL_7']), [...names, 'LABEL_7']);
  assert.deepEqual(labelOrder(undefined, ['joy', 'sadness', 'joy']), ['joy', 'sadness']);
  assert.deepEqual(confusionMatrix(names, pairs), [
    [2, 1, 0, 0],
    [1, 3, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 0, 0],
  ]);
  assert.throws(
    () => confusionMatrix(['joy'], [{ truth: 'joy', predicted: 'love' }]),
    /'love' is not in the label order/,
  );
});

test('per-class precision, recall, F1 and macro-F1 equal the hand-computed figures', () => {
  const { perClass, macroF1 } = classScores(names, confusionMatrix(names, pairs));
  const [sadness, joy, love, anger] = perClass;
  close(sadness!.precision, 2 / 3, 'sadness precision');
  close(sadness!.recall, 2 / 3, 'sadness recall');
  close(sadness!.f1, 2 / 3, 'sadness F1');
  close(joy!.precision, 3 / 5, 'joy precision');
  close(joy!.recall, 3 / 4, 'joy recall');
  close(joy!.f1, 2 / 3, 'joy F1');
  assert.deepEqual(love, { label: 'love', precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 });
  assert.deepEqual(anger, { label: 'anger', precision: 0, recall: 0, f1: 0, support: 0, predicted: 0 });
  assert.deepEqual(
    perClass.map((c) => [c.support, c.predicted]),
    [
      [3, 3],
      [4, 5],
      [1, 0],
      [0, 0],
    ],
  );
  close(macroF1, 4 / 9, 'macro-F1');
});

test('evaluate orders the matrix by labelNames and reports per-class scores and macro-F1', async () => {
  const predictor: Predictor = {
    label: 'fake',
    async predict(text) {
      const predicted = (text as string).split('>')[1]!;
      return { predictions: [[{ label: predicted, score: 0.9 }]], latencyMs: 5, raw: null };
    },
  };
  // The first example is joy, so the order the labels are seen in (joy, sadness, love) differs from
  // the names' order.
  const examples = pairs.map((p, i) => ({ text: `${i}>${p.predicted}`, label: p.truth }));
  const r = await evaluate(predictor, examples, { labelNames: names, concurrency: 1 });
  assert.deepEqual(r.labels, names);
  assert.deepEqual(r.confusion[0], [2, 1, 0, 0]);
  assert.deepEqual(
    r.perClass.map((c) => c.label),
    names,
  );
  close(r.macroF1, 4 / 9, 'macro-F1');
  close(r.accuracy, 5 / 8, 'accuracy');
});
