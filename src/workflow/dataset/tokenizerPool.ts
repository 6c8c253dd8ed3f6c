// Tokenization on every core: one worker_thread per core (dist/tokenizeWorker.js, a bundle of its own,
// so it works from dist/cli.js, from the extension's dist/heavy.js and from compiled tests alike), each
// loading the tokenizer once. Batches go to the least busy worker; callers await results in the order
// they sent them, so rows keep their order. Without a worker bundle (or with 0 workers) batches are
// tokenized on the calling thread, with the same code (workflow/dataset/tokenize).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError, UserError } from '../../core/errors';
import { tokenizeSync, type Tokenized } from './tokenize';
import type { TextTokenizer, TokenizerLoadOptions } from './tokenizerLoader';
import type { WorkerInit, WorkerReply, WorkerRequest } from './tokenizeWorker';

export const WORKER_FILE = 'tokenizeWorker.js';

/** dist/tokenizeWorker.js beside this bundle, or (compiled tests under out/) the checkout's dist/. */
export function findWorkerScript(): string | undefined {
  const candidates = [process.env.SAGEMAKER_HF_TOKENIZE_WORKER, path.join(__dirname, WORKER_FILE)];
  for (let d = __dirname, i = 0; i < 5; i++, d = path.dirname(d)) candidates.push(path.join(d, 'dist', WORKER_FILE));
  return candidates.find((f): f is string => !!f && fs.existsSync(f));
}

export function defaultWorkerCount(): number {
  const env = process.env.SAGEMAKER_HF_PREPARE_WORKERS;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

interface Slot {
  worker: Worker;
  busy: number;
  waiting: Map<number, { resolve: (t: Tokenized) => void; reject: (e: Error) => void }>;
}

export class TokenizerPool {
  private seq = 0;
  private closed = false;
  private constructor(
    private readonly slots: Slot[],
    private readonly local: TextTokenizer | undefined,
  ) {}

  get workers(): number {
    return this.slots.length;
  }

  /** Starts `count` workers (resolves once each has loaded the tokenizer); 0 or no bundle: in-thread. */
  static async start(
    count: number,
    tok: TextTokenizer,
    load: Omit<TokenizerLoadOptions, 'signal'>,
    signal?: AbortSignal,
  ): Promise<TokenizerPool> {
    const script = count > 0 ? findWorkerScript() : undefined;
    if (!script) return new TokenizerPool([], tok);
    const init: WorkerInit = { tokenizer: tok.id, load };
    const slots: Slot[] = [];
    const pool = new TokenizerPool(slots, undefined);
    const ready = Array.from({ length: count }, () => {
      const worker = new Worker(script, { workerData: init });
      const slot: Slot = { worker, busy: 0, waiting: new Map() };
      slots.push(slot);
      return new Promise<void>((resolve, reject) => {
        worker.on('message', (m: WorkerReply) => {
          if (m.type === 'ready') return resolve();
          const w = m.seq !== undefined ? slot.waiting.get(m.seq) : undefined;
          if (m.type === 'error') {
            const err = m.user ? new UserError(m.message, m.field) : new Error(m.message);
            if (!w) return reject(err);
            slot.waiting.delete(m.seq!);
            slot.busy--;
            return w.reject(err);
          }
          if (!w) return;
          slot.waiting.delete(m.seq);
          slot.busy--;
          w.resolve({ rows: m.rows, offsets: m.offsets, ids: m.ids, typeIds: m.typeIds, rawLengths: m.rawLengths });
        });
        worker.on('error', (err) => {
          reject(err);
          for (const w of slot.waiting.values()) w.reject(err);
          slot.waiting.clear();
        });
        worker.on('exit', (code) => {
          const err = pool.closed ? new CancelledError() : new Error(`a tokenizer worker exited (code ${code})`);
          reject(err);
          for (const w of slot.waiting.values()) w.reject(err);
          slot.waiting.clear();
        });
      });
    });
    const onAbort = () => void pool.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      if (signal?.aborted) throw new CancelledError();
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return pool;
  }

  /** Tokenizes one batch (ids truncated at `truncateAt`; with lengthsOnly just the raw lengths). */
  encode(texts: string[], truncateAt: number, lengthsOnly = false): Promise<Tokenized> {
    if (this.closed) return Promise.reject(new CancelledError());
    if (this.local) {
      try {
        return Promise.resolve(tokenizeSync(this.local, texts, truncateAt, lengthsOnly));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.busy < slot.busy) slot = s;
    const seq = this.seq++;
    slot.busy++;
    return new Promise<Tokenized>((resolve, reject) => {
      slot.waiting.set(seq, { resolve, reject });
      slot.worker.postMessage({ seq, texts, truncateAt, lengthsOnly } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => undefined)));
  }
}
