// A loopback proxy in front of a real moto_server that injects the faults moto cannot show (notes B5):
// throttling and other error answers, a response that never comes, a connection cut mid-request,
// JSON answers with fields rewritten (a job that stays InProgress, an endpoint that goes Failed), and
// error answers that quote the request back (echo: a secret leaking through AWS's own words), and
// answers for calls moto lacks (StopTrainingJob). Everything not matched by a rule goes to moto
// unchanged, so the state the tests check afterwards is moto's own. Also a stand-in Hugging Face Hub.
import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import * as path from 'node:path';

export interface Call {
  /** SigV4 signing name: sagemaker, s3, logs, sts, … */
  service: string;
  /** DescribeTrainingJob, UploadPart, GetCallerIdentity, … */
  operation: string;
  method: string;
  url: string;
}

export type Fault =
  /** An error answer in the service's own protocol (JSON, S3 XML, query XML). */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Reads the request and never answers (the socket stays open); `afterForward`: moto did it, the answer is lost. */
  | { kind: 'stall'; afterForward?: boolean }
  /** Destroys the connection without an answer. */
  | { kind: 'cut' }
  /** Passes to moto, then merges fields into a successful JSON answer. */
  | { kind: 'patch'; fields: Record<string, unknown> | (() => Record<string, unknown>) }
  /** Answers without moto. */
  | { kind: 'respond'; status: number; body: unknown; then?: () => void }
  /**
   * An error answer that quotes the request back, body and session-token header (as a ValidationException
   * quoting the container environment does): what a leak of a secret through AWS's own words looks like.
   */
  | { kind: 'echo'; status?: number; code?: string };

export interface Rule {
  service?: string;
  operation?: string | RegExp;
  /** How many matching calls get the fault (default: all). */
  times?: number;
  fault: Fault;
}

export interface FaultProxy {
  url: string;
  /** Every call seen, in order. */
  calls: Call[];
  /** Calls a fault was injected into. */
  injected: (Call & { fault: Fault['kind'] })[];
  add(rule: Rule): Rule;
  remove(rule: Rule): void;
  clear(): void;
  close(): Promise<void>;
}

const S3_QUERY_OPS: [string, RegExp, string][] = [
  ['PUT', /[?&]partNumber=/, 'UploadPart'],
  ['POST', /[?&]uploads(=|&|$)/, 'CreateMultipartUpload'],
  ['POST', /[?&]uploadId=/, 'CompleteMultipartUpload'],
  ['DELETE', /[?&]uploadId=/, 'AbortMultipartUpload'],
  ['GET', /[?&]uploads(=|&|$)/, 'ListMultipartUploads'],
  ['GET', /[?&]list-type=2/, 'ListObjectsV2'],
  ['POST', /[?&]delete(=|&|$)/, 'DeleteObjects'],
];

function operationOf(req: IncomingMessage, service: string, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop()!;
  if (service === 's3') {
    const url = req.url ?? '';
    for (const [method, re, op] of S3_QUERY_OPS) if (req.method === method && re.test(url)) return op;
    const isBucket = /^\/[^/?]+\/?(\?|$)/.test(url);
    return (
      (
        {
          GET: isBucket ? 'ListObjects' : 'GetObject',
          PUT: isBucket ? 'CreateBucket' : 'PutObject',
          HEAD: isBucket ? 'HeadBucket' : 'HeadObject',
          DELETE: isBucket ? 'DeleteBucket' : 'DeleteObject',
        } as Record<string, string>
      )[req.method ?? ''] ??
      req.method ??
      ''
    );
  }
  const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('utf8'))?.[1];
  if (action) return action;
  if (/\/invocations$/.test(req.url ?? '')) return 'InvokeEndpoint';
  return req.method ?? '';
}

function errorBody(
  service: string,
  req: IncomingMessage,
  f: Extract<Fault, { kind: 'error' }>,
): { type: string; body: string } {
  const message = f.message ?? f.code;
  if (typeof req.headers['x-amz-target'] === 'string')
    return { type: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: f.code, message }) };
  if (service === 's3')
    return {
      type: 'application/xml',
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${f.code}</Code><Message>${message}</Message><RequestId>FAULT</RequestId></Error>`,
    };
  return {
    type: 'text/xml',
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${f.code}</Code><Message>${message}</Message></Error><RequestId>FAULT</RequestId></ErrorResponse>`,
  };
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: (Rule & { used: number })[] = [];
  const calls: Call[] = [];
  const injected: FaultProxy['injected'] = [];
  const sockets = new Set<Socket>();

  const forward = async (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Headers; body: Buffer }> => {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection', 'expect'].includes(k)),
    ) as Record<string, string>;
    const upstream = await fetch(target + req.url, {
      method: req.method,
      headers,
      body: body.length && req.method !== 'GET' && req.method !== 'HEAD' ? new Uint8Array(body) : undefined,
      redirect: 'manual',
    });
    return { status: upstream.status, headers: upstream.headers, body: Buffer.from(await upstream.arrayBuffer()) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const service =
      /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? 'unknown';
    const call: Call = {
      service,
      operation: operationOf(req, service, body),
      method: req.method ?? '',
      url: req.url ?? '',
    };
    calls.push(call);
    const rule = rules.find(
      (r) =>
        (r.times === undefined || r.used < r.times) &&
        (!r.service || r.service === service) &&
        (!r.operation ||
          (typeof r.operation === 'string' ? r.operation === call.operation : r.operation.test(call.operation))),
    );
    const fault = rule?.fault;
    if (rule) {
      rule.used++;
      injected.push({ ...call, fault: rule.fault.kind });
    }
    if (fault?.kind === 'stall') {
      if (fault.afterForward) await forward(req, body);
      return; // the socket stays open until the client gives up
    }
    if (fault?.kind === 'cut') return void req.socket.destroy();
    if (fault?.kind === 'error' || fault?.kind === 'echo') {
      const f: Extract<Fault, { kind: 'error' }> =
        fault.kind === 'error'
          ? fault
          : {
              kind: 'error',
              status: fault.status ?? 400,
              code: fault.code ?? 'ValidationException',
              message: `1 validation error detected: Value '${body.toString('utf8').replace(/[<>&]/g, ' ')}' failed to satisfy constraint (request token ${String(req.headers['x-amz-security-token'] ?? 'none')})`,
            };
      const e = errorBody(service, req, f);
      res.writeHead(f.status, {
        'content-type': e.type,
        'content-length': req.method === 'HEAD' ? 0 : Buffer.byteLength(e.body),
        'x-amzn-errortype': f.code,
      });
      return void res.end(req.method === 'HEAD' ? undefined : e.body);
    }
    if (fault?.kind === 'respond') {
      const b = JSON.stringify(fault.body);
      res.writeHead(fault.status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(b),
      });
      res.end(b);
      fault.then?.();
      return;
    }
    const up = await forward(req, body);
    let out = up.body;
    if (fault?.kind === 'patch' && up.status < 300) {
      const fields = typeof fault.fields === 'function' ? fault.fields() : fault.fields;
      out = Buffer.from(JSON.stringify({ ...JSON.parse(out.toString('utf8')), ...fields }));
    }
    const headers: Record<string, string> = {};
    up.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k)) headers[k] = v;
    });
    res.writeHead(up.status, {
      ...headers,
      'content-length': req.method === 'HEAD' ? (up.headers.get('content-length') ?? out.length) : out.length,
    });
    res.end(req.method === 'HEAD' ? undefined : out);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${String(err)}`);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    injected,
    add(rule) {
      const r = { ...rule, used: 0 };
      rules.push(r);
      return r;
    },
    remove(rule) {
      const i = rules.indexOf(rule as Rule & { used: number });
      if (i >= 0) rules.splice(i, 1);
    },
    clear() {
      rules.length = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/**
 * A stand-in for the Hugging Face Hub serving a tokenizer folder as `/{model}/resolve/main/{file}`;
 * `stall` makes it accept connections and never answer (the fault a real Hub mirror or proxy shows).
 */
export async function startStandInHub(
  models: Record<string, string>,
): Promise<{ url: string; requests: string[]; stall: boolean; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { url: '', requests: [] as string[], stall: false, close: async () => undefined as void };
  const server = createServer((req, res) => {
    state.requests.push(req.url ?? '');
    if (state.stall) return;
    const m = /^\/([^/]+(?:\/[^/]+)?)\/resolve\/[^/]+\/([\w.-]+)$/.exec(req.url ?? '');
    const dir = m ? models[m[1]!] : undefined;
    const file = dir ? path.join(dir, m![2]!) : undefined;
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: 'Entry not found' }));
    }
    const b = fs.readFileSync(file);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': b.length });
    res.end(b);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  state.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(() => r()));
  };
  return state;
}
