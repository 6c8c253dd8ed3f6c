// Training image catalogue: the Hugging Face Training Compiler images (frozen by AWS) and the current
// Hugging Face PyTorch training images, with the region -> ECR account tables, as in the SageMaker Python
// SDK's image_uri_config/huggingface-training-compiler.json and huggingface.json (read 2026-08, v2.257.6;
// 5.3.0 from SDK v3's sagemaker-core). An unknown combination is refused with the list of what exists.
import { UserError } from '../errors';

export type ImageKind = 'training-compiler' | 'plain';

export interface ImageEntry {
  kind: ImageKind;
  transformers: string;
  pytorch: string;
  py: string;
  repository: string;
  containerVersion: string;
  regions: Record<string, string>;
}

const A = '763104351884';
// Regions of the 4.17.0 / 4.21.1 compiler images (33).
const COMPILER_33: Record<string, string> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-east-2': '975050140332',
  'ap-northeast-1': A,
  'ap-northeast-2': A,
  'ap-northeast-3': '364406365360',
  'ap-south-1': A,
  'ap-south-2': '772153158452',
  'ap-southeast-1': A,
  'ap-southeast-2': A,
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ap-southeast-5': '550225433462',
  'ap-southeast-7': '590183813437',
  'ca-central-1': A,
  'ca-west-1': '204538143572',
  'eu-central-1': A,
  'eu-central-2': '380420809688',
  'eu-north-1': A,
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'eu-west-1': A,
  'eu-west-2': A,
  'eu-west-3': A,
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'mx-central-1': '637423239942',
  'sa-east-1': A,
  'us-east-1': A,
  'us-east-2': A,
  'us-west-1': A,
  'us-west-2': A,
};
// Regions of the 4.11.0 compiler images (5).
const COMPILER_5: Record<string, string> = {
  'ca-west-1': '204538143572',
  'eu-west-1': A,
  'us-east-1': A,
  'us-east-2': A,
  'us-west-2': A,
};
// Regions of the plain HF PyTorch images >= 1.13.1 (31).
const PLAIN_31: Record<string, string> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-1': A,
  'ap-northeast-2': A,
  'ap-northeast-3': '364406365360',
  'ap-south-1': A,
  'ap-southeast-1': A,
  'ap-southeast-2': A,
  'ap-southeast-3': '907027046896',
  'ca-central-1': A,
  'ca-west-1': '204538143572',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-central-1': A,
  'eu-north-1': A,
  'eu-south-1': '692866216735',
  'eu-west-1': A,
  'eu-west-2': A,
  'eu-west-3': A,
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'sa-east-1': A,
  'us-east-1': A,
  'us-east-2': A,
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
  'us-iso-east-1': '886529160074',
  'us-isob-east-1': '094389454867',
  'us-west-1': A,
  'us-west-2': A,
};
// The older plain HF entries (<= 4.17.0) have four more regions (35).
const PLAIN_35: Record<string, string> = {
  ...PLAIN_31,
  'ap-south-2': '772153158452',
  'ap-southeast-4': '457447274322',
  'eu-central-2': '380420809688',
  'eu-south-2': '503227376785',
};

const TRCOMP = 'huggingface-pytorch-trcomp-training';
const PLAIN = 'huggingface-pytorch-training';

export const TRAINING_IMAGES: readonly ImageEntry[] = [
  {
    kind: 'training-compiler',
    transformers: '4.11.0',
    pytorch: '1.9.0',
    py: 'py38',
    repository: TRCOMP,
    containerVersion: 'cu111-ubuntu20.04',
    regions: COMPILER_5,
  },
  {
    kind: 'training-compiler',
    transformers: '4.17.0',
    pytorch: '1.10.2',
    py: 'py38',
    repository: TRCOMP,
    containerVersion: 'cu113-ubuntu20.04',
    regions: COMPILER_33,
  },
  {
    kind: 'training-compiler',
    transformers: '4.21.1',
    pytorch: '1.11.0',
    py: 'py38',
    repository: TRCOMP,
    containerVersion: 'cu113-ubuntu20.04',
    regions: COMPILER_33,
  },
  {
    kind: 'plain',
    transformers: '5.3.0',
    pytorch: '2.9.0',
    py: 'py312',
    repository: PLAIN,
    containerVersion: 'cu130-ubuntu22.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.56.2',
    pytorch: '2.8.0',
    py: 'py312',
    repository: PLAIN,
    containerVersion: 'cu129-ubuntu22.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.55.0',
    pytorch: '2.7.1',
    py: 'py312',
    repository: PLAIN,
    containerVersion: 'cu128-ubuntu22.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.49.0',
    pytorch: '2.5.1',
    py: 'py311',
    repository: PLAIN,
    containerVersion: 'cu124-ubuntu22.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.48.0',
    pytorch: '2.3.0',
    py: 'py311',
    repository: PLAIN,
    containerVersion: 'cu121-ubuntu20.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.46.1',
    pytorch: '2.3.0',
    py: 'py311',
    repository: PLAIN,
    containerVersion: 'cu121-ubuntu20.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.36.0',
    pytorch: '2.1.0',
    py: 'py310',
    repository: PLAIN,
    containerVersion: 'cu121-ubuntu20.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.28.1',
    pytorch: '2.0.0',
    py: 'py310',
    repository: PLAIN,
    containerVersion: 'cu118-ubuntu20.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.26.0',
    pytorch: '1.13.1',
    py: 'py39',
    repository: PLAIN,
    containerVersion: 'cu117-ubuntu20.04',
    regions: PLAIN_31,
  },
  {
    kind: 'plain',
    transformers: '4.11.0',
    pytorch: '1.9.0',
    py: 'py38',
    repository: PLAIN,
    containerVersion: 'cu111-ubuntu20.04',
    regions: PLAIN_35,
  },
];

/** The image a spec without versions gets on the torch-compile / none paths: the newest in SDK v2. */
export const DEFAULT_PLAIN = { transformers: '4.56.2', pytorch: '2.8.0' } as const;

export interface ImageQuery {
  kind: ImageKind;
  transformers: string;
  pytorch: string;
  py?: string;
  region: string;
  instanceType: string;
}

export interface ResolvedImage {
  uri: string;
  entry: ImageEntry;
  account: string;
}

/** '4.11' -> '4.11.0' when the catalogue has exactly that full version (the SDK's version aliases). */
function matches(full: string, typed: string): boolean {
  return full === typed || full.split('.').slice(0, 2).join('.') === typed;
}

export function processorOf(instanceType: string): 'gpu' | 'cpu' {
  if (instanceType === 'local_gpu') return 'gpu';
  const family = instanceType.split('.')[1] ?? '';
  return family.startsWith('g') || family.startsWith('p') ? 'gpu' : 'cpu';
}

function list(entries: readonly ImageEntry[]): string {
  return entries.map((e) => `transformers ${e.transformers} + PyTorch ${e.pytorch} (${e.py})`).join(', ');
}

/** ECR host: China regions use amazonaws.com.cn, the ISO regions their own domains. */
export function ecrHost(region: string): string {
  if (region.startsWith('cn-')) return `ecr.${region}.amazonaws.com.cn`;
  if (region === 'us-iso-east-1') return 'ecr.us-iso-east-1.c2s.ic.gov';
  if (region === 'us-isob-east-1') return 'ecr.us-isob-east-1.sc2s.sgov.gov';
  return `ecr.${region}.amazonaws.com`;
}

/** image_uris.retrieve(): the image URI, or a UserError saying what exists. */
export function resolveTrainingImage(q: ImageQuery): ResolvedImage {
  const family = q.kind === 'training-compiler' ? 'Training Compiler' : 'Hugging Face PyTorch training';
  const ofKind = TRAINING_IMAGES.filter((e) => e.kind === q.kind);
  const byTf = ofKind.filter((e) => matches(e.transformers, q.transformers));
  if (byTf.length === 0) {
    throw new UserError(
      `training.transformersVersion: no ${family} image for transformers ${q.transformers}. Available: ${list(ofKind)}` +
        (q.kind === 'training-compiler'
          ? '. For newer versions set training.compiler to "torch-compile" (a current Hugging Face PyTorch 2.x image).'
          : ''),
      'training.transformersVersion',
    );
  }
  const entry = byTf.find((e) => matches(e.pytorch, q.pytorch));
  if (!entry) {
    throw new UserError(
      `training.pytorchVersion: transformers ${q.transformers} has no ${family} image with PyTorch ${q.pytorch}. Available: ${list(byTf)}`,
      'training.pytorchVersion',
    );
  }
  if (q.py && q.py !== entry.py) {
    throw new UserError(
      `training.pyVersion: ${q.py} is not available for transformers ${entry.transformers} + PyTorch ${entry.pytorch}; the image has ${entry.py}`,
      'training.pyVersion',
    );
  }
  const processor = processorOf(q.instanceType);
  if (processor !== 'gpu') {
    throw new UserError(
      `training.instanceType: ${q.instanceType} has no GPU; the ${family} images are GPU-only. Pick a GPU instance (for example ml.g5.xlarge or ml.p3.2xlarge).`,
      'training.instanceType',
    );
  }
  const account = entry.regions[q.region];
  if (!account) {
    throw new UserError(
      `region: the ${family} image transformers ${entry.transformers} + PyTorch ${entry.pytorch} is not available in ${q.region}. Regions: ${Object.keys(entry.regions).sort().join(', ')}`,
      'region',
    );
  }
  // The tag uses the versions as typed (short versions give short tags, as the SDK does).
  const tag = `${q.pytorch}-transformers${q.transformers}-${processor}-${entry.py}-${entry.containerVersion}`;
  return { uri: `${account}.dkr.${ecrHost(q.region)}/${entry.repository}:${tag}`, entry, account };
}
