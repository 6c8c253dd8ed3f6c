// What `sagemaker-hf images` shows: every Hugging Face training image of the catalogue per compiler, and
// the inference images, with whether each exists in a region and, when it cannot be used, why (the same
// rules resolveTrainingImage and the validation apply), so a refused combination explains itself.
import { ecrRegistry, inferenceImageRegions, inferenceImageRows } from './inferenceImages';
import type { Compiler } from '../spec/spec';
import { TRAINING_IMAGES, ecrHost, type ImageEntry } from './trainingImages';

export interface TrainingImageRow {
  compiler: Compiler;
  transformers: string;
  pytorch: string;
  py: string;
  tag: string;
  /** Regions the image is published in. */
  regions: string[];
  /** When a region was asked: the image URI there, if published. */
  uri?: string;
  /** Why this compiler cannot use it (the region aside). */
  refused?: string;
}

export interface InferenceImageRow {
  transformers: string;
  pytorch: string;
  py: string;
  gpuTag: string;
  cpuTag: string;
  regions: string[];
  gpuUri?: string;
  cpuUri?: string;
}

export const COMPILERS: readonly Compiler[] = ['training-compiler', 'torch-compile', 'none'];

function major(v: string): number {
  return Number(v.split('.')[0]);
}

function tagOf(e: ImageEntry): string {
  return `${e.pytorch}-transformers${e.transformers}-gpu-${e.py}-${e.containerVersion}`;
}

/** Training images for one compiler (all three when none is given), newest first within each. */
export function trainingImageRows(compiler?: Compiler, region?: string): TrainingImageRow[] {
  const out: TrainingImageRow[] = [];
  for (const c of compiler ? [compiler] : COMPILERS) {
    const kind = c === 'training-compiler' ? 'training-compiler' : 'plain';
    for (const e of TRAINING_IMAGES.filter((x) => x.kind === kind)) {
      const refused = c === 'torch-compile' && major(e.pytorch) < 2 ? 'torch.compile needs PyTorch 2.x' : undefined;
      const account = region ? e.regions[region] : undefined;
      out.push({
        compiler: c,
        transformers: e.transformers,
        pytorch: e.pytorch,
        py: e.py,
        tag: tagOf(e),
        regions: Object.keys(e.regions).sort(),
        ...(account ? { uri: `${account}.dkr.${ecrHost(region!)}/${e.repository}:${tagOf(e)}` } : {}),
        ...(refused ? { refused } : {}),
      });
    }
  }
  return out;
}

export function inferenceRows(region?: string): InferenceImageRow[] {
  const regions = inferenceImageRegions();
  const registry = region && regions.includes(region) ? ecrRegistry(region) : undefined;
  return inferenceImageRows().map((r) => ({
    ...r,
    regions,
    ...(registry
      ? {
          gpuUri: `${registry}/huggingface-pytorch-inference:${r.gpuTag}`,
          cpuUri: `${registry}/huggingface-pytorch-inference:${r.cpuTag}`,
        }
      : {}),
  }));
}

/** Regions any Hugging Face image is published in (to tell a typo from an unsupported region). */
export function knownImageRegions(): string[] {
  return [...new Set([...TRAINING_IMAGES.flatMap((e) => Object.keys(e.regions)), ...inferenceImageRegions()])].sort();
}
