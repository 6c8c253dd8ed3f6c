// Values checked against the SageMaker API's own rules (botocore's service model: the RoleArn pattern, the
// TrainingInstanceType / ProductionVariantInstanceType enums) before anything is uploaded or created, so a
// typo fails here with the fix in the message instead of after an upload, or as an AWS error.
import { ProcessingInstanceType, ProductionVariantInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors';

/** The API's RoleArn pattern and length (20-2048). */
export const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

export function roleArnProblem(arn: string): string | undefined {
  if (arn.length < 20 || arn.length > 2048 || !ROLE_ARN_PATTERN.test(arn)) {
    return `'${arn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME) or role name`;
  }
  return undefined;
}

/** Throws when the (expanded) role is not a role ARN; `field` names where the value came from. */
export function checkRoleArn(arn: string, field: string): void {
  const problem = roleArnProblem(arn);
  if (problem) {
    throw new UserError(
      `${field}: ${problem}. List the roles SageMaker can assume with 'sagemaker-hf connect --list-roles' (or "SageMaker HF: Select Execution Role")`,
      field.split(' ')[0],
    );
  }
}

/** A note when the role lives in another account than the connection (it then needs a cross-account trust). */
export function crossAccountNote(arn: string, account: string): string | undefined {
  const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(arn)?.[1];
  if (!roleAccount || !account || roleAccount === account) return undefined;
  return `the execution role ${arn} is in account ${roleAccount}, the connection is account ${account}: SageMaker in ${account} can only use it if the role trusts sagemaker.amazonaws.com and your identity may pass it (iam:PassRole across accounts); usually you want a role of ${account}`;
}

/** Levenshtein distance (small strings only). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest valid value, for "did you mean ...?". */
export function closest(value: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const v = value.toLowerCase().startsWith('ml.') ? value.toLowerCase() : `ml.${value.toLowerCase()}`;
  for (const c of valid) {
    const d = distance(v, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(3, Math.floor(v.length / 3)) ? best : undefined;
}

export const TRAINING_INSTANCE_TYPES: readonly string[] = Object.values(TrainingInstanceType);
export const ENDPOINT_INSTANCE_TYPES: readonly string[] = Object.values(ProductionVariantInstanceType);
const PROCESSING_INSTANCE_TYPES: readonly string[] = Object.values(ProcessingInstanceType);

const EXAMPLES = {
  training: 'ml.p3.2xlarge, ml.g5.xlarge',
  endpoint: 'ml.g4dn.xlarge, ml.m5.xlarge',
  processing: 'ml.c5.4xlarge, ml.m5.xlarge',
};

/** Throws unless the type is one the API accepts for this use, suggesting the nearest valid one. */
export function checkInstanceType(type: string, use: 'training' | 'endpoint' | 'processing', field: string): void {
  const valid =
    use === 'training'
      ? TRAINING_INSTANCE_TYPES
      : use === 'endpoint'
        ? ENDPOINT_INSTANCE_TYPES
        : PROCESSING_INSTANCE_TYPES;
  if (valid.includes(type)) return;
  const guess = closest(type, valid);
  throw new UserError(
    `${field}: '${type}' is not a SageMaker ${use} instance type${guess ? `; did you mean ${guess}?` : ` (e.g. ${EXAMPLES[use]})`}`,
    field,
  );
}

/** The API's integers are 32-bit: a larger value is refused by AWS after the request is printed as valid. */
export const API_INT_MAX = 2147483647;

/** S3's bucket naming rules (3-63 characters: lower-case letters, digits, '.', '-'), or undefined when it keeps them. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.includes('/')) return "contains '/': give the bucket name alone (a key prefix goes elsewhere)";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name))
    return 'is not an S3 bucket name (3-63 characters: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)';
  if (name.includes('..')) return "contains '..'";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'is formatted as an IP address';
  return undefined;
}

/** An S3 key prefix that stays a plain prefix: no '.'/'..' segments, no empty segment, no backslash. */
export function s3PrefixProblem(prefix: string): string | undefined {
  const segments = prefix.split('/');
  if (segments.some((s) => s === '..' || s === '.'))
    return `has a '${segments.find((s) => s === '..' || s === '.')}' segment, so the S3 keys would contain it literally ('${prefix}/train/...'), not go up a level`;
  if (segments.some((s) => s === '')) return 'has an empty segment (//)';
  if (prefix.includes('\\')) return "contains '\\' (S3 keys use '/')";
  return undefined;
}
