// `sagemaker-hf images`: what the catalogue lists per compiler and region, the reasons it gives for a
// refused combination, and the newest inference image (transformers 5.5.3) that a 5.x model deploys on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inferenceRows, knownImageRegions, trainingImageRows } from '../../src/core/images/imageCatalog';
import { CURRENT_INFERENCE_VERSIONS, inferenceImage } from '../../src/core/images/inferenceImages';
import { resolveTrainingImage } from '../../src/core/images/trainingImages';

test('torch-compile lists the plain images newest first, refusing PyTorch 1.x with the reason', () => {
  const rows = trainingImageRows('torch-compile', 'us-east-1');
  assert.deepEqual(rows[0], {
    compiler: 'torch-compile',
    transformers: '5.3.0',
    pytorch: '2.9.0',
    py: 'py312',
    tag: '2.9.0-transformers5.3.0-gpu-py312-cu130-ubuntu22.04',
    regions: rows[0]!.regions,
    uri: '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.9.0-transformers5.3.0-gpu-py312-cu130-ubuntu22.04',
  });
  assert.deepEqual(
    rows.filter((r) => r.refused).map((r) => [r.transformers, r.refused]),
    [
      ['4.26.0', 'torch.compile needs PyTorch 2.x'],
      ['4.11.0', 'torch.compile needs PyTorch 2.x'],
    ],
  );
  // The URI listed is the one training resolves.
  assert.equal(
    rows[0]!.uri,
    resolveTrainingImage({
      kind: 'plain',
      transformers: '5.3.0',
      pytorch: '2.9.0',
      region: 'us-east-1',
      instanceType: 'ml.g5.xlarge',
    }).uri,
  );
});

test('per region: an image not published there has no URI and names the regions that have it', () => {
  const trcomp = trainingImageRows('training-compiler', 'ap-south-2');
  assert.deepEqual(
    trcomp.map((r) => [r.transformers, !!r.uri]),
    [
      ['4.11.0', false],
      ['4.17.0', true],
      ['4.21.1', true],
    ],
  );
  assert.deepEqual(trcomp[0]!.regions, ['ca-west-1', 'eu-west-1', 'us-east-1', 'us-east-2', 'us-west-2']);
  assert.equal(trainingImageRows('none', 'ap-south-2').find((r) => r.transformers === '5.3.0')!.uri, undefined);
  assert.equal(trainingImageRows().length, 3 + 10 + 10);
  assert.ok(knownImageRegions().includes('ap-south-2') && !knownImageRegions().includes('xx-nowhere-1'));
});

test('inference: 5.5.3 is the newest; a transformers 5.x training job deploys on it; China URIs use the .cn domain', () => {
  assert.equal(CURRENT_INFERENCE_VERSIONS.transformers, '5.5.3');
  const five = inferenceImage({ transformers: '5.3.0', pytorch: '2.9.0' }, 'ml.g5.xlarge', 'us-east-1');
  assert.equal(
    five.uri,
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers5.5.3-gpu-py312-cu124-ubuntu22.04',
  );
  const rows = inferenceRows('cn-north-1');
  assert.equal(rows.at(-1)!.transformers, '5.5.3');
  assert.equal(
    rows.at(-1)!.cpuUri,
    '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-inference:2.6.0-transformers5.5.3-cpu-py312-ubuntu22.04',
  );
  assert.equal(inferenceRows().at(-1)!.gpuUri, undefined);
});
