// A loopback pass-through proxy in front of a real moto_server for what moto cannot show: it records
// SageMaker JSON requests, can rewrite a response (a job's WarmPoolStatus or billable seconds, which
// moto never reports) and can answer an operation moto does not implement (UpdateTrainingJob). Every
// other request, and every field not rewritten, is moto's own answer.
import { createServer, type Server } from 'node:http';
import { freePort } from './moto';

export interface Recorded {
  target: string;
  body: Record<string, unknown>;
}

export interface SageMakerProxy {
  url: string;
  requests: Recorded[];
  /** Merges fields into moto's answer to this operation (e.g. 'DescribeTrainingJob'). */
  rewrite(operation: string, fields: Record<string, unknown> | undefined): void;
  /** Answers this operation itself with the JSON the function returns (moto is not asked). */
  answer(operation: string, fn: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined): void;
  close(): Promise<void>;
}

export async function startSageMakerProxy(target: string): Promise<SageMakerProxy> {
  const rewrites = new Map<string, Record<string, unknown>>();
  const answers = new Map<string, (body: Record<string, unknown>) => Record<string, unknown>>();
  const requests: Recorded[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    const op = amzTarget.startsWith('SageMaker.') ? amzTarget.slice('SageMaker.'.length) : '';
    if (op) {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString() || '{}');
      } catch {
        /* not JSON */
      }
      requests.push({ target: op, body });
      const fn = answers.get(op);
      if (fn) {
        const out = Buffer.from(JSON.stringify(fn(body)));
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': out.length });
        res.end(out);
        return;
      }
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    const upstream = await fetch(target + req.url, { method: req.method, headers, body: raw.length ? raw : undefined });
    let out = Buffer.from(await upstream.arrayBuffer());
    const extra = op ? rewrites.get(op) : undefined;
    if (extra && upstream.ok) out = Buffer.from(JSON.stringify({ ...JSON.parse(out.toString()), ...extra }));
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'content-length': out.length,
    });
    res.end(out);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rewrite: (op, fields) => (fields ? rewrites.set(op, fields) : rewrites.delete(op)),
    answer: (op, fn) => (fn ? answers.set(op, fn) : answers.delete(op)),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
