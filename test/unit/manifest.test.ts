// The dataset manifest both prepares write last: one builder, so the local and the Processing prepare
// write the same fields in the same order (readers and older manifests depend on the shape).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TOOL, buildManifest, manifestBody } from '../../src/core/dataset/manifest';

const channels = {
  train: {
    split: 'train',
    rows: 2,
    s3Uri: 's3://b/datasets/emotion/train/',
    files: [{ key: 'datasets/emotion/train/data-00000-of-00001.arrow', bytes: 10, etag: '"e1"' }],
  },
};
const report = { key: 'datasets/emotion/.sagemaker-hf-report.md', bytes: 5, etag: '"r"' };

test('buildManifest: a Hub source keeps its id and config, in the manifest field order', () => {
  const m = buildManifest({
    dataset: { source: 'dair-ai/emotion', config: 'split', tokenizer: 'distilbert-base-uncased' },
    createdAt: '2026-01-01T00:00:00.000Z',
    bucket: 'b',
    prefix: 'datasets/emotion',
    padding: 'max_length',
    maxLength: 128,
    labelNames: ['a', 'b'],
    channels,
    report,
  });
  assert.deepEqual(Object.keys(m), [
    'format',
    'formatVersion',
    'tool',
    'createdAt',
    'bucket',
    'prefix',
    'source',
    'config',
    'tokenizer',
    'padding',
    'maxLength',
    'labelNames',
    'channels',
    'report',
  ]);
  assert.equal(m.tool, TOOL);
  assert.equal(m.source, 'dair-ai/emotion');
  assert.equal(m.config, 'split');
  assert.ok(manifestBody(m).endsWith('}\n'));
});

test('buildManifest: local files name no config, and a Hub source without one gets "default"', () => {
  const local = buildManifest({
    dataset: { source: { train: '/data/train.jsonl' }, tokenizer: '/models/tok' },
    createdAt: 'x',
    bucket: 'b',
    prefix: 'p',
    padding: 'dynamic',
    maxLength: null,
    labelNames: ['a', 'b'],
    channels,
    report,
  });
  assert.equal(local.source, 'local files');
  assert.ok(!('config' in local));
  const hub = buildManifest({
    dataset: { source: 'dair-ai/emotion', tokenizer: 't' },
    createdAt: 'x',
    bucket: 'b',
    prefix: 'p',
    padding: 'auto',
    maxLength: 64,
    labelNames: ['a', 'b'],
    channels,
    report,
  });
  assert.equal(hub.config, 'default');
});
