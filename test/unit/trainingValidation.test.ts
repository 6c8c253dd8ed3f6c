// Every validation rule, passing and failing (SageMaker Python SDK v2 rules for HuggingFace with
// TrainingCompilerConfig, plus the image catalogue).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { type JobSpec } from '../../src/core/spec/spec';
import { loadSpecFile } from '../../src/workflow/specFile';
import { COMPILER_NOTICE, compareVersions, validateTraining } from '../../src/core/training/trainingValidation';
import { resolveTrainingImage, TRAINING_IMAGES } from '../../src/core/images/trainingImages';
import { UserError } from '../../src/core/errors';

const example = path.resolve(__dirname, '../../../examples/emotion.sagemaker-hf.json');

async function spec(edit: (s: JobSpec) => void = () => {}): Promise<JobSpec> {
  const s = await loadSpecFile(example);
  edit(s);
  return s;
}
function fails(s: JobSpec, re: RegExp, field?: string, region = 'us-east-1'): void {
  assert.throws(
    () => validateTraining(s, region),
    (e: unknown) => {
      assert.ok(e instanceof UserError, String(e));
      assert.match(e.message, re);
      if (field) assert.equal(e.field, field);
      return true;
    },
  );
}
const torchCompile = (s: JobSpec) => {
  s.training.compiler = 'torch-compile';
  delete s.training.transformersVersion;
  delete s.training.pytorchVersion;
  delete s.training.pyVersion;
};

test('versions compare numerically', () => {
  assert.equal(compareVersions('1.10.2', '1.9'), 1);
  assert.equal(compareVersions('1.11.0', '1.11'), 0);
  assert.equal(compareVersions('1.8.1', '1.9'), -1);
});

test('the example passes with no warnings', async () => {
  const v = validateTraining(await spec(), 'us-east-1');
  assert.deepEqual(v.warnings, []);
  assert.equal(v.distribution, undefined);
});

test('compiler: transformers and PyTorch versions are required, with the same number of parts', async () => {
  fails(
    await spec((s) => delete s.training.transformersVersion),
    /is required with Training Compiler.*torch-compile/,
    'training.transformersVersion',
  );
  fails(await spec((s) => delete s.training.pytorchVersion), /is required/, 'training.pytorchVersion');
  fails(
    await spec((s) => {
      s.training.transformersVersion = '4.11';
    }),
    /same number of parts/,
  );
  const short = validateTraining(
    await spec((s) => {
      s.training.transformersVersion = '4.11';
      s.training.pytorchVersion = '1.9';
    }),
    'us-east-1',
  );
  assert.equal(
    short.image.uri,
    '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.9-transformers4.11-gpu-py38-cu111-ubuntu20.04',
  );
});

test('compiler: only the instance families p3, p3dn, g4dn, p4d, g5 (exact match)', async () => {
  for (const ok of ['ml.p3.2xlarge', 'ml.p3dn.24xlarge', 'ml.g4dn.xlarge', 'ml.p4d.24xlarge', 'ml.g5.2xlarge']) {
    validateTraining(
      await spec((s) => {
        s.training.instanceType = ok;
        s.training.transformersVersion = '4.17.0';
        s.training.pytorchVersion = '1.10.2';
      }),
      'us-east-1',
    );
  }
  for (const bad of ['ml.p4de.24xlarge', 'ml.p5.48xlarge', 'ml.g6.xlarge', 'ml.m5.xlarge']) {
    fails(
      await spec((s) => {
        s.training.instanceType = bad;
      }),
      /only the instance families p3, p3dn, g4dn, p4d, g5.*torch-compile/,
      'training.instanceType',
    );
  }
  // Not a training instance type at all (the API's TrainingInstanceType enum): that is said first.
  fails(
    await spec((s) => {
      s.training.instanceType = 'ml.g4ad.xlarge';
    }),
    /'ml\.g4ad\.xlarge' is not a SageMaker training instance type; did you mean ml\.g4dn\.xlarge\?/,
    'training.instanceType',
  );
  fails(
    await spec((s) => {
      s.training.instanceType = 'local';
    }),
    /Start Local Training/,
  );
});

test('compiler: PyTorch 1.9-1.11 only, with the way out', async () => {
  fails(
    await spec((s) => {
      s.training.pytorchVersion = '2.1.0';
      s.training.transformersVersion = '4.36.0';
    }),
    /only with Hugging Face PyTorch 1\.9-1\.11.*switch training\.compiler to "torch-compile" \(transformers 4\.56\.2 \/ PyTorch 2\.8\.0/,
  );
  fails(
    await spec((s) => {
      s.training.pytorchVersion = '1.8.1';
    }),
    /1\.9-1\.11/,
  );
  fails(
    await spec((s) => {
      s.training.pytorchVersion = '1.11.1';
      s.training.transformersVersion = '4.21.1';
    }),
    /1\.9-1\.11/,
  );
});

test('compiler: unknown combinations are refused with what exists', async () => {
  fails(
    await spec((s) => {
      s.training.transformersVersion = '4.12.0';
    }),
    /no Training Compiler image for transformers 4\.12\.0\. Available: transformers 4\.11\.0 \+ PyTorch 1\.9\.0 \(py38\), transformers 4\.17\.0/,
  );
  fails(
    await spec((s) => {
      s.training.pytorchVersion = '1.10.2';
    }),
    /transformers 4\.11\.0 has no Training Compiler image with PyTorch 1\.10\.2\. Available: transformers 4\.11\.0 \+ PyTorch 1\.9\.0/,
  );
  fails(
    await spec((s) => {
      s.training.pyVersion = 'py39';
    }),
    /py39 is not available.*py38/,
    'training.pyVersion',
  );
});

test('compiler: the region must have the image (4.11.0 in 5 regions, 4.17/4.21 in 33)', async () => {
  fails(
    await spec(),
    /not available in ap-south-1\. Regions: ca-west-1, eu-west-1, us-east-1, us-east-2, us-west-2/,
    'region',
    'ap-south-1',
  );
  const v = validateTraining(
    await spec((s) => {
      s.training.transformersVersion = '4.17.0';
      s.training.pytorchVersion = '1.10.2';
    }),
    'af-south-1',
  );
  assert.equal(
    v.image.uri,
    '626614931356.dkr.ecr.af-south-1.amazonaws.com/huggingface-pytorch-trcomp-training:1.10.2-transformers4.17.0-gpu-py38-cu113-ubuntu20.04',
  );
  fails(
    await spec((s) => {
      s.training.transformersVersion = '4.21.1';
      s.training.pytorchVersion = '1.11.0';
    }),
    /not available in cn-north-1/,
    'region',
    'cn-north-1',
  );
  const counts = TRAINING_IMAGES.filter((e) => e.kind === 'training-compiler').map(
    (e) => Object.keys(e.regions).length,
  );
  assert.deepEqual(counts, [5, 33, 33]);
});

test('compiler distribution: pytorchxla only on 1.11, and the only one there; multi-instance without it only warns (as the SDK)', async () => {
  const pt111 = (s: JobSpec) => {
    s.training.transformersVersion = '4.21.1';
    s.training.pytorchVersion = '1.11.0';
  };
  const auto = validateTraining(
    await spec((s) => {
      pt111(s);
      s.training.instanceCount = 2;
      s.training.instanceType = 'ml.p4d.24xlarge';
    }),
    'us-east-1',
  );
  assert.equal(auto.distribution, undefined);
  assert.match(
    auto.warnings.join('\n'),
    /Consider setting 'distribution' to 'pytorchxla' for distributed training with PyTorch >= 1\.11 and SageMaker Training Compiler enabled\./,
  );
  const warnEfa = validateTraining(
    await spec((s) => {
      pt111(s);
      s.training.distribution = 'pytorchxla';
    }),
    'us-east-1',
  );
  assert.match(warnEfa.warnings.join('\n'), /EFA/);
  fails(
    await spec((s) => {
      s.training.distribution = 'pytorchxla';
    }),
    /"pytorchxla" needs Training Compiler on PyTorch 1\.11/,
    'training.distribution',
  );
  fails(
    await spec((s) => {
      pt111(s);
      s.training.distribution = 'torch_distributed';
    }),
    /only distribution Training Compiler supports on PyTorch 1\.11/,
  );
  fails(
    await spec((s) => {
      s.training.distribution = 'torch_distributed';
    }),
    /needs a PyTorch >= 1\.13\.1 image/,
  );
  const none = validateTraining(
    await spec((s) => {
      pt111(s);
      s.training.distribution = 'none';
      s.training.instanceCount = 2;
    }),
    'us-east-1',
  );
  assert.equal(none.distribution, undefined);
  assert.match(none.warnings.join('\n'), /Consider setting 'distribution' to 'pytorchxla'/);
  const old = validateTraining(
    await spec((s) => {
      s.training.instanceCount = 2;
    }),
    'us-east-1',
  );
  assert.match(old.warnings.join('\n'), /launcher script/);
});

test('compiler: debugger/profiler on and dynamic padding are warnings, not errors', async () => {
  const v = validateTraining(
    await spec((s) => {
      s.training.disableProfiler = false;
      s.dataset.padding = 'dynamic';
    }),
    'us-east-1',
  );
  assert.match(v.warnings.join('\n'), /recompilation overhead/);
  assert.match(v.warnings.join('\n'), /recompiles/);
});

test('torch-compile: newest image by default, PyTorch 2.x required, pytorchxla refused, torch_distributed advised for multi-instance', async () => {
  const v = validateTraining(
    await spec((s) => {
      torchCompile(s);
      s.training.instanceType = 'ml.g6.xlarge';
    }),
    'eu-west-1',
  );
  assert.equal(
    v.image.uri,
    '763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04',
  );
  const v5 = validateTraining(
    await spec((s) => {
      torchCompile(s);
      s.training.transformersVersion = '5.3.0';
      s.training.pytorchVersion = '2.9.0';
    }),
    'us-west-2',
  );
  assert.match(v5.image.uri, /huggingface-pytorch-training:2\.9\.0-transformers5\.3\.0-gpu-py312-cu130-ubuntu22\.04$/);
  fails(
    await spec((s) => {
      torchCompile(s);
      s.training.transformersVersion = '4.26.0';
      s.training.pytorchVersion = '1.13.1';
    }),
    /torch\.compile needs PyTorch 2\.x/,
  );
  fails(
    await spec((s) => {
      torchCompile(s);
      s.training.transformersVersion = '4.56.2';
    }),
    /give both/,
  );
  fails(
    await spec((s) => {
      torchCompile(s);
      s.training.distribution = 'pytorchxla';
    }),
    /only supported with Training Compiler/,
  );
  const multi = validateTraining(
    await spec((s) => {
      torchCompile(s);
      s.training.instanceCount = 4;
    }),
    'us-east-1',
  );
  assert.equal(multi.distribution, undefined);
  assert.match(multi.warnings.join('\n'), /Set "distribution": "torch_distributed"/);
  fails(
    await spec((s) => {
      torchCompile(s);
      s.training.instanceType = 'ml.m5.xlarge';
    }),
    /has no GPU; .*GPU-only/,
  );
  fails(
    await spec((s) => {
      torchCompile(s);
      s.training.transformersVersion = '4.57.0';
      s.training.pytorchVersion = '2.8.0';
    }),
    /no Hugging Face PyTorch training image for transformers 4\.57\.0/,
  );
  fails(
    await spec((s) => {
      torchCompile(s);
    }),
    /not available in ap-southeast-5/,
    'region',
    'ap-southeast-5',
  );
  const cn = resolveTrainingImage({
    kind: 'plain',
    transformers: '4.56.2',
    pytorch: '2.8.0',
    region: 'cn-north-1',
    instanceType: 'ml.g5.xlarge',
  });
  assert.equal(
    cn.uri,
    '727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-training:2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04',
  );
});

test('plain image without compilation (compiler none) and torch_distributed on old PyTorch', async () => {
  const v = validateTraining(
    await spec((s) => {
      s.training.compiler = 'none';
      s.training.transformersVersion = '4.11.0';
      s.training.pytorchVersion = '1.9.0';
    }),
    'eu-central-2',
  );
  assert.match(
    v.image.uri,
    /^380420809688\.dkr\.ecr\.eu-central-2\.amazonaws\.com\/huggingface-pytorch-training:1\.9\.0-transformers4\.11\.0-gpu-py38-cu111-ubuntu20\.04$/,
  );
  fails(
    await spec((s) => {
      s.training.compiler = 'none';
      s.training.distribution = 'torch_distributed';
    }),
    /needs PyTorch >= 1\.13\.1/,
  );
});

test('the compiler notice names the frozen state and the way out', () => {
  assert.match(COMPILER_NOTICE, /no longer updates SageMaker Training Compiler/);
  assert.match(COMPILER_NOTICE, /torch-compile/);
});
