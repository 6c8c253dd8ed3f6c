// Job rows in a narrow side bar (190 px shows about 20 characters): jobs of one spec share a long base
// and differ only by the time at the end of their names, so the row's label is that time and its
// description starts with the status; names without the SDK's time keep the name as label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobRowText, nameFromBase, splitJobName } from '../../src/core/sagemaker/jobName';

test('a name made by nameFromBase: label is its time, description the status first, then the base', () => {
  const name = nameFromBase('local-bert-tiny-emotion', new Date('2026-12-07T21:30:12.345Z'));
  assert.equal(name, 'local-bert-tiny-emotion-2026-12-07-21-30-12-345');
  assert.deepEqual(splitJobName(name), {
    base: 'local-bert-tiny-emotion',
    time: '12-07 21:30:12',
    utc: '2026-12-07 21:30:12 UTC',
  });
  assert.deepEqual(jobRowText(name, 'Completed', ['local', '3 min']), {
    label: '12-07 21:30:12',
    description: 'Completed · local-bert-tiny-emotion · local · 3 min',
  });
  // Two jobs of the same spec a few seconds apart differ within the first 20 characters of the row.
  const other = jobRowText(nameFromBase('local-bert-tiny-emotion', new Date('2026-12-07T21:30:47.001Z')), 'Failed', []);
  const visible = (r: { label: string; description: string }) => `${r.label} ${r.description}`.slice(0, 20);
  assert.notEqual(visible(other), visible(jobRowText(name, 'Completed', [])));
  assert.match(visible(other), /^12-07 21:30:47 Fail/);
});

test('a SageMaker status with its secondary status comes first; a base with digits and dashes stays whole', () => {
  const name = 'bert-2-layers-2026-01-31-09-05-00-000';
  assert.deepEqual(jobRowText(name, 'InProgress · Training', ['ml.g4dn.xlarge × 1', '4 min']), {
    label: '01-31 09:05:00',
    description: 'InProgress · Training · bert-2-layers · ml.g4dn.xlarge × 1 · 4 min',
  });
});

test('a name without the time (given by hand, another tool) is its own label', () => {
  assert.equal(splitJobName('e2e-logs-done'), undefined);
  assert.equal(splitJobName('job-2026-12-07-21-30-12'), undefined, 'no milliseconds: not the SDK pattern');
  assert.deepEqual(jobRowText('e2e-logs-done', 'Completed', ['ml.g4dn.xlarge × 1']), {
    label: 'e2e-logs-done',
    description: 'Completed · ml.g4dn.xlarge × 1',
  });
});
