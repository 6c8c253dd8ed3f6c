// The tag that marks every SageMaker resource this tool creates (training jobs, models, endpoint
// configs, endpoints), so the tree lists ours first and delete never touches what it cannot identify.
export const CREATED_BY_TAG = 'sagemaker-hf:created-by';
export const CREATED_BY_VALUE = 'sagemaker-hf';
export const createdByTag = (): { Key: string; Value: string } => ({ Key: CREATED_BY_TAG, Value: CREATED_BY_VALUE });
