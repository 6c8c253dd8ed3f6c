// Loads a tokenizer with transformers.js (AutoTokenizer) from a local folder or the Hub (cached), and
// encodes texts the way Python's `tokenizer(texts, truncation=True, max_length=N)` does, without padding.
// Padding is left to the writer: padding JS arrays inside transformers.js is ~10x slower than filling
// zeroed typed arrays, and the Hub's bert-base-uncased tokenizer_config.json names no pad token, which
// makes transformers.js pad with `undefined` (see shared notes, 3.2). Unpadded encoding is exact.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, throwIfAborted } from '../../core/errors';
import { fetchFailure, fetchWithTimeout, shownUrl } from '../httpFetch';

/** What the prepare step needs from a tokenizer (small on purpose, so tests and callers stay simple). */
export interface TextTokenizer {
  /** The id as given (Hub id or absolute folder). */
  id: string;
  /** tokenizer_config.json model_max_length (Infinity when absent). */
  modelMaxLength: number;
  /** Whether the model takes token_type_ids (Python's model_input_names). */
  usesTokenTypeIds: boolean;
  /** The id used for padding input_ids ([PAD] = 0 for BERT). */
  padTokenId: number;
  /** Encodes a batch with special tokens, no truncation, no padding. */
  encodeBatch(texts: string[]): { input_ids: number[][]; token_type_ids?: number[][] };
  /** Encodes one text without special tokens (for truncating over-long rows exactly as Python does). */
  encodeContent(text: string): number[];
}

export interface TokenizerLoadOptions {
  /** Hub endpoint (HF_ENDPOINT or the setting); default https://huggingface.co. */
  hubEndpoint?: string;
  hubToken?: string;
  /** Download cache folder for Hub files. */
  cacheDir?: string;
  revision?: string;
  signal?: AbortSignal;
}

// Model types whose Python tokenizer class has model_input_names without token_type_ids.
const NO_TOKEN_TYPE_IDS = new Set([
  'distilbert',
  'roberta',
  'xlm-roberta',
  'camembert',
  'bart',
  'gpt2',
  't5',
  'mpnet',
  'longformer',
  'deberta',
  'bloom',
  'llama',
  'mistral',
  'qwen2',
]);

function isLocalPath(id: string): boolean {
  return path.isAbsolute(id) || id.startsWith('.') || id.startsWith('~');
}

type TransformersModule = typeof import('@huggingface/transformers');
let transformers: Promise<TransformersModule> | undefined;
function loadTransformers(): Promise<TransformersModule> {
  return (transformers ??= import('@huggingface/transformers'));
}

// transformers.js keeps its settings in one global `env`; loads are serialised so concurrent loads with
// different endpoints/caches cannot see each other's settings.
let queue: Promise<unknown> = Promise.resolve();

export async function loadTokenizer(id: string, opts: TokenizerLoadOptions = {}): Promise<TextTokenizer> {
  const run = queue.then(() => loadUnqueued(id, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function loadUnqueued(id: string, opts: TokenizerLoadOptions): Promise<TextTokenizer> {
  throwIfAborted(opts.signal);
  const local = isLocalPath(id);
  if (local) {
    const file = path.join(id, 'tokenizer.json');
    if (!fs.existsSync(file)) {
      throw new UserError(
        `dataset.tokenizer: tokenizer folder ${id} has no tokenizer.json (save the tokenizer with save_pretrained, or name a Hub model id such as "bert-base-uncased")`,
        'dataset.tokenizer',
      );
    }
  }
  const { env, AutoTokenizer, AutoConfig } = await loadTransformers();
  const endpoint = (opts.hubEndpoint || process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
  env.allowLocalModels = local;
  env.allowRemoteModels = !local;
  if (local) {
    env.localModelPath = path.dirname(id) + path.sep;
  } else {
    env.remoteHost = endpoint + '/';
    env.remotePathTemplate = '{model}/resolve/{revision}/';
  }
  env.useFSCache = true;
  if (opts.cacheDir) env.cacheDir = path.join(opts.cacheDir, 'hub') + path.sep;
  const baseFetch = fetchWithTimeout;
  let lastUrl = '';
  const token = opts.hubToken;
  const signal = opts.signal;
  // Adds the token only for the configured Hub host (never to redirects elsewhere) and honours cancel.
  env.fetch = (input: string | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    if (token && String(input).startsWith(endpoint + '/')) headers.set('Authorization', `Bearer ${token}`);
    lastUrl = String(input);
    return baseFetch(input, { ...init, headers, signal });
  };
  const name = local ? path.basename(id) : id;
  const revision = opts.revision ?? 'main';
  let tok: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  try {
    tok = await AutoTokenizer.from_pretrained(name, { revision });
  } catch (err) {
    throwIfAborted(signal);
    const why =
      err instanceof UserError
        ? err.message
        : err instanceof Error && /fetch failed/i.test(err.message)
          ? `cannot reach ${shownUrl(lastUrl || endpoint)} (${fetchFailure(err)})`
          : err instanceof Error
            ? err.message.split('\n')[0]
            : String(err);
    const where = local ? `folder ${id}` : `'${id}' on ${endpoint}`;
    throw new UserError(
      `dataset.tokenizer: tokenizer ${where} could not be loaded: ${why}${local ? '' : '; check the model id and your network, set HF_ENDPOINT (or the hubEndpoint setting) for a mirror, HF_TOKEN for private models, or name a local folder with tokenizer.json'}`,
      'dataset.tokenizer',
      { cause: err },
    );
  }
  throwIfAborted(signal);
  const tokConfig = (tok as unknown as { config?: Record<string, unknown> }).config ?? {};
  let modelType: string | undefined;
  try {
    const config = (await AutoConfig.from_pretrained(name, { revision })) as unknown as { model_type?: string };
    modelType = config.model_type;
  } catch {
    // No config.json (a tokenizer-only folder): Python's AutoTokenizer then also uses the generic class.
  }
  const cls =
    typeof tokConfig['tokenizer_class'] === 'string'
      ? (tokConfig['tokenizer_class'] as string).replace(/TokenizerFast$|Tokenizer$/, '').toLowerCase()
      : undefined;
  const usesTokenTypeIds =
    !NO_TOKEN_TYPE_IDS.has(modelType ?? '') && !NO_TOKEN_TYPE_IDS.has((cls ?? '').replace('xlmroberta', 'xlm-roberta'));
  const padTokenId = tok.pad_token_id ?? findPadId(tok) ?? 0;
  const encodeOpts = {
    padding: false,
    truncation: false,
    return_tensor: false,
    return_token_type_ids: usesTokenTypeIds,
  } as const;
  return {
    id,
    modelMaxLength: tok.model_max_length ?? Infinity,
    usesTokenTypeIds,
    padTokenId,
    encodeBatch(texts: string[]) {
      if (texts.length === 0) return { input_ids: [], ...(usesTokenTypeIds ? { token_type_ids: [] } : {}) };
      const out = tok(texts, encodeOpts) as unknown as { input_ids: number[][]; token_type_ids?: number[][] };
      return out;
    },
    encodeContent(text: string) {
      return tok.encode(text, { add_special_tokens: false });
    },
  };
}

/** The Hub's bert-base-uncased config names no pad token: take it from the vocabulary as Python does. */
function findPadId(tok: { convert_tokens_to_ids(t: string): number | undefined | null }): number | undefined {
  for (const t of ['[PAD]', '<pad>']) {
    const idv = tok.convert_tokens_to_ids(t);
    if (typeof idv === 'number') return idv;
  }
  return undefined;
}
