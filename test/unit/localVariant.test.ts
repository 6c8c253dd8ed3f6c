import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deriveLocalVariant, isLocalSpecJson, SMALL_MODEL } from '../../src/core/training/localVariant';
import { validateSpec } from '../../src/core/spec/spec';

const examples = path.join(__dirname, '..', '..', '..', 'examples');
const read = (f: string) => JSON.parse(readFileSync(path.join(examples, f), 'utf8')) as Record<string, unknown>;

test('the notebook spec gets a local variant a CPU trains in minutes, and every difference is said', () => {
  const cloud = read('emotion.sagemaker-hf.json');
  assert.equal(isLocalSpecJson(cloud), false);
  assert.equal(isLocalSpecJson(read('emotion-local.sagemaker-hf.json')), true);
  const { spec, differences } = deriveLocalVariant(cloud);
  assert.deepEqual(differences, [
    'training.instanceType "ml.p3.2xlarge" -> "local"',
    'dataset.limit (rows per split) (unset) -> 2000',
    'dataset.maxLength 512 -> 128',
    'dataset.padding "max_length" -> "dynamic"',
    'training.hyperparameters.epochs 4 -> 1',
    `training.hyperparameters.model_id "bert-base-uncased" -> "${SMALL_MODEL}"`,
    'training.hyperparameters.fp16 (CPU) true -> false',
    'training.compiler "training-compiler" -> "none"',
    'deploy.instanceType "ml.g4dn.xlarge" -> "local"',
  ]);
  // A valid spec that trains locally; the original is untouched.
  const parsed = validateSpec(spec, 'emotion.local-variant.sagemaker-hf.json');
  assert.equal(parsed.training.instanceType, 'local');
  assert.equal(parsed.dataset.limit, 2000);
  assert.equal((cloud.training as { instanceType: string }).instanceType, 'ml.p3.2xlarge');
  assert.equal(isLocalSpecJson(spec), true);
});

test('spot, warm pool and pushToHub are dropped from the variant and said so', () => {
  const cloud = read('emotion.sagemaker-hf.json');
  const t = cloud.training as Record<string, unknown>;
  Object.assign(t, { spot: { maxWaitSeconds: 7200 }, keepAliveSeconds: 60, pushToHub: { repo: 'me/m' } });
  const { spec, differences } = deriveLocalVariant(cloud);
  for (const k of ['spot', 'keepAliveSeconds', 'pushToHub']) {
    assert.ok(
      differences.some((d) => d.startsWith(`training.${k} `) && d.endsWith('(removed)')),
      k,
    );
    assert.equal((spec.training as Record<string, unknown>)[k], undefined);
  }
});
