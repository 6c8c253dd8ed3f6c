// Messages between the predictions webview and the extension host, both ways, typed in one place. The
// host checks every message from the page with parsePageMessage before acting on it: a page is
// untrusted input (it renders endpoint answers), so malformed, unknown or oversized messages are refused.

import type { EvaluationResult } from '../core/endpoints/evaluation';
export interface LabelScore {
  label: string;
  score: number;
}

export interface HistoryEntry {
  input: string;
  predictions: LabelScore[];
  latencyMs: number;
  at: number;
  /** The first request after idle on a serverless endpoint (its latency includes starting a container). */
  coldStart?: boolean;
}

export interface Example {
  text: string;
  label?: string;
}

/** What the page shows of an evaluation (the workflow's result without its bookkeeping). */
export type EvaluationSummary = Omit<EvaluationResult, 'correct' | 'durationMs'>;

/** An input larger than InvokeEndpoint's 6 MB body (less room for the JSON around it) is refused. */
export const MAX_INPUT_BYTES = 6_291_456 - 1024;
export const MAX_SAMPLE_SIZE = 5000;
export const MAX_CONCURRENCY = 16;
export const HISTORY_LIMIT = 50;

export type HostMessage =
  | {
      type: 'init';
      title: string;
      labelNames: string[];
      examples: Example[];
      history: HistoryEntry[];
      canEvaluate: boolean;
      evaluationSize: number;
      restore?: RestoreInfo;
    }
  | { type: 'prediction'; requestId: number; entry: HistoryEntry }
  | { type: 'predictionError'; requestId: number; message: string }
  | { type: 'history'; history: HistoryEntry[] }
  | { type: 'evaluationProgress'; done: number; total: number }
  | { type: 'evaluationResult'; result: EvaluationSummary }
  | { type: 'evaluationError'; message: string }
  /** The endpoint is gone (deleted, or found gone by the tree's polling): the page says so and stops predicting. */
  | { type: 'ended'; message: string };

export type PageMessage =
  | { type: 'ready' }
  | { type: 'predict'; requestId: number; text: string }
  | { type: 'evaluate'; sampleSize: number; concurrency: number }
  | { type: 'cancelEvaluation' }
  | { type: 'clearHistory' };

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIntIn = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

function onlyKeys(m: Record<string, unknown>, keys: string[]): string | undefined {
  const extra = Object.keys(m).filter((k) => !keys.includes(k));
  return extra.length ? `unexpected field(s) ${extra.join(', ')}` : undefined;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Validates a message from the page; the host ignores (and logs) anything that is not ok. */
export function parsePageMessage(data: unknown): Parsed<PageMessage> {
  const fail = (error: string): Parsed<PageMessage> => ({ ok: false, error });
  if (!isObject(data)) return fail('not an object');
  const type = data.type;
  if (typeof type !== 'string') return fail('no message type');
  switch (type) {
    case 'ready':
    case 'cancelEvaluation':
    case 'clearHistory': {
      const extra = onlyKeys(data, ['type']);
      return extra ? fail(`${type}: ${extra}`) : { ok: true, message: { type } };
    }
    case 'predict': {
      const extra = onlyKeys(data, ['type', 'requestId', 'text']);
      if (extra) return fail(`predict: ${extra}`);
      if (!isIntIn(data.requestId, 0, Number.MAX_SAFE_INTEGER))
        return fail('predict: requestId must be a non-negative integer');
      if (typeof data.text !== 'string') return fail('predict: text must be a string');
      if (data.text.trim() === '') return fail('predict: text is empty');
      if (data.text.length > MAX_INPUT_BYTES || utf8Length(data.text) > MAX_INPUT_BYTES)
        return fail(`predict: text is over the 6 MB payload limit of SageMaker endpoints`);
      return { ok: true, message: { type, requestId: data.requestId, text: data.text } };
    }
    case 'evaluate': {
      const extra = onlyKeys(data, ['type', 'sampleSize', 'concurrency']);
      if (extra) return fail(`evaluate: ${extra}`);
      if (!isIntIn(data.sampleSize, 1, MAX_SAMPLE_SIZE))
        return fail(`evaluate: sampleSize must be a whole number from 1 to ${MAX_SAMPLE_SIZE}`);
      if (!isIntIn(data.concurrency, 1, MAX_CONCURRENCY))
        return fail(`evaluate: concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
      return { ok: true, message: { type, sampleSize: data.sampleSize, concurrency: data.concurrency } };
    }
    default:
      return fail(`unknown message type '${type.slice(0, 40)}'`);
  }
}

/** The page's persisted UI state (getState/setState): what the user typed and the last evaluation. */
export interface PageState {
  text: string;
  sampleSize: number;
  concurrency: number;
  evaluation?: EvaluationSummary;
  /** What the host needs to reopen this panel after a window reload (sent in `init`, kept by setState). */
  restore?: RestoreInfo;
}

/** The endpoint a predictions panel talks to. */
export type PanelTarget =
  | { kind: 'sagemaker'; endpointName: string; account: string; region: string }
  | { kind: 'local'; name: string; url: string };

export interface RestoreInfo {
  title: string;
  stateKey: string;
  labelNames: string[];
  target: PanelTarget;
}

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const shortString = (v: unknown, max = 300): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * Checks the webview state VS Code hands back on restore. The state was written by the page, so it is
 * untrusted: only a SageMaker endpoint name or a loopback URL (local endpoints listen on this machine)
 * is accepted, never an arbitrary address to post text to.
 */
export function parseRestoreState(state: unknown): Parsed<RestoreInfo> {
  if (!isObject(state) || !isObject(state.restore))
    return { ok: false, error: 'the saved panel state names no endpoint' };
  const r = state.restore;
  if (!shortString(r.title)) return { ok: false, error: 'restore.title must be a non-empty string' };
  if (!shortString(r.stateKey)) return { ok: false, error: 'restore.stateKey must be a non-empty string' };
  if (!Array.isArray(r.labelNames) || r.labelNames.length > 10_000 || !r.labelNames.every((l) => shortString(l, 200)))
    return { ok: false, error: 'restore.labelNames must be a list of label names' };
  const t = r.target;
  if (!isObject(t)) return { ok: false, error: 'restore.target is missing' };
  let target: PanelTarget;
  if (t.kind === 'sagemaker') {
    if (typeof t.endpointName !== 'string' || !ENDPOINT_NAME.test(t.endpointName))
      return { ok: false, error: 'restore.target.endpointName is not a SageMaker endpoint name' };
    if (typeof t.account !== 'string' || !/^\d{12}$/.test(t.account))
      return { ok: false, error: 'restore.target.account must be a 12-digit account id' };
    if (typeof t.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(t.region))
      return { ok: false, error: 'restore.target.region is not an AWS region' };
    target = { kind: 'sagemaker', endpointName: t.endpointName, account: t.account, region: t.region };
  } else if (t.kind === 'local') {
    if (!shortString(t.name, 200)) return { ok: false, error: 'restore.target.name must be a non-empty string' };
    let url: URL;
    try {
      url = new URL(String(t.url));
    } catch {
      return { ok: false, error: 'restore.target.url is not a URL' };
    }
    if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
      return { ok: false, error: 'restore.target.url must be an http URL on this machine (127.0.0.1 or localhost)' };
    target = { kind: 'local', name: t.name, url: String(t.url) };
  } else {
    return { ok: false, error: 'restore.target.kind must be "sagemaker" or "local"' };
  }
  return { ok: true, message: { title: r.title, stateKey: r.stateKey, labelNames: r.labelNames as string[], target } };
}
