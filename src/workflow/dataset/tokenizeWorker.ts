// Entry of dist/tokenizeWorker.js (its own esbuild bundle): one worker_thread of the tokenizer pool.
// Loads the tokenizer once, then answers each batch of texts with typed arrays (transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../../core/errors';
import { tokenizeSync } from './tokenize';
import { loadTokenizer, type TextTokenizer, type TokenizerLoadOptions } from './tokenizerLoader';

export interface WorkerInit {
  tokenizer: string;
  load: Omit<TokenizerLoadOptions, 'signal'>;
}
export type WorkerRequest = { seq: number; texts: string[]; truncateAt: number; lengthsOnly?: boolean };
export type WorkerReply =
  | { type: 'ready'; modelMaxLength: number; usesTokenTypeIds: boolean; padTokenId: number }
  | {
      type: 'result';
      seq: number;
      rows: number;
      offsets: Int32Array;
      ids: Int32Array;
      typeIds?: Int8Array;
      rawLengths: Int32Array;
    }
  | { type: 'error'; seq?: number; message: string; field?: string; user: boolean };

const port = parentPort!;
const init = workerData as WorkerInit;
let tok: TextTokenizer | undefined;
const queue: WorkerRequest[] = [];

function fail(err: unknown, seq?: number): void {
  port.postMessage({
    type: 'error',
    seq,
    message: err instanceof Error ? err.message : String(err),
    field: err instanceof UserError ? err.field : undefined,
    user: err instanceof UserError,
  } satisfies WorkerReply);
}

function handle(req: WorkerRequest): void {
  try {
    const t = tokenizeSync(tok!, req.texts, req.truncateAt, req.lengthsOnly);
    const transfer = [
      t.offsets.buffer,
      t.ids.buffer,
      t.rawLengths.buffer,
      ...(t.typeIds ? [t.typeIds.buffer] : []),
    ] as ArrayBuffer[];
    port.postMessage({ type: 'result', seq: req.seq, ...t } satisfies WorkerReply, transfer);
  } catch (err) {
    fail(err, req.seq);
  }
}

port.on('message', (req: WorkerRequest) => (tok ? handle(req) : queue.push(req)));
loadTokenizer(init.tokenizer, init.load).then(
  (t) => {
    tok = t;
    port.postMessage({
      type: 'ready',
      modelMaxLength: t.modelMaxLength,
      usesTokenTypeIds: t.usesTokenTypeIds,
      padTokenId: t.padTokenId,
    } satisfies WorkerReply);
    for (const r of queue.splice(0)) handle(r);
  },
  (err) => fail(err),
);
