// Prepare Dataset's words: the padding question says what each of its buttons does (no riddle about
// which choice is "static"), and the "Dataset ready" row that outlives the notification says what is
// ready first, then where, and links its report.
import { fakeContext } from './helpers/fakeVscode';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paddingQuestion } from '../../src/core/dataset/padding';
import { formatBytes } from '../../src/core/dataset/prepareReport';
import { readyNode, readyRow, rememberReady } from '../../src/extension/dataset/datasetReady';

test('the padding question: the saving, then one sentence per button on what it does', () => {
  const q = paddingQuestion(
    { mode: 'max_length', length: 256, bytes: 30 * 1024 * 1024 },
    { length: 88, bytes: 10.5 * 1024 * 1024, truncatedRows: 0 },
    formatBytes,
  );
  assert.equal(q.keep, 'Keep max_length (256)');
  assert.equal(q.useAuto, 'Use auto (88)');
  assert.match(
    q.message,
    /^Padding "auto" would store rows at 88 tokens: 10\.5 MiB instead of 30\.0 MiB, truncating no row\. /,
  );
  assert.ok(q.message.includes('Keep max_length (256): every row padded to 256 tokens (fixed shapes'), q.message);
  assert.ok(
    q.message.includes('Use auto (88): every row padded to 88 tokens, the longest row rounded up to a multiple of 8'),
    q.message,
  );
  assert.doesNotMatch(q.message, /static too|just shorter/);

  const fromDynamic = paddingQuestion(
    { mode: 'dynamic', length: null, bytes: 9_000_000 },
    { length: 64, bytes: 6_000_000, truncatedRows: 3 },
    formatBytes,
  );
  assert.equal(fromDynamic.keep, 'Keep dynamic');
  assert.match(
    fromDynamic.message,
    /truncating 3 rows\. Keep dynamic: rows stored unpadded; the training script pads each batch/,
  );
});

test('"Dataset ready" row: what first, then where; kept in workspace state; a click opens the report', async () => {
  const r = {
    prefix: 'datasets/emotion',
    rows: [16000, 2000],
    where: 's3://sagemaker-us-east-1-123456789012/datasets/emotion/',
    createdAt: '2026-12-07T21:30:12.000Z',
    reportPath: '/w/.sagemaker-hf/datasets/emotion/report.md',
  };
  assert.deepEqual(readyRow(r), {
    label: 'Dataset ready: datasets/emotion',
    description: '16,000 / 2,000 rows · s3://sagemaker-us-east-1-123456789012/datasets/emotion/',
    tooltip: `datasets/emotion: 16,000 / 2,000 rows at s3://sagemaker-us-east-1-123456789012/datasets/emotion/, prepared 2026-12-07T21:30:12.000Z. Click to open its report (/w/.sagemaker-hf/datasets/emotion/report.md).`,
  });
  const context = fakeContext('/tmp');
  assert.equal(
    readyNode(context, () => true),
    undefined,
    'nothing prepared yet',
  );
  await rememberReady(context, r);
  const node = readyNode(context, (f) => f === r.reportPath)!;
  assert.equal(node.label, 'Dataset ready: datasets/emotion');
  assert.deepEqual(node.opts.command?.arguments, [{ reportPath: r.reportPath }]);
  assert.equal(node.opts.command?.command, 'sagemakerHf.openDatasetReport');
  assert.equal(
    readyNode(context, () => false),
    undefined,
    'a report file deleted since: no row',
  );
});
