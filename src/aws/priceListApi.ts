// GetProducts on the AWS Price List API (JSON 1.1, target AWSPriceListService.GetProducts), all pages.
// The endpoint lives in a few regions only (us-east-1, ap-south-1, eu-central-1; cn-northwest-1 for
// China); SAGEMAKER_HF_PRICING_ENDPOINT overrides it (a stand-in in the tests). AWS_ENDPOINT_URL is not
// used here: an emulator for the other services (moto) has no Price List API.
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { credentialsFor } from './clients';
import type { PriceFilter } from '../core/billing/priceList';

export interface PriceListTarget {
  profile?: string;
  /** Price List endpoint region. */
  region: string;
  endpoint?: string;
}

const clients = new Map<string, PricingClient>();

function pricingClient(t: PriceListTarget): PricingClient {
  const endpoint = t.endpoint ?? (process.env.SAGEMAKER_HF_PRICING_ENDPOINT?.trim() || undefined);
  const key = `${t.profile ?? ''}|${t.region}|${endpoint ?? ''}`;
  let c = clients.get(key);
  if (!c) {
    c = new PricingClient({
      region: t.region,
      credentials: credentialsFor(t.profile),
      ...(endpoint ? { endpoint } : {}),
      // One try, quickly: the caller falls back to the offline table.
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 3_000, socketTimeout: 10_000 },
    });
    clients.set(key, c);
  }
  return c;
}

export async function getProducts(
  t: PriceListTarget,
  serviceCode: string,
  filters: PriceFilter[],
  signal?: AbortSignal,
): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 20; page++) {
    const res = await pricingClient(t).send(
      new GetProductsCommand({
        ServiceCode: serviceCode,
        Filters: filters,
        FormatVersion: 'aws_v1',
        MaxResults: 100,
        NextToken: token,
      }),
      { abortSignal: signal },
    );
    // Each item is a JSON document as a string (a String-like wrapper in some SDK versions, or parsed).
    out.push(
      ...((res.PriceList ?? []) as unknown[]).map((p) =>
        typeof p === 'string' || p instanceof String ? String(p) : JSON.stringify(p),
      ),
    );
    token = res.NextToken;
    if (!token) break;
  }
  return out;
}
