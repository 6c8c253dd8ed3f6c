// deploy --hub with --transformers-version/--pytorch-version/--py-version: the image SDK v2.257.6's
// HuggingFaceModel(transformers_version=, pytorch_version=, py_version=) retrieves (image_uris.retrieve over
// image_uri_config/huggingface.json), its refusals (all three or none; no substitute for a missing
// combination), and without them today's current image with a note saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planHubDeploy } from '../../src/workflow/endpoints/deploy';
import { UserError } from '../../src/core/errors';

const conn = { region: 'us-east-1', role: 'arn:aws:iam::111122223333:role/SageMakerRole' };
const base = {
  modelId: 'distilbert/distilbert-base-uncased-finetuned-sst-2-english',
  task: 'text-classification',
  instanceType: 'ml.m5.xlarge',
  initialInstanceCount: 1,
  now: new Date(Date.UTC(2026, 0, 1)),
};

test('named versions: the SDK catalogue image (4.26.0 / 1.13.1 / py39, cpu ubuntu20.04), model named from it', () => {
  const plan = planHubDeploy(conn, { ...base, versions: { transformers: '4.26.0', pytorch: '1.13.1', py: 'py39' } });
  const image =
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:1.13.1-transformers4.26.0-cpu-py39-ubuntu20.04';
  assert.equal(plan.image.uri, image);
  assert.equal(plan.requests.createModel.PrimaryContainer!.Image, image);
  assert.equal(plan.requests.createModel.ModelName, 'huggingface-pytorch-inference-2026-01-01-00-00-00-000');
  assert.match(
    plan.image.note!,
    /^HuggingFaceModel\(transformers_version='4\.26\.0', pytorch_version='1\.13\.1', py_version='py39'\) image;/,
  );
  const gpu = planHubDeploy(conn, {
    ...base,
    instanceType: 'ml.g4dn.xlarge',
    versions: { transformers: '4.26.0', pytorch: '1.13.1', py: 'py39' },
  });
  assert.match(gpu.image.uri, /:1\.13\.1-transformers4\.26\.0-gpu-py39-cu117-ubuntu20\.04$/);
});

test('named versions: partial, unpublished or a wrong Python are refused on the field, nothing substituted', () => {
  const refuses = (versions: { transformers?: string; pytorch?: string; py?: string }, re: RegExp) =>
    assert.throws(
      () => planHubDeploy(conn, { ...base, versions }),
      (e: unknown) => e instanceof UserError && re.test(e.message),
    );
  refuses(
    { transformers: '4.26.0' },
    /^transformers-version: give --transformers-version, --pytorch-version and --py-version together/,
  );
  refuses(
    { transformers: '4.27.0', pytorch: '1.13.1', py: 'py39' },
    /^transformers-version: there is no .* transformers 4\.27\.0 \/ PyTorch 1\.13\.1 .*published: .*4\.26\.0\/1\.13\.1\/py39/,
  );
  refuses({ transformers: '4.26.0', pytorch: '1.13.1', py: 'py310' }, /^py-version: .* built for py39, not py310$/);
});

test('no versions: the current image, and the note says so and how to pick another', () => {
  const plan = planHubDeploy(conn, {
    ...base,
    versions: { transformers: undefined, pytorch: undefined, py: undefined },
  });
  assert.match(plan.image.uri, /:2\.6\.0-transformers5\.5\.3-cpu-py312-/);
  assert.match(
    plan.image.note!,
    /^current inference image \(transformers 5\.5\.3; --transformers-version, --pytorch-version and --py-version pick another\)/,
  );
});
