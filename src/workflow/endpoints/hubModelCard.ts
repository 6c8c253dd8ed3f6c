// What the Hub says of a model before it is deployed: its pipeline_tag (the task its card declares), read
// from the Hub API (GET /api/models/<id>) of the configured endpoint (HF_ENDPOINT or the setting), so the
// deploy can propose HF_TASK instead of asking blind. The token goes to that endpoint only.
import { UserError, throwIfAborted } from '../../core/errors';
import { HUB_TASKS } from '../../core/endpoints/deployRequests';
import { fetchFailure, fetchWithTimeout } from '../httpFetch';

export interface HubModelCard {
  /** The card's task, when it names one. */
  pipelineTag?: string;
  /** The card's task is one the inference toolkit serves (else the user picks). */
  servable: boolean;
}

/** The model's card from the Hub API; a clear error when the Hub cannot be reached or refuses. */
export async function readHubModelCard(
  modelId: string,
  opts: { endpoint?: string; token?: string; signal?: AbortSignal } = {},
): Promise<HubModelCard> {
  const endpoint = (opts.endpoint || process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  const url = `${endpoint}/api/models/${modelId.split('/').map(encodeURIComponent).join('/')}`;
  let res: Response;
  try {
    res = await fetchWithTimeout(url, {
      headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
      signal: opts.signal,
    });
  } catch (err) {
    throwIfAborted(opts.signal);
    if (err instanceof UserError) throw err;
    throw new UserError(
      `reading model ${modelId} from ${endpoint} failed: ${fetchFailure(err)}; check the network or the Hub endpoint setting (HF_ENDPOINT)`,
      'modelId',
    );
  }
  if (res.status === 404)
    throw new UserError(
      `model ${modelId}: the Hub at ${endpoint} has no such model (check the id's spelling)`,
      'modelId',
    );
  if (res.status === 401 || res.status === 403)
    throw new UserError(
      `model ${modelId}: the Hub refused access (${res.status}); for a private or gated model set a token (SageMaker HF: Set Hugging Face Hub Token, or HF_TOKEN)`,
      'modelId',
    );
  if (!res.ok) throw new UserError(`model ${modelId}: ${res.status} ${res.statusText} from ${url}`, 'modelId');
  const body = (await res.json().catch(() => ({}))) as { pipeline_tag?: unknown };
  const tag = typeof body.pipeline_tag === 'string' ? body.pipeline_tag : undefined;
  return { pipelineTag: tag, servable: !!tag && (HUB_TASKS as readonly string[]).includes(tag) };
}
