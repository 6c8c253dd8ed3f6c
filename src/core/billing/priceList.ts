// Reading SageMaker prices out of the AWS Price List API (GetProducts on service AmazonSageMaker). Pure:
// the filters to send and the parsing of the PriceList JSON strings it answers. Facts about the data
// (public Price List records): instance products are productFamily "ML Instance" with attributes
// regionCode, instanceName ("ml.p3.2xlarge") and component ("Training", "Hosting", "Processing", …), and
// usagetype "<region prefix>-Train:<type>" / "-Host:" / "-Processing:"; serverless inference is
// productFamily "ML Serverless" with usagetype "<prefix>-ServerlessInf:Mem-<N>GB", priced per second.
// The on-demand price is terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD with unit "Hrs" (or
// seconds for serverless).

export type PriceKind = 'training' | 'inference' | 'processing' | 'serverless';

export interface PriceFilter {
  Type: 'TERM_MATCH';
  Field: string;
  Value: string;
}

const COMPONENT: Record<Exclude<PriceKind, 'serverless'>, { component: string; usage: string }> = {
  training: { component: 'Training', usage: 'Train' },
  inference: { component: 'Hosting', usage: 'Host' },
  processing: { component: 'Processing', usage: 'Processing' },
};

/** The Price List API endpoint region for a SageMaker region (China has its own). */
export function pricingRegionFor(region: string): string {
  return region.startsWith('cn-') ? 'cn-northwest-1' : 'us-east-1';
}

/** Serverless memory sizes are whole GB from 1 to 6. */
export function serverlessMemoryGb(memorySizeInMB: number): number {
  return Math.round(memorySizeInMB / 1024);
}

export function productFilters(region: string, kind: PriceKind, what: string): PriceFilter[] {
  const f = (Field: string, Value: string): PriceFilter => ({ Type: 'TERM_MATCH', Field, Value });
  if (kind === 'serverless') return [f('regionCode', region), f('productFamily', 'ML Serverless')];
  return [f('regionCode', region), f('instanceName', what), f('component', COMPONENT[kind].component)];
}

interface PriceItem {
  product?: { productFamily?: string; attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }
    >;
  };
}

/** USD per unit of the on-demand terms of one item (the positive ones), with their unit. */
function onDemandPrices(item: PriceItem): { usd: number; unit: string }[] {
  const out: { usd: number; unit: string }[] = [];
  for (const term of Object.values(item.terms?.OnDemand ?? {})) {
    for (const dim of Object.values(term.priceDimensions ?? {})) {
      const usd = Number(dim.pricePerUnit?.USD);
      if (Number.isFinite(usd) && usd > 0) out.push({ usd, unit: (dim.unit ?? '').toLowerCase() });
    }
  }
  return out;
}

/**
 * The on-demand price from GetProducts' PriceList strings: per hour for instances, per second for
 * serverless (`what` = memory in MB). Undefined when no item fits. Rows that are not the plain on-demand
 * usage (upfront fees, plans, other components) are skipped; if several remain the lowest wins.
 */
export function parsePriceList(priceList: string[], kind: PriceKind, what: string): number | undefined {
  const candidates: number[] = [];
  for (const text of priceList) {
    let item: PriceItem;
    try {
      item = JSON.parse(text) as PriceItem;
    } catch {
      continue;
    }
    const a = item.product?.attributes ?? {};
    const usage = a['usagetype'] ?? '';
    if (kind === 'serverless') {
      const gb = serverlessMemoryGb(Number(what));
      if (!new RegExp(`(^|-)ServerlessInf:Mem-${gb}GB$`).test(usage)) continue;
      for (const p of onDemandPrices(item))
        if (/^(s|sec|second|seconds)$/.test(p.unit) || p.unit === '') candidates.push(p.usd);
      continue;
    }
    const { component, usage: usageName } = COMPONENT[kind];
    if (a['instanceName'] && a['instanceName'] !== what) continue;
    if (a['component'] && a['component'] !== component) continue;
    if (usage && !new RegExp(`(^|-)${usageName}:${what.replace(/\./g, '\\.')}$`).test(usage)) continue;
    for (const p of onDemandPrices(item))
      if (p.unit === 'hrs' || p.unit === 'hours' || p.unit === 'hour') candidates.push(p.usd);
  }
  return candidates.length ? Math.min(...candidates) : undefined;
}
