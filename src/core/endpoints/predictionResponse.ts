// The Hugging Face inference toolkit's text-classification contract, shared by the SageMaker endpoint
// and the local endpoint: the JSON request body (with the size limit InvokeEndpoint enforces) and every
// response shape the pipeline produces across transformers versions, normalised to ranked label lists.
import { UserError } from '../errors';

/** InvokeEndpoint's Body limit (botocore model): 6 MB. */
export const MAX_PAYLOAD_BYTES = 6_291_456;

export interface LabelScore {
  label: string;
  score: number;
}

export type AllScoresParameter = 'top_k' | 'return_all_scores';

/**
 * `{"inputs": …, "parameters": …}` asking for every label's score: `top_k: null` on modern
 * transformers, `return_all_scores: true` on the 4.1x images that know no top_k.
 */
export function buildRequestBody(inputs: string | string[], allScores: AllScoresParameter = 'top_k'): string {
  if (
    Array.isArray(inputs)
      ? inputs.length === 0 || inputs.some((t) => typeof t !== 'string')
      : typeof inputs !== 'string'
  ) {
    throw new UserError('inputs: give one text or a non-empty list of texts', 'inputs');
  }
  const parameters = allScores === 'top_k' ? { top_k: null } : { return_all_scores: true };
  const body = JSON.stringify({ inputs, parameters });
  const bytes = new TextEncoder().encode(body).length;
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new UserError(
      `inputs: the request is ${(bytes / 1048576).toFixed(1)} MB; SageMaker endpoints accept at most 6 MB per request. Send fewer or shorter texts.`,
      'inputs',
    );
  }
  return body;
}

function isLabelScore(v: unknown): v is LabelScore {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as LabelScore).label === 'string' &&
    typeof (v as LabelScore).score === 'number'
  );
}

const ranked = (xs: LabelScore[]) =>
  xs.map((x) => ({ label: x.label, score: x.score })).sort((a, b) => b.score - a.score);

/**
 * Normalises a decoded response to one ranked list per input. Shapes: `{label,score}`;
 * `[{…}]` (one input, top label, or all labels with top_k on modern transformers); `[{…}, {…}]`
 * (one top label per input); `[[{…}…], …]` (all scores per input).
 */
export function normalizePredictions(data: unknown, inputCount: number): LabelScore[][] {
  const bad = (why: string) =>
    new UserError(
      `the endpoint's answer is not a text-classification result (${why}): ${JSON.stringify(data).slice(0, 200)}`,
    );
  if (isLabelScore(data)) return [[{ label: data.label, score: data.score }]];
  if (!Array.isArray(data)) throw bad('expected a list of {label, score}');
  if (data.length === 0) throw bad('empty list');
  if (data.every(Array.isArray)) {
    const lists = data as unknown[][];
    if (!lists.every((l) => l.every(isLabelScore))) throw bad('a nested entry lacks label or score');
    return lists.map((l) => ranked(l as LabelScore[]));
  }
  if (!data.every(isLabelScore)) throw bad('an entry lacks label or score');
  const flat = data as LabelScore[];
  if (inputCount <= 1) return [ranked(flat)];
  if (flat.length === inputCount) return flat.map((x) => [{ label: x.label, score: x.score }]);
  throw bad(`${flat.length} results for ${inputCount} inputs`);
}

/** Decodes a response body; a non-JSON answer is an error naming what came back. */
export function parsePredictionBody(
  text: string,
  inputCount: number,
  contentType?: string,
): { predictions: LabelScore[][]; raw: unknown } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const preview = text.length > 120 ? `${text.slice(0, 120)}…` : text;
    throw new UserError(
      `the endpoint answered non-JSON${contentType ? ` (${contentType})` : ''}: ${JSON.stringify(preview)}. Is it a Hugging Face inference container?`,
    );
  }
  return { predictions: normalizePredictions(raw, inputCount), raw };
}

/** The message inside an error body: the toolkit's/MMS's {"message": …}, SageMaker's {"Message": …}, or the text. */
export function errorBodyMessage(body: string): string {
  const trimmed = body.trim();
  try {
    const j = JSON.parse(trimmed) as Record<string, unknown>;
    for (const k of ['message', 'Message', 'error', 'errorMessage', 'detail']) {
      if (typeof j[k] === 'string' && j[k]) return j[k] as string;
    }
  } catch {
    /* plain text */
  }
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed || '(empty body)';
}

/** One actionable error for an HTTP error answer of the endpoint or its container. */
export function predictionHttpError(status: number, body: string, where: string): UserError {
  const msg = errorBodyMessage(body);
  if (status === 424)
    return new UserError(
      `${where}: the model container answered an error (424 ModelError): ${msg}. Check the endpoint's logs.`,
    );
  if (status === 413) return new UserError(`${where}: the request is too large (413): ${msg}`);
  if (status === 429) return new UserError(`${where}: the model is not ready yet (429): ${msg}. Retry in a moment.`);
  if (status >= 400 && status < 500) return new UserError(`${where}: the request was rejected (${status}): ${msg}`);
  return new UserError(`${where}: the endpoint failed (${status}): ${msg}`);
}
