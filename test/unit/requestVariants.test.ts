// The shared request variants (test/requestVariants.json) cover every option the CLI can send: each
// training field of the spec schema is set by the example spec or by some train variant, and each
// --dry-run flag of deploy and prepare --on sagemaker appears in some variant, so
// test/python/test_api_model.py checks a request carrying it against botocore's SageMaker model. A new
// field or flag fails here until a variant carries it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '../../..');
const read = (p: string) => JSON.parse(fs.readFileSync(path.join(repo, p), 'utf8')) as Record<string, unknown>;
interface Variant {
  set?: Record<string, unknown>;
  unset?: string[];
  torchCompile?: boolean | string[];
  args?: string[];
  train?: string;
}
const table = read('test/requestVariants.json') as unknown as Record<
  'train' | 'deploy' | 'processing',
  Record<string, Variant>
>;

test('every training field of the spec schema is sent by some variant', () => {
  const schema = read('schemas/sagemaker-hf.schema.json') as {
    definitions: { training: { properties: Record<string, unknown> } };
  };
  const example = (read('examples/emotion.sagemaker-hf.json') as { training: Record<string, unknown> }).training;
  const covered = new Set([...Object.keys(example)]);
  for (const v of Object.values(table.train)) {
    for (const k of Object.keys(v.set ?? {})) covered.add(k);
    if (v.torchCompile) covered.add('compiler');
  }
  const missing = Object.keys(schema.definitions.training.properties).filter((k) => !covered.has(k));
  assert.deepEqual(missing, [], `add a variant setting ${missing.join(', ')} to test/requestVariants.json`);
});

test('every deploy and remote-prepare flag that shapes a request is in some variant; deploy variants name known train variants', () => {
  const flags = (variants: Record<string, Variant>) => new Set(Object.values(variants).flatMap((v) => v.args ?? []));
  const deploy = flags(table.deploy);
  for (const f of [
    '--instance-type',
    '--count',
    '--endpoint-name',
    '--serverless',
    '--memory',
    '--max-concurrency',
    '--hub',
    '--task',
    '--transformers-version',
    '--pytorch-version',
    '--py-version',
  ])
    assert.ok(deploy.has(f), `no deploy variant passes ${f}`);
  const prep = flags(table.processing);
  for (const f of ['--instance-type', '--instance-count', '--volume-gb', '--max-runtime'])
    assert.ok(prep.has(f), `no processing variant passes ${f}`);
  for (const [name, v] of Object.entries(table.deploy))
    if (v.train) assert.ok(table.train[v.train], `deploy variant ${name}: no train variant ${v.train}`);
});
