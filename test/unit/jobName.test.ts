import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJobName, nameFromBase, sagemakerTimestamp } from '../../src/core/sagemaker/jobName';

const t = new Date(Date.UTC(2021, 11, 3, 16, 34, 50, 123));

test('timestamp is UTC with 3-digit milliseconds', () => {
  assert.equal(sagemakerTimestamp(t), '2021-12-03-16-34-50-123');
  assert.equal(sagemakerTimestamp(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 7))), '2030-01-02-03-04-05-007');
});

test('base is trimmed to 39 characters so the name is at most 63', () => {
  assert.equal(
    nameFromBase('training-compiler-bert-base-uncased-emotion', t),
    'training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123',
  );
  assert.equal(nameFromBase('short', t), 'short-2021-12-03-16-34-50-123');
  assert.equal(nameFromBase('x'.repeat(39), t).length, 63);
  assert.equal(nameFromBase('x'.repeat(40), t).length, 63);
  assert.equal(
    nameFromBase('huggingface-pytorch-trcomp-training', t),
    'huggingface-pytorch-trcomp-training-2021-12-03-16-34-50-123',
  );
});

test('names are checked against the API pattern', () => {
  checkJobName('training-compiler-bert-base-uncased-emo-2021-12-03-16-34-50-123');
  checkJobName('a--b');
  for (const bad of ['bert/base-2021', 'under_score', '-lead', 'trail-', '', 'x'.repeat(64), 'dot.ted']) {
    assert.throws(() => checkJobName(bad), /not valid for SageMaker/, bad);
  }
});
