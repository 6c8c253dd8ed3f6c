// fetch() for the Hugging Face Hub with what plain fetch lacks: an inactivity limit (undici waits
// 300 s for headers, and forever for a body that stops mid-way), a "waiting for …" notice after a few
// seconds, and errors that name the URL and what to do instead of "fetch failed". The caller's signal
// (Ctrl-C, Cancel) still ends it at once.
import { UserError, throwIfAborted } from '../core/errors';
import { emitNotice, requestTimeoutMs, timeoutHint, WAITING_NOTICE_MS } from '../aws/requestNotices';

/** The URL without query or fragment (a signed redirect target carries its signature there). */
export function shownUrl(url: string): string {
  return url.replace(/[?#].*$/, '');
}

/** "fetch failed" with its cause: "connect ECONNREFUSED 127.0.0.1:9". */
export function fetchFailure(err: unknown): string {
  const e = err as Error & { cause?: { message?: string; code?: string } };
  const cause = e?.cause?.message ?? e?.cause?.code;
  return cause ? String(cause) : (e?.message ?? String(err));
}

export class InactivityTimeoutError extends UserError {
  constructor(
    readonly url: string,
    readonly ms: number,
    check = 'Check the network or the Hub endpoint (HF_ENDPOINT)',
  ) {
    super(
      `${shownUrl(url)} accepted the connection but sent nothing for ${ms / 1000} s. ${check}, or ${timeoutHint()}.`,
      'timeout',
    );
  }
}

/** Who is asked, for the "waiting for" notice and the timeout's advice; the Hub by default. */
export interface FetchParty {
  service: string;
  operation: string;
  /** "Check …": what to look at when it never answers. */
  check?: string;
}

/** fetch with an inactivity timeout on the headers and on every chunk of the body. */
export async function fetchWithTimeout(
  url: string | URL,
  init: RequestInit = {},
  party: FetchParty = { service: 'Hub', operation: 'GET' },
): Promise<Response> {
  const href = String(url);
  const ms = requestTimeoutMs();
  const outer = init.signal ?? undefined;
  throwIfAborted(outer);
  const ctl = new AbortController();
  const signal = outer ? AbortSignal.any([outer, ctl.signal]) : ctl.signal;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new InactivityTimeoutError(href, ms, party.check));
    }, ms);
  };
  // Said only while nothing arrives: a large download that is flowing stays quiet.
  let lastData = Date.now();
  const waiting = setInterval(() => {
    const idle = Date.now() - lastData;
    if (idle < WAITING_NOTICE_MS) return;
    emitNotice({
      kind: 'waiting',
      service: party.service,
      operation: party.operation,
      message: `waiting for ${shownUrl(href)} (nothing for ${Math.round(idle / 1000)} s, gives up after ${ms / 1000} s)`,
    });
  }, WAITING_NOTICE_MS);
  waiting.unref?.();
  const stopWaiting = () => clearInterval(waiting);
  arm();
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal });
  } catch (err) {
    clearTimeout(timer);
    stopWaiting();
    if (timedOut) throw new InactivityTimeoutError(href, ms, party.check);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  lastData = Date.now();
  if (!res.body) {
    stopWaiting();
    return res;
  }
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      arm();
      try {
        const { done, value } = await reader.read();
        clearTimeout(timer);
        lastData = Date.now();
        if (done) {
          stopWaiting();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (err) {
        clearTimeout(timer);
        stopWaiting();
        controller.error(timedOut ? new InactivityTimeoutError(href, ms, party.check) : err);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      stopWaiting();
      return reader.cancel(reason);
    },
  });
  const wrapped = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperty(wrapped, 'url', { value: res.url });
  Object.defineProperty(wrapped, 'redirected', { value: res.redirected });
  return wrapped;
}
