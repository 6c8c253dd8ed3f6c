// Deleting several endpoints at once: the picker's row text (status and the labelled hourly price of each)
// and the one confirmation that lists every chosen endpoint with what it deletes and the total per hour.
// Pure, so the wording and the sum are unit-tested without a window; the command gathers the facts.

/** What the picker and the confirmation know of one endpoint. */
export interface EndpointCost {
  name: string;
  status: string;
  local: boolean;
  /** USD per hour for all its instances now (0 when nothing bills; undefined when unknown). */
  perHour?: number;
  /** The labelled rate, e.g. "about $0.230/h, offline table (us-east-1 prices)" or "$1.21/h (Price List, …)". */
  priceLine?: string;
  /** The rate comes from the offline table, so the total is "about". */
  estimated?: boolean;
  /** Serverless: billed per use, nothing per hour. */
  serverless?: boolean;
}

/** The button that keeps everything: listed first, so it is the one a modal focuses and Enter presses. */
export const KEEP_ENDPOINT = 'Keep Endpoint';
export const KEEP_ENDPOINTS = 'Keep Endpoints';

/** The picker row's description: where it runs, its status and what it costs now, with the price's source. */
export function endpointCostText(e: EndpointCost): string {
  if (e.local) return `local · ${e.status} · $0/h (this machine)`;
  if (e.serverless) return `${e.status} · serverless, billed per use`;
  if (e.perHour === 0) return `${e.status} · nothing billed now`;
  return `${e.status} · ${e.priceLine ?? 'price unknown — check the SageMaker pricing page'}`;
}

/** "about $0.966/h" for the endpoints whose rate is known, and how many are not counted. */
export function totalPerHourText(rows: readonly EndpointCost[]): string {
  const known = rows.filter((r) => r.local || r.serverless || r.perHour !== undefined);
  const sum = known.reduce((s, r) => s + (r.local || r.serverless ? 0 : (r.perHour ?? 0)), 0);
  const about = known.some((r) => r.estimated && (r.perHour ?? 0) > 0) ? 'about ' : '';
  const unknown = rows.length - known.length;
  const perUse = rows.filter((r) => r.serverless).length;
  return `${about}$${sum.toFixed(sum < 1 ? 3 : 2)}/h in all${perUse ? ` (plus ${perUse} serverless, billed per use)` : ''}${unknown ? ` (${unknown} with an unknown price not counted)` : ''}`;
}

/**
 * The one confirmation for several endpoints: a line per endpoint (its cost and what goes), then the total
 * that stops billing. `deletes` maps a SageMaker endpoint's name to its plan's steps ("endpoint x, endpoint
 * config x and model y"); `kept` lists what stays and why.
 */
export function deleteManyQuestion(
  rows: readonly EndpointCost[],
  deletes: ReadonlyMap<string, string>,
  kept: readonly string[] = [],
): { message: string; detail: string } {
  const lines = rows.map(
    (r) =>
      `• ${r.name}: ${endpointCostText(r)}${r.local ? '; stops the local server (asks again)' : deletes.has(r.name) ? `; deletes ${deletes.get(r.name)}` : ''}`,
  );
  return {
    message: `Delete ${rows.length} endpoints?`,
    detail: `${lines.join('\n')}\n\nStops billing of ${totalPerHourText(rows)}.${kept.length ? `\n\n${kept.join('\n')}` : ''}`,
  };
}
