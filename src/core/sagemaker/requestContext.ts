// What a Create*Job request needs from outside the spec (account, region, bucket, role, clock, token),
// and the parts every job request of this tool resolves the same way from it: the partition, the
// execution role ARN (spec.training.role wins) and the tags. Shared by the training and the Processing
// requests so both ask for a missing role in the same words and tag the same.
import { UserError } from '../errors';
import type { JobSpec } from '../spec/spec';
import { createdByTag } from './tags';
import { defaultBucketName } from './regions';

export interface RequestContext {
  account: string;
  region: string;
  bucket: string;
  /** Execution role ARN or name (spec.training.role wins). */
  role?: string;
  now: Date;
  partition?: string;
  /**
   * Hugging Face token (training.pushToHub; private or gated Hub datasets and tokenizers): sent as
   * Environment.HF_TOKEN, nowhere else, never logged.
   */
  hubToken?: string;
  /**
   * On-demand USD per instance-hour of the training instance, as the confirmation shows it, for
   * training.maxCostUsd; undefined when no price is known (a cap is then refused).
   */
  trainingPricePerHour?: number;
}

export const SPEC_TAG_KEY = 'sagemaker-hf:spec';

/**
 * Session(default_bucket=spec.bucket): the spec's bucket replaces the SDK's default sagemaker-{region}-{account};
 * a bucket chosen explicitly elsewhere (the CLI's --bucket) stays.
 */
export function sessionBucket(spec: Pick<JobSpec, 'bucket'>, bucket: string, region: string, account: string): string {
  return spec.bucket && bucket === defaultBucketName(region, account) ? spec.bucket : bucket;
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/** Session.expand_role: a value with '/' is an ARN already; a bare name becomes one in this account. */
export function roleArn(role: string, account: string, partition: string): string {
  return role.includes('/') || role.startsWith('arn:') ? role : `arn:${partition}:iam::${account}:role/${role}`;
}

/** The execution role's ARN, refusing (naming training.role) when neither the spec nor the context has one. */
export function executionRoleArn(spec: JobSpec, ctx: RequestContext): string {
  const role = spec.training.role ?? ctx.role;
  if (!role) {
    throw new UserError(
      'training.role: no execution role: set training.role in the spec, the sagemakerHf.executionRole setting, --role or SAGEMAKER_ROLE_ARN (a role SageMaker may assume)',
      'training.role',
    );
  }
  return roleArn(role, ctx.account, ctx.partition ?? partitionOfRegion(ctx.region));
}

/**
 * {created-by = sagemaker-hf}, and {spec = the spec file's name} when the spec came from a file. Tag values
 * allow letters, digits, spaces and _.:/=+-@ (256 max).
 */
export function jobTags(specFileName: string | undefined): { Key: string; Value: string }[] {
  return [
    createdByTag(),
    ...(specFileName !== undefined
      ? [{ Key: SPEC_TAG_KEY, Value: specFileName.replace(/[^\p{L}\p{N}\s_.:/=+\-@]/gu, '_').slice(0, 256) }]
      : []),
  ];
}
