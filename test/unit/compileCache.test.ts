import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { compileCacheChannel, compileCacheSource } from '../../src/core/training/compileCache';

const IMAGE =
  '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.9.0-transformers5.0.0-gpu-py312-cu130-ubuntu22.04';
const request = (hps: Record<string, string>, image = IMAGE) =>
  ({ HyperParameters: hps, AlgorithmSpecification: { TrainingImage: image } }) as unknown as CreateTrainingJobRequest;
const job = (name: string, over: Record<string, unknown> = {}) =>
  ({
    TrainingJobName: name,
    TrainingJobStatus: 'Completed',
    HyperParameters: { torch_compile: 'true' },
    AlgorithmSpecification: { TrainingImage: IMAGE },
    ModelArtifacts: { S3ModelArtifacts: `s3://b/${name}/output/model.tar.gz` },
    ...over,
  }) as never;

test('the newest completed compiling job of the same image gives its output.tar.gz', () => {
  const req = request({ torch_compile: 'true', epochs: '4' });
  const prev = [
    job('j3', { TrainingJobStatus: 'Failed' }),
    job('j2', { AlgorithmSpecification: { TrainingImage: 'other' } }),
    job('j1'),
    job('j0'),
  ];
  assert.equal(compileCacheSource(req, prev), 's3://b/j1/output/output.tar.gz');
  assert.equal(compileCacheSource(req, [job('j1', { HyperParameters: { torch_compile: 'false' } })]), undefined);
  assert.equal(compileCacheSource(req, []), undefined);
});

test('no cache channel for a job that does not compile', () => {
  assert.equal(compileCacheSource(request({ epochs: '4' }), [job('j1')]), undefined);
  assert.equal(compileCacheSource(request({ torch_compile: 'false' }), [job('j1')]), undefined);
});

test('the channel names compile_cache and the archive', () => {
  assert.deepEqual(compileCacheChannel('s3://b/j1/output/output.tar.gz'), {
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        S3Uri: 's3://b/j1/output/output.tar.gz',
        S3DataDistributionType: 'FullyReplicated',
      },
    },
    ChannelName: 'compile_cache',
  });
});
