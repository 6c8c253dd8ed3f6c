// The Hugging Face PyTorch inference image (DLC) for a trained model, resolved as the SageMaker Python
// SDK's image_uris.retrieve("huggingface", ..., image_scope="inference") does: the framework versions of
// the training job, GPU or CPU by instance family, and the ECR account of the region.
import { UserError } from '../errors';

interface InferenceImage {
  transformers: string;
  pytorch: string;
  py: string;
  gpu: string;
  cpu: string;
}

// The SDK's image_uri_config/huggingface.json "inference" versions (PyTorch base frameworks only).
const MATRIX: InferenceImage[] = [
  { transformers: '4.6.1', pytorch: '1.7.1', py: 'py36', gpu: 'cu110-ubuntu18.04', cpu: 'ubuntu18.04' },
  { transformers: '4.6.1', pytorch: '1.8.1', py: 'py36', gpu: 'cu111-ubuntu18.04', cpu: 'ubuntu18.04' },
  { transformers: '4.10.2', pytorch: '1.8.1', py: 'py36', gpu: 'cu111-ubuntu18.04', cpu: 'ubuntu18.04' },
  { transformers: '4.10.2', pytorch: '1.9.0', py: 'py38', gpu: 'cu111-ubuntu20.04', cpu: 'ubuntu20.04' },
  { transformers: '4.11.0', pytorch: '1.9.0', py: 'py38', gpu: 'cu111-ubuntu20.04', cpu: 'ubuntu20.04' },
  { transformers: '4.12.3', pytorch: '1.9.1', py: 'py38', gpu: 'cu111-ubuntu20.04', cpu: 'ubuntu20.04' },
  { transformers: '4.17.0', pytorch: '1.10.2', py: 'py38', gpu: 'cu113-ubuntu20.04', cpu: 'ubuntu20.04' },
  { transformers: '4.26.0', pytorch: '1.13.1', py: 'py39', gpu: 'cu117-ubuntu20.04', cpu: 'ubuntu20.04' },
  { transformers: '4.28.1', pytorch: '2.0.0', py: 'py310', gpu: 'cu118-ubuntu20.04', cpu: 'ubuntu20.04' },
  { transformers: '4.37.0', pytorch: '2.1.0', py: 'py310', gpu: 'cu118-ubuntu20.04', cpu: 'ubuntu22.04' },
  { transformers: '4.48.0', pytorch: '2.3.0', py: 'py311', gpu: 'cu121-ubuntu22.04', cpu: 'ubuntu22.04' },
  { transformers: '4.49.0', pytorch: '2.6.0', py: 'py312', gpu: 'cu124-ubuntu22.04', cpu: 'ubuntu22.04' },
  { transformers: '4.51.3', pytorch: '2.6.0', py: 'py312', gpu: 'cu124-ubuntu22.04', cpu: 'ubuntu22.04' },
  // SDK v3 (sagemaker-core image_uri_config/huggingface.json): the newest inference image, and the one a
  // transformers 5.x model needs (4.x cannot load 5.x checkpoints' configs reliably).
  { transformers: '5.5.3', pytorch: '2.6.0', py: 'py312', gpu: 'cu124-ubuntu22.04', cpu: 'ubuntu22.04' },
];

/** The newest inference image the table knows; used when the training versions are unknown. */
export const CURRENT_INFERENCE_VERSIONS = { transformers: '5.5.3', pytorch: '2.6.0', py: 'py312' } as const;

const DEFAULT_ACCOUNT = '763104351884';
const REGION_ACCOUNTS: Record<string, string> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-3': '364406365360',
  'ap-south-2': '772153158452',
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ca-west-1': '204538143572',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-central-2': '380420809688',
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
  'us-iso-east-1': '886529160074',
  'us-isob-east-1': '094389454867',
};
const DEFAULT_ACCOUNT_REGIONS = new Set([
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
]);

export function ecrRegistry(region: string): string {
  const account = DEFAULT_ACCOUNT_REGIONS.has(region) ? DEFAULT_ACCOUNT : REGION_ACCOUNTS[region];
  if (!account)
    throw new UserError(
      `region: the Hugging Face inference images are not published in '${region}'. Deploy in a region such as us-east-1 or eu-west-1.`,
      'region',
    );
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export type Processor = 'gpu' | 'cpu';

/** GPU for the g* and p* families, CPU otherwise (the SDK's rule); Inferentia needs other images. */
export function processorFor(instanceType: string): Processor {
  const m = /^ml\.([a-z]+)\d/.exec(instanceType);
  if (!m)
    throw new UserError(
      `instanceType: '${instanceType}' is not a SageMaker instance type (expected e.g. ml.g4dn.xlarge or ml.m5.xlarge)`,
      'instanceType',
    );
  const family = m[1]!;
  if (family.startsWith('inf') || family.startsWith('trn')) {
    throw new UserError(
      `instanceType: ${instanceType} needs the Neuron inference images, which this extension does not build models for. Pick a GPU (ml.g4dn.xlarge) or CPU (ml.m5.xlarge) instance.`,
      'instanceType',
    );
  }
  return family.startsWith('g') || family.startsWith('p') ? 'gpu' : 'cpu';
}

export interface FrameworkVersions {
  transformers: string;
  pytorch: string;
  py?: string;
}

/**
 * Versions from a Hugging Face training image tag, e.g.
 * `…/huggingface-pytorch-trcomp-training:1.9.0-transformers4.11.0-gpu-py38-cu111-ubuntu20.04`.
 */
export function versionsFromTrainingImage(image: string | undefined): FrameworkVersions | undefined {
  const tag = image?.split('/').pop()?.split(':')[1];
  const m = tag && /^(\d+\.\d+(?:\.\d+)?)-transformers(\d+\.\d+(?:\.\d+)?)-(?:gpu|cpu)-(py\d+)/.exec(tag);
  return m ? { pytorch: m[1]!, transformers: m[2]!, py: m[3]! } : undefined;
}

function cmp(a: string, b: string): number {
  const pa = a.split('.').map(Number),
    pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export interface ResolvedImage {
  uri: string;
  transformers: string;
  pytorch: string;
  py: string;
  processor: Processor;
  /** True when the image has exactly the training versions. */
  exact: boolean;
  /** Why another version was picked, for the confirmation and the log. */
  note?: string;
}

/** The newest inference image in SDK v2's catalogue (huggingface.json, v2.257.6); newer ones are beyond it. */
export const SDK_V2_NEWEST_INFERENCE = '4.51.3';

/** '4.17' names 4.17.0 as the SDK's version_aliases do (the catalogue has one full version per minor). */
function sameVersion(full: string, typed: string): boolean {
  return full === typed || (typed.split('.').length === 2 && full.split('.').slice(0, 2).join('.') === typed);
}

/**
 * The inference image for the training versions: the exact pair when published (short versions such as
 * "4.17" / "1.10" keep the strings as given in the tag, as the SDK's image_uris.retrieve does); otherwise
 * the oldest image with the same PyTorch and transformers at least as new (a model saved by one
 * transformers release loads in later ones); otherwise the oldest image newer on both; otherwise the
 * current one. Where SDK v2's deploy() would have failed (no such image in its catalogue) or an image
 * beyond that catalogue is used, `note` says which image and why.
 */
export function inferenceImage(
  versions: FrameworkVersions | undefined,
  instanceType: string,
  region: string,
): ResolvedImage {
  const processor = processorFor(instanceType);
  const registry = ecrRegistry(region);
  let pick: InferenceImage | undefined;
  let note: string | undefined;
  let tagVersions: { transformers: string; pytorch: string } | undefined;
  if (!versions) {
    pick = MATRIX.find((e) => e.transformers === CURRENT_INFERENCE_VERSIONS.transformers);
    note = `training versions unknown; using the current inference image (transformers ${CURRENT_INFERENCE_VERSIONS.transformers})`;
  } else {
    const t = versions.transformers,
      p = versions.pytorch;
    pick = MATRIX.find((e) => sameVersion(e.transformers, t) && sameVersion(e.pytorch, p));
    if (pick) tagVersions = { transformers: t, pytorch: p };
    pick ??=
      MATRIX.find((e) => sameVersion(e.pytorch, p) && cmp(e.transformers, t) >= 0) ??
      MATRIX.find((e) => cmp(e.pytorch, p) >= 0 && cmp(e.transformers, t) >= 0) ??
      MATRIX[MATRIX.length - 1];
    if (pick && !tagVersions) {
      const newer = cmp(pick.transformers, t) >= 0 && cmp(pick.pytorch, p) >= 0;
      note = `SDK v2 has no inference image for transformers ${t} / PyTorch ${p} (its deploy() would fail); using transformers ${pick.transformers} / PyTorch ${pick.pytorch}, ${newer ? 'the nearest newer' : 'the newest there is'}`;
    }
  }
  const e = pick!;
  if (cmp(e.transformers, SDK_V2_NEWEST_INFERENCE) > 0) {
    note = `${note ? `${note}; ` : ''}transformers ${e.transformers} / PyTorch ${e.pytorch} is newer than SDK v2's catalogue (it ends at ${SDK_V2_NEWEST_INFERENCE}), used on purpose`;
  }
  const container = processor === 'gpu' ? e.gpu : e.cpu;
  const tag = tagVersions ?? e;
  return {
    uri: `${registry}/huggingface-pytorch-inference:${tag.pytorch}-transformers${tag.transformers}-${processor}-${e.py}-${container}`,
    transformers: e.transformers,
    pytorch: e.pytorch,
    py: e.py,
    processor,
    exact: !!tagVersions,
    ...(note ? { note } : {}),
  };
}

/**
 * HuggingFaceModel(transformers_version=, pytorch_version=, py_version=): the SDK needs all three
 * (validate_version_or_image_args) and image_uris.retrieve refuses a combination its catalogue lacks, so
 * no nearest image is substituted here; the error names the published pairs instead.
 */
export function namedInferenceImage(
  versions: Partial<Required<FrameworkVersions>>,
  instanceType: string,
  region: string,
): ResolvedImage {
  const { transformers, pytorch, py } = versions;
  if (!transformers || !pytorch || !py)
    throw new UserError(
      'transformers-version: give --transformers-version, --pytorch-version and --py-version together (HuggingFaceModel needs all three to pick its image)',
      'transformers-version',
    );
  const image = inferenceImage({ transformers, pytorch }, instanceType, region);
  const published = MATRIX.map((e) => `${e.transformers}/${e.pytorch}/${e.py}`).join(', ');
  if (!image.exact)
    throw new UserError(
      `transformers-version: there is no Hugging Face inference image for transformers ${transformers} / PyTorch ${pytorch} (the SDK's image_uris.retrieve refuses it); published: ${published}`,
      'transformers-version',
    );
  if (py !== image.py)
    throw new UserError(
      `py-version: the inference image for transformers ${transformers} / PyTorch ${pytorch} is built for ${image.py}, not ${py}`,
      'py-version',
    );
  const { note: _beyond, ...rest } = image;
  return {
    ...rest,
    note: `HuggingFaceModel(transformers_version='${transformers}', pytorch_version='${pytorch}', py_version='${py}') image`,
  };
}

/** Versions of an inference image URI (to pick request parameters the toolkit's pipeline understands). */
export function versionsFromInferenceImage(image: string | undefined): FrameworkVersions | undefined {
  return versionsFromTrainingImage(image);
}

/**
 * Whether the image's text-classification pipeline takes `top_k` (modern) rather than only
 * `return_all_scores` (4.1x). top_k arrived during 4.2x; 4.26 is the first image that surely has it.
 */
export function supportsTopK(transformers: string | undefined): boolean {
  return !transformers || cmp(transformers, '4.26.0') >= 0;
}

/** Every Hugging Face PyTorch inference image the catalogue knows, oldest first (for `sagemaker-hf images`). */
export function inferenceImageRows(): readonly {
  transformers: string;
  pytorch: string;
  py: string;
  gpuTag: string;
  cpuTag: string;
}[] {
  return MATRIX.map((e) => ({
    transformers: e.transformers,
    pytorch: e.pytorch,
    py: e.py,
    gpuTag: `${e.pytorch}-transformers${e.transformers}-gpu-${e.py}-${e.gpu}`,
    cpuTag: `${e.pytorch}-transformers${e.transformers}-cpu-${e.py}-${e.cpu}`,
  }));
}

/** The regions that publish the Hugging Face inference images (all versions alike). */
export function inferenceImageRegions(): string[] {
  return [...DEFAULT_ACCOUNT_REGIONS, ...Object.keys(REGION_ACCOUNTS)].sort();
}
