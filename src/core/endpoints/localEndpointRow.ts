// The row of a local endpoint (serve.py on this machine) in the Endpoints section: its status and uptime
// first, as a SageMaker endpoint's row has them, then "local" and the address, and a tooltip that says
// it costs nothing on AWS. Pure, so the row's text is checked in plain Node.
import { formatUptime } from '../billing/runningNow';

export interface LocalEndpointFacts {
  name: string;
  url: string;
  /** When the server was started (ISO time, from the registry record). */
  startedAt: string;
  pid: number;
  model: string;
  logFile: string;
}

/** "InService · up 12 min · local · 127.0.0.1:8080" and its tooltip. */
export function localEndpointRow(
  e: LocalEndpointFacts,
  status: string,
  now = Date.now(),
): { description: string; tooltip: string } {
  const started = Date.parse(e.startedAt);
  const up = Number.isFinite(started) ? formatUptime(now - started) : undefined;
  const where = e.url.replace(/^https?:\/\//, '');
  return {
    description: [status, ...(up ? [`up ${up}`] : []), 'local', where].join(' · '),
    tooltip: [
      `Local endpoint (serve.py, pid ${e.pid}) at ${e.url}: ${status}${up ? `, up ${up} (since ${new Date(started).toLocaleString()})` : ''}; runs on this machine, no AWS cost.`,
      `Model: ${e.model}`,
      `Log: ${e.logFile}`,
    ].join('\n'),
  };
}
