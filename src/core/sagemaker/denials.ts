// When a locked-down account says no (an explicit deny in a service control policy, a missing
// iam:PassRole, a bucket policy, a VPC or KMS key SageMaker cannot use): the likely reason in one line and
// the spec field or setting that fixes it, from the error's name and message alone (pure, so every caller
// words it the same).
export interface DenialHint {
  reason: string;
  /** The spec field or setting that fixes it. */
  field: string;
}

export function denialHint(name: string, message: string): DenialHint | undefined {
  const denied = name === 'AccessDenied' || name === 'AccessDeniedException';
  if (denied && /iam:PassRole/i.test(message))
    return {
      field: 'training.role',
      reason:
        'the identity may not pass the execution role to SageMaker (iam:PassRole): choose a role it may pass (training.role, --role, the sagemakerHf.executionRole setting) or ask for iam:PassRole on it',
    };
  if (denied && /explicit deny|service control polic/i.test(message))
    return {
      field: 'tags',
      reason:
        "an explicit deny, most likely your organisation's service control policy: it usually requires a cost-allocation tag (tags), a VPC (training.vpc) or a KMS key (training.outputKmsKeyId, training.volumeKmsKeyId); add what your administrator's policy names",
    };
  if (denied && /bucket policy|s3:PutObject|kms:/i.test(message))
    return {
      field: 'training.outputKmsKeyId',
      reason:
        'the bucket or its KMS key refuses this identity: a bucket policy may require SSE-KMS with a given key (training.outputKmsKeyId) or another bucket (bucket)',
    };
  if (name === 'ValidationException' && /subnet|security group|vpc/i.test(message))
    return {
      field: 'training.vpc',
      reason:
        'SageMaker cannot use the VPC settings: check the subnet and security group ids in training.vpc (same region and VPC)',
    };
  if (name === 'ValidationException' && /kms|key ?id/i.test(message))
    return {
      field: 'training.outputKmsKeyId',
      reason:
        'SageMaker cannot use the KMS key: check training.outputKmsKeyId, training.volumeKmsKeyId or deploy.kmsKeyId (key id, alias or ARN in this region, and the role may use it)',
    };
  return undefined;
}
