// Connection: who am I (STS), in which region, with which execution role, and the SDK's default bucket
// `sagemaker-{region}-{account}`, resolved and created exactly as the SageMaker Python SDK does.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import { IAMClient, ListRolesCommand, type Role } from '@aws-sdk/client-iam';
import { client, endpointOf, type AwsTarget } from '../aws/clients';
import { awsErrorName, awsErrorStatus, describeAwsError } from '../aws/errors';
import { UserError } from '../core/errors';
import { defaultBucketName, regionProblem } from '../core/sagemaker/regions';
import type { SdkDefaults } from '../core/sagemaker/sdkDefaults';
import { defaultS3Bucket } from '../core/sagemaker/sdkDefaultsApply';
import { loadSdkDefaults } from './sdkDefaultsFiles';
import { sessionBucket } from '../core/sagemaker/requestContext';
import type { JobSpec } from '../core/spec/spec';

export interface Connection extends AwsTarget {
  account: string;
  /** ARN of the calling identity. */
  arn: string;
  /** Execution role ARN for SageMaker, when known. */
  role?: string;
  bucket: string;
  /** The SageMaker Python SDK's defaults files, read as Session() reads them (none: empty). */
  sdkDefaults?: SdkDefaults;
}

export interface ConnectOptions extends AwsTarget {
  role?: string;
  signal?: AbortSignal;
}

export function checkTarget(target: AwsTarget): void {
  if (!target.region)
    throw new UserError(
      'region: no AWS region set: pick one (setting sagemakerHf.region, --region or AWS_REGION)',
      'region',
    );
  const problem = endpointOf(target) ? undefined : regionProblem(target.region);
  if (problem) throw new UserError(`region: ${problem}`, 'region');
}

/** Resolves account and identity (STS GetCallerIdentity). Creates nothing. */
export async function connect(opts: ConnectOptions): Promise<Connection> {
  checkTarget(opts);
  const target: AwsTarget = { profile: opts.profile, region: opts.region, endpoint: opts.endpoint };
  try {
    const id = await client(STSClient, target).send(new GetCallerIdentityCommand({}), { abortSignal: opts.signal });
    if (!id.Account) throw new UserError('STS returned no account id');
    const role = opts.role ? expandRoleName(opts.role, id.Account, id.Arn) : roleFromIdentity(id.Arn);
    // Session(): the defaults files first, so DefaultS3Bucket replaces sagemaker-{region}-{account}.
    const sdkDefaults = await loadSdkDefaults(target, { signal: opts.signal });
    return {
      ...target,
      account: id.Account,
      arn: id.Arn ?? '',
      role,
      bucket: defaultS3Bucket(sdkDefaults) ?? defaultBucketName(opts.region, id.Account),
      sdkDefaults,
    };
  } catch (err) {
    throw describeAwsError(err, target, 'Connecting to AWS');
  }
}

/** The connection with the spec's `bucket` in place of the SDK's default bucket (Session(default_bucket=)). */
export function withSpecBucket<C extends Pick<Connection, 'bucket' | 'region' | 'account'>>(
  conn: C,
  spec: Pick<JobSpec, 'bucket'>,
): C {
  const bucket = sessionBucket(spec, conn.bucket, conn.region, conn.account);
  return bucket === conn.bucket ? conn : { ...conn, bucket };
}

function partitionOf(arn: string | undefined): string {
  return arn?.split(':')[1] || 'aws';
}

/** A role name becomes an ARN in the caller's account, as the SDK's expand_role does for names. */
export function expandRoleName(role: string, account: string, callerArn?: string): string {
  return role.includes('/') || role.startsWith('arn:')
    ? role
    : `arn:${partitionOf(callerArn)}:iam::${account}:role/${role}`;
}

/** Like sagemaker.get_execution_role() outside a notebook: the caller's role if it is an assumed role. */
export function roleFromIdentity(arn: string | undefined): string | undefined {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn ?? '');
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

/**
 * Session._get_account_id_if_default_bucket: the owner check (ExpectedBucketOwner) only on the name the
 * SDK makes up, sagemaker-{region}-{account}; a bucket given by name (DefaultS3Bucket, --bucket) may
 * rightly belong to another account, a company's shared artifacts bucket.
 */
export function expectedBucketOwner(conn: Pick<Connection, 'bucket' | 'region' | 'account'>): string | undefined {
  return conn.bucket === defaultBucketName(conn.region, conn.account) ? conn.account : undefined;
}

export interface BucketResult {
  bucket: string;
  created: boolean;
}

/**
 * Session.default_bucket() of the SDK: ListBuckets; when absent, HeadBucket with ExpectedBucketOwner
 * (404 -> create, 403 -> refuse: someone else owns the name); when present, the owner check again.
 * CreateBucket sends no LocationConstraint in us-east-1 and the region elsewhere.
 */
export async function ensureDefaultBucket(conn: Connection, signal?: AbortSignal): Promise<BucketResult> {
  const s3 = client(S3Client, conn);
  const bucket = conn.bucket;
  const owned = async (): Promise<'ok' | 'missing'> => {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: expectedBucketOwner(conn) }), {
        abortSignal: signal,
      });
      return 'ok';
    } catch (err) {
      const status = awsErrorStatus(err);
      if (status === 404 || awsErrorName(err) === 'NotFound' || awsErrorName(err) === 'NoSuchBucket') return 'missing';
      if (status === 403 || awsErrorName(err) === 'Forbidden') {
        throw new UserError(
          `the default bucket ${bucket} exists but is not accessible to account ${conn.account} (403: owned by another account, or no s3:ListBucket permission). Set another bucket or fix the permissions.`,
          'bucket',
          { cause: err },
        );
      }
      throw describeAwsError(err, conn, `Checking bucket ${bucket}`);
    }
  };
  let listed = false;
  try {
    const out = await s3.send(new ListBucketsCommand({}), { abortSignal: signal });
    listed = (out.Buckets ?? []).some((b) => b.Name === bucket);
  } catch (err) {
    if (!(awsErrorStatus(err) === 403 || awsErrorName(err) === 'AccessDenied'))
      throw describeAwsError(err, conn, 'Listing buckets');
  }
  if ((await owned()) === 'ok') return { bucket, created: false };
  if (listed) return { bucket, created: false };
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(conn.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: conn.region as BucketLocationConstraint } }),
      }),
      { abortSignal: signal },
    );
    return { bucket, created: true };
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'OperationAborted' && /conflicting conditional operation/i.test(String((err as Error).message)))
      return { bucket, created: false };
    if (name === 'BucketAlreadyOwnedByYou') return { bucket, created: false };
    if (name === 'BucketAlreadyExists') {
      throw new UserError(
        `the default bucket name ${bucket} is taken by another account. Set another bucket.`,
        'bucket',
        { cause: err },
      );
    }
    throw describeAwsError(err, conn, `Creating bucket ${bucket}`);
  }
}

export interface RoleChoice {
  name: string;
  arn: string;
  description?: string;
}

/** IAM roles whose trust policy lets `service` assume them (paged through every ListRoles page), by name. */
export async function listRolesTrusting(
  target: AwsTarget,
  service: string,
  signal?: AbortSignal,
): Promise<RoleChoice[]> {
  const iam = client(IAMClient, target);
  const roles: Role[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await iam.send(new ListRolesCommand({ Marker: marker, MaxItems: 1000 }), { abortSignal: signal });
      roles.push(...(page.Roles ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (err) {
    throw describeAwsError(err, target, 'Listing IAM roles');
  }
  return roles
    .filter((r) => trustsService(r.AssumeRolePolicyDocument, service))
    .map((r) => ({ name: r.RoleName ?? '', arn: r.Arn ?? '', description: r.Description }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** IAM roles whose trust policy lets SageMaker assume them. */
export function listSageMakerRoles(target: AwsTarget, signal?: AbortSignal): Promise<RoleChoice[]> {
  return listRolesTrusting(target, 'sagemaker.amazonaws.com', signal);
}

/** True when a (URL-encoded) trust policy allows sagemaker.amazonaws.com to assume the role. */
export function trustsSageMaker(doc: string | undefined): boolean {
  return trustsService(doc, 'sagemaker.amazonaws.com');
}

/** True when a (URL-encoded) trust policy allows `service` (e.g. scheduler.amazonaws.com) to assume the role. */
export function trustsService(doc: string | undefined, service: string): boolean {
  if (!doc) return false;
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(decodeURIComponent(doc)) as { Statement?: unknown };
  } catch {
    return false;
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.some((s) => {
    const st = s as { Effect?: string; Action?: string | string[]; Principal?: { Service?: string | string[] } };
    const services = ([] as string[]).concat(st?.Principal?.Service ?? []);
    const actions = ([] as string[]).concat(st?.Action ?? []);
    return (
      st?.Effect === 'Allow' &&
      services.includes(service) &&
      actions.some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')
    );
  });
}

/** The region as the SDK finds it: the flag or setting, AWS_REGION / AWS_DEFAULT_REGION, then the profile's. */
export async function resolveRegion(profile: string | undefined, flag: string | undefined): Promise<string> {
  if (flag) return flag;
  const env = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  if (env) return env;
  // The SDK reads the profile's region from ~/.aws/config itself.
  try {
    const region = await new STSClient(profile ? { profile } : {}).config.region();
    if (region) return region;
  } catch {
    /* no region configured */
  }
  throw new UserError(
    'no AWS region: pass --region, set AWS_REGION, or add region to the profile in ~/.aws/config',
    'region',
  );
}
