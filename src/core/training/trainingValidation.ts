// Checks a training spec the way the SageMaker Python SDK checks HuggingFace(..., compiler_config=...)
// (constructor, TrainingCompilerConfig.validate, distribution rules, image resolution), before anything
// is uploaded or created. Every error says what is allowed and the way out.
import { UserError } from '../errors';
import { checkInstanceType } from '../sagemaker/apiChecks';
import type { JobSpec, TrainingSpec } from '../spec/spec';
import { DEFAULT_PLAIN, processorOf, resolveTrainingImage, type ResolvedImage } from '../images/trainingImages';

/** Instance families Training Compiler supports (exact match, as SDK-latest). */
export const COMPILER_FAMILIES = ['p3', 'p3dn', 'g4dn', 'p4d', 'g5'] as const;
/** Instance types with EFA that the SDK recommends for pytorchxla (else it warns). */
export const PYTORCHXLA_EFA_TYPES = [
  'ml.g4dn.8xlarge',
  'ml.g4dn.12xlarge',
  'ml.g5.48xlarge',
  'ml.p3dn.24xlarge',
  'ml.p4d.24xlarge',
];

export const COMPILER_NOTICE =
  'AWS no longer updates SageMaker Training Compiler: no new releases or versions, existing images get no patches, and SageMaker Python SDK v3 has no support for it. ' +
  'Its newest image is transformers 4.21.1 + PyTorch 1.11. For current versions set "compiler": "torch-compile" in the spec: ' +
  `a Hugging Face PyTorch 2.x image (transformers ${DEFAULT_PLAIN.transformers} / PyTorch ${DEFAULT_PLAIN.pytorch}) with torch.compile in train.py.`;

const WAY_OUT = `switch training.compiler to "torch-compile" (transformers ${DEFAULT_PLAIN.transformers} / PyTorch ${DEFAULT_PLAIN.pytorch}, no transformersVersion/pytorchVersion needed)`;

export interface ValidatedTraining {
  image: ResolvedImage;
  transformers: string;
  pytorch: string;
  distribution?: 'pytorchxla' | 'torch_distributed';
  /** Things the SDK only warns about, and our own advice. */
  warnings: string[];
  /** Where we go beyond SDK v2 on purpose (which image and why), for the dry-run and the confirmation. */
  notes: string[];
}

/** The newest Hugging Face PyTorch training image in SDK v2's catalogue (huggingface.json, v2.257.6). */
export const SDK_V2_NEWEST_TRAINING = { transformers: '4.56.2', pytorch: '2.8.0' } as const;

/** PEP 440-ish numeric compare of dotted versions ("1.10.2" > "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number),
    pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function fail(field: string, msg: string): never {
  throw new UserError(`${field}: ${msg}`, field);
}

export interface DistributionAdvice {
  message: string;
  /** The distribution that makes the instances train together, when one exists for this image. */
  suggested?: 'pytorchxla' | 'torch_distributed';
}

/**
 * A multi-instance job without a distribution: the SDK sends no distribution keys, so SageMaker starts the
 * script on every instance on its own. The SDK warns only for Training Compiler on PyTorch >= 1.11 (its
 * text is quoted); the other cases get our own advice. Shared by the CLI, the confirmation and the
 * editor's diagnostic on instanceCount.
 */
export function distributionAdvice(t: {
  compiler?: string;
  instanceCount?: number;
  distribution?: string;
  pytorchVersion?: string;
}): DistributionAdvice | undefined {
  const count = t.instanceCount ?? 1;
  if (count <= 1 || (t.distribution && t.distribution !== 'none')) return undefined;
  const alone = `instanceCount ${count} without a distribution: SageMaker starts the script on each instance on its own (nothing is sent to make them train together)`;
  if (t.compiler === 'training-compiler') {
    const pytorch = t.pytorchVersion ?? '';
    if (pytorch && compareVersions(pytorch, '1.11') >= 0) {
      return {
        message: `${alone}. Consider setting 'distribution' to 'pytorchxla' for distributed training with PyTorch >= 1.11 and SageMaker Training Compiler enabled.`,
        suggested: 'pytorchxla',
      };
    }
    return {
      message: `${alone}. Training Compiler on PyTorch ${pytorch || '< 1.11'} needs a launcher script (torch_xla.distributed.sm_dist) for multi-instance jobs; consider transformers 4.21.1 / PyTorch 1.11.0 with distribution "pytorchxla"`,
    };
  }
  if (t.distribution === 'none')
    return { message: `instanceCount ${count} with distribution "none": each instance trains alone on the full data` };
  return {
    message: `${alone}. Set "distribution": "torch_distributed" to run torchrun across the instances.`,
    suggested: 'torch_distributed',
  };
}

export function validateTraining(spec: JobSpec, region: string): ValidatedTraining {
  const t: TrainingSpec = spec.training;
  const warnings: string[] = [];
  const count = t.instanceCount ?? 1;
  if (t.instanceType === 'local' || t.instanceType.startsWith('local')) {
    fail(
      'training.instanceType',
      `"${t.instanceType}" trains on this machine: use "Start Local Training" (sagemaker-hf run) instead, or set an ml.* GPU instance type for SageMaker`,
    );
  }
  checkInstanceType(t.instanceType, 'training', 'training.instanceType');
  const compiler = t.compiler ?? 'none';
  let transformers = t.transformersVersion;
  let pytorch = t.pytorchVersion;

  if (t.compilerDebug && compiler !== 'training-compiler') {
    fail(
      'training.compilerDebug',
      `only applies to compiler "training-compiler" (it is TrainingCompilerConfig(debug=True)); remove it for compiler "${compiler}"`,
    );
  }
  if (compiler === 'training-compiler') {
    // HuggingFace._validate_args
    if (!transformers)
      fail(
        'training.transformersVersion',
        `is required with Training Compiler (one of 4.11.0, 4.17.0, 4.21.1); or ${WAY_OUT}`,
      );
    if (!pytorch)
      fail(
        'training.pytorchVersion',
        `is required with Training Compiler (1.9.0 with transformers 4.11.0, 1.10.2 with 4.17.0, 1.11.0 with 4.21.1); or ${WAY_OUT}`,
      );
    if (transformers.split('.').length !== pytorch.split('.').length) {
      fail(
        'training.pytorchVersion',
        `write transformersVersion and pytorchVersion with the same number of parts (both "4.11.0"/"1.9.0" or both "4.11"/"1.9"), got "${transformers}" and "${pytorch}"`,
      );
    }
    // TrainingCompilerConfig.validate: instance family, exact match.
    const family = t.instanceType.split('.')[1] ?? '';
    if (!(COMPILER_FAMILIES as readonly string[]).includes(family)) {
      fail(
        'training.instanceType',
        `Training Compiler supports only the instance families ${COMPILER_FAMILIES.join(', ')} (e.g. ml.p3.2xlarge, ml.g5.xlarge); "${family}" (${t.instanceType}) is not one of them. Pick one of those, or ${WAY_OUT}`,
      );
    }
    // HF TrainingCompilerConfig.validate: PyTorch 1.9-1.11.
    if (compareVersions(pytorch, '1.9') < 0 || compareVersions(pytorch, '1.11') > 0) {
      fail(
        'training.pytorchVersion',
        `Training Compiler works only with Hugging Face PyTorch 1.9-1.11 (got ${pytorch}); ${WAY_OUT}`,
      );
    }
    const pt111 = compareVersions(pytorch, '1.11') >= 0;
    // As the SDK: a multi-instance job without distribution gets no distribution keys, only a warning.
    const distribution = t.distribution;
    if (distribution === 'pytorchxla') {
      if (!pt111)
        fail(
          'training.distribution',
          `"pytorchxla" needs Training Compiler on PyTorch 1.11 (transformers 4.21.1 / PyTorch 1.11.0), got PyTorch ${pytorch}. Use transformersVersion "4.21.1" and pytorchVersion "1.11.0", or remove distribution`,
        );
      if (!PYTORCHXLA_EFA_TYPES.includes(t.instanceType)) {
        warnings.push(
          `pytorchxla on ${t.instanceType}: AWS recommends an EFA instance type (${PYTORCHXLA_EFA_TYPES.join(', ')}) for distributed Training Compiler jobs`,
        );
      }
    } else if (distribution === 'torch_distributed') {
      fail(
        'training.distribution',
        pt111
          ? `"pytorchxla" is the only distribution Training Compiler supports on PyTorch 1.11: set distribution to "pytorchxla", or ${WAY_OUT}`
          : `"torch_distributed" needs a PyTorch >= 1.13.1 image; Training Compiler on PyTorch ${pytorch} has no distribution setting. Remove distribution, or ${WAY_OUT}`,
      );
    }
    const advice = distributionAdvice({ compiler, instanceCount: count, distribution, pytorchVersion: pytorch });
    if (advice) warnings.push(advice.message);
    if (t.compilerDebug) {
      // TrainingCompilerConfig.disclaimers_and_warnings
      warnings.push(
        'Training Compiler debugging is enabled: it dumps detailed logs from compilation to /opt/ml/output/data/compiler/ (they end up in output.tar.gz). This might impair training performance.',
      );
    }
    if (t.debuggerHookConfig !== false || t.disableProfiler !== true) {
      warnings.push(
        'Debugger and Profiler add recompilation overhead with Training Compiler: set "disableProfiler": true and "debuggerHookConfig": false',
      );
    }
    if (spec.dataset.padding === 'dynamic') {
      warnings.push(
        'dataset.padding "dynamic" makes every batch a new shape, and Training Compiler (XLA) recompiles for each: use "max_length" or "auto"',
      );
    }
    for (const k of ['torch_compile', 'torch_compile_mode']) {
      if (k in t.hyperparameters)
        warnings.push(
          `training.hyperparameters.${k}: torch.compile does not exist in the Training Compiler images (PyTorch ${pytorch}); train.py will refuse it`,
        );
    }
    const image = resolveTrainingImage({
      kind: 'training-compiler',
      transformers,
      pytorch,
      py: t.pyVersion,
      region,
      instanceType: t.instanceType,
    });
    return {
      image,
      transformers,
      pytorch,
      distribution: distribution === 'none' ? undefined : distribution,
      warnings,
      notes: [],
    };
  }

  // Plain Hugging Face PyTorch image (torch-compile or none).
  if (!transformers !== !pytorch) {
    fail(
      transformers ? 'training.pytorchVersion' : 'training.transformersVersion',
      'give both transformersVersion and pytorchVersion, or neither (then the newest image is used)',
    );
  }
  transformers ??= DEFAULT_PLAIN.transformers;
  pytorch ??= DEFAULT_PLAIN.pytorch;
  if (transformers.split('.').length !== pytorch.split('.').length) {
    fail(
      'training.pytorchVersion',
      `write transformersVersion and pytorchVersion with the same number of parts, got "${transformers}" and "${pytorch}"`,
    );
  }
  if (compiler === 'torch-compile' && compareVersions(pytorch, '2') < 0) {
    fail(
      'training.pytorchVersion',
      `torch.compile needs PyTorch 2.x (got ${pytorch}): use transformers ${DEFAULT_PLAIN.transformers} / PyTorch ${DEFAULT_PLAIN.pytorch}, or remove both versions`,
    );
  }
  const distribution = t.distribution;
  if (distribution === 'pytorchxla') {
    fail(
      'training.distribution',
      `"pytorchxla" is only supported with Training Compiler (compiler "training-compiler", transformers 4.21.1 / PyTorch 1.11.0); for ${compiler === 'torch-compile' ? 'torch.compile' : 'this image'} use "torch_distributed"`,
    );
  }
  if (distribution === 'torch_distributed') {
    if (compareVersions(pytorch, '1.13.1') < 0)
      fail(
        'training.distribution',
        `"torch_distributed" needs PyTorch >= 1.13.1 (got ${pytorch}); use transformers ${DEFAULT_PLAIN.transformers} / PyTorch ${DEFAULT_PLAIN.pytorch}`,
      );
    if (processorOf(t.instanceType) !== 'gpu')
      fail('training.instanceType', `"torch_distributed" needs GPU instances, got ${t.instanceType}`);
  }
  const advice = distributionAdvice({ compiler, instanceCount: count, distribution, pytorchVersion: pytorch });
  if (advice) warnings.push(advice.message);
  const image = resolveTrainingImage({
    kind: 'plain',
    transformers,
    pytorch,
    py: t.pyVersion,
    region,
    instanceType: t.instanceType,
  });
  const notes: string[] = [];
  if (compareVersions(image.entry.transformers, SDK_V2_NEWEST_TRAINING.transformers) > 0) {
    notes.push(
      `training image transformers ${image.entry.transformers} / PyTorch ${image.entry.pytorch}: newer than SDK v2's catalogue, which ends at transformers ${SDK_V2_NEWEST_TRAINING.transformers} / PyTorch ${SDK_V2_NEWEST_TRAINING.pytorch} (SDK v2 would refuse this version); used on purpose from the current catalogue (${image.uri.split('/').pop()})`,
    );
  }
  return {
    image,
    transformers,
    pytorch,
    distribution: distribution === 'none' ? undefined : distribution,
    warnings,
    notes,
  };
}
