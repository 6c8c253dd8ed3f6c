// The tag that marks every SageMaker resource this tool creates (training jobs, models, endpoint
// configs, endpoints), so the tree lists ours first and delete never touches what it cannot identify.
export const CREATED_BY_TAG = 'sagemaker-hf:created-by';
export const CREATED_BY_VALUE = 'sagemaker-hf';
export const createdByTag = (): { Key: string; Value: string } => ({ Key: CREATED_BY_TAG, Value: CREATED_BY_VALUE });

/** The spec's tags (the estimator's tags= dict) as the SDK's format_tags writes them: [{Key, Value}] in order. */
export function userTags(spec: { tags?: Record<string, string> }): { Key: string; Value: string }[] {
  return Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({ Key, Value: String(Value) }));
}

/**
 * A training job's tags as HuggingFace.attach(job) gives them to deploy() (list_tags, order kept), less the
 * keys a create call must not send: `aws:*` (reserved by AWS) and `sagemaker-hf:*` (the tool adds its own).
 */
export function estimatorTagsOf(tags: readonly { Key?: string; Value?: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags)
    if (t.Key && !t.Key.startsWith('aws:') && !t.Key.startsWith('sagemaker-hf:')) out[t.Key] = t.Value ?? '';
  return out;
}
