// A local variant of a cloud spec, for "Run Whole Workflow Locally": the same data, script and labels, cut
// to what a CPU trains in minutes (a 2-layer BERT, a row limit, one epoch, no mixed precision), with the
// list of what differs said before it runs. Works on the spec file's JSON, so relative paths stay valid
// when the variant is written beside it.

/** The Hub's 2-layer, 128-wide BERT (the shape of ../shared/models/bert-tiny-config), uncased vocabulary. */
export const SMALL_MODEL = 'google/bert_uncased_L-2_H-128_A-2';
export const VARIANT_ROW_LIMIT = 2000;
const VARIANT_MAX_LENGTH = 128;

type Json = Record<string, unknown>;

export interface LocalVariant {
  spec: Json;
  /** "training.instanceType ml.p3.2xlarge -> local", one per change. */
  differences: string[];
}

export function isLocalSpecJson(raw: unknown): boolean {
  return ((raw as { training?: Json } | undefined)?.training?.instanceType ?? undefined) === 'local';
}

export function deriveLocalVariant(raw: Json, smallModel = SMALL_MODEL): LocalVariant {
  const spec = structuredClone(raw);
  const differences: string[] = [];
  const dataset = (spec.dataset ??= {}) as Json;
  const training = (spec.training ??= {}) as Json;
  const hps = (training.hyperparameters ??= {}) as Json;
  const set = (obj: Json, key: string, field: string, value: unknown) => {
    if (obj[key] === value) return;
    differences.push(
      `${field} ${obj[key] === undefined ? '(unset)' : JSON.stringify(obj[key])} -> ${value === undefined ? '(removed)' : JSON.stringify(value)}`,
    );
    if (value === undefined) delete obj[key];
    else obj[key] = value;
  };
  set(training, 'instanceType', 'training.instanceType', 'local');
  set(training, 'instanceCount', 'training.instanceCount', 1);
  const limit = typeof dataset.limit === 'number' ? Math.min(dataset.limit, VARIANT_ROW_LIMIT) : VARIANT_ROW_LIMIT;
  set(dataset, 'limit', 'dataset.limit (rows per split)', limit);
  if (typeof dataset.maxLength !== 'number' || dataset.maxLength > VARIANT_MAX_LENGTH)
    set(dataset, 'maxLength', 'dataset.maxLength', VARIANT_MAX_LENGTH);
  if (dataset.padding === 'max_length') set(dataset, 'padding', 'dataset.padding', 'dynamic');
  set(hps, 'epochs', 'training.hyperparameters.epochs', 1);
  if (hps.model_id !== undefined && hps.model_id !== smallModel)
    set(hps, 'model_id', 'training.hyperparameters.model_id', smallModel);
  if (hps.fp16 === true) set(hps, 'fp16', 'training.hyperparameters.fp16 (CPU)', false);
  if (training.compiler !== undefined && training.compiler !== 'none')
    set(training, 'compiler', 'training.compiler', 'none');
  for (const key of ['spot', 'keepAliveSeconds', 'pushToHub', 'distribution'])
    if (training[key] !== undefined) set(training, key, `training.${key}`, undefined);
  if (typeof training.baseJobName === 'string') training.baseJobName = `local-${training.baseJobName}`.slice(0, 63);
  const deploy = spec.deploy as Json | undefined;
  if (deploy && deploy.instanceType !== 'local') {
    set(deploy, 'instanceType', 'deploy.instanceType', 'local');
    if (deploy.serverless !== undefined) set(deploy, 'serverless', 'deploy.serverless', undefined);
    deploy.initialInstanceCount = 1;
  }
  return { spec, differences };
}
