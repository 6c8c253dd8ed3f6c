// The manifest that makes a prepared dataset complete: s3://{bucket}/{s3Prefix}/.sagemaker-hf-manifest.json,
// written last by both the local prepare and the Processing prepare, read by training (it refuses a
// prefix without one) and by the dataset list. One type and one builder, so both prepares write the
// same fields in the same order and a reader never has to know which one wrote it.
import { version } from '../../../package.json';
import type { DatasetSpec } from '../spec/spec';

export const MANIFEST_NAME = '.sagemaker-hf-manifest.json';
/** The report's markdown beside the channel folders. */
export const REPORT_NAME = '.sagemaker-hf-report.md';
export const TOOL = `sagemaker-hf ${version}`;

/** One object of the dataset as it was uploaded (the shape aws/s3Upload's UploadedFile has). */
export interface ManifestFile {
  key: string;
  bytes: number;
  etag: string;
}

export interface ManifestChannel {
  split: string;
  rows: number;
  s3Uri: string;
  files: ManifestFile[];
}

export interface DatasetManifest {
  format: 'sagemaker-hf-dataset';
  formatVersion: 1;
  tool: string;
  createdAt: string;
  bucket: string;
  prefix: string;
  source: string;
  config?: string;
  tokenizer: string;
  padding: string;
  maxLength: number | null;
  labelNames: string[];
  channels: Record<string, ManifestChannel>;
  report: ManifestFile;
}

export interface ManifestInput {
  dataset: Pick<DatasetSpec, 'source' | 'config' | 'tokenizer'>;
  createdAt: string;
  bucket: string;
  prefix: string;
  padding: string;
  /** Stored row length; null for dynamic padding. */
  maxLength: number | null;
  labelNames: string[];
  channels: Record<string, ManifestChannel>;
  report: ManifestFile;
}

export function buildManifest(m: ManifestInput): DatasetManifest {
  const ds = m.dataset;
  return {
    format: 'sagemaker-hf-dataset',
    formatVersion: 1,
    tool: TOOL,
    createdAt: m.createdAt,
    bucket: m.bucket,
    prefix: m.prefix,
    source: typeof ds.source === 'string' ? ds.source : 'local files',
    ...(typeof ds.source === 'string' ? { config: ds.config ?? 'default' } : {}),
    tokenizer: ds.tokenizer,
    padding: m.padding,
    maxLength: m.maxLength,
    labelNames: m.labelNames,
    channels: m.channels,
    report: m.report,
  };
}

/** The manifest object's body as uploaded. */
export function manifestBody(m: DatasetManifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}
