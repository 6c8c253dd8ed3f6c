// Real prices: resolvePrice against a loopback stand-in for the AWS Price List API (moto has none). The
// stand-in speaks the real protocol (JSON 1.1 POST, X-Amz-Target AWSPriceListService.GetProducts, SigV4
// signed by the real SDK client) and answers PriceList strings shaped like AWS's SageMaker records; the
// dollar figures in them are the stand-in's, not AWS prices. Checked: the filters sent, parsing, the
// day-long disk cache (a second call makes no request), expiry, and the labelled offline fallback; the
// cache keyed by endpoint, a 0 never cached, every figure labelled with its source; serverless per GB-second.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePriceList } from '../../src/core/billing/priceList';
import {
  formatPricedAmount,
  formatResolvedPrice,
  priceSource,
  priceText,
  serverlessPriceText,
  resetPriceFailures,
  resolvePrice,
  PRICE_CACHE_MS,
} from '../../src/workflow/prices';

interface Seen {
  target: string;
  auth: string;
  body: { ServiceCode: string; Filters: { Type: string; Field: string; Value: string }[]; FormatVersion?: string };
}

function item(attrs: Record<string, string>, usd: string, unit = 'Hrs', family = 'ML Instance'): string {
  const sku = `SKU${Math.abs([...JSON.stringify(attrs)].reduce((a, c) => (a * 31 + c.charCodeAt(0)) | 0, 7))}`;
  return JSON.stringify({
    product: {
      productFamily: family,
      attributes: {
        servicecode: 'AmazonSageMaker',
        servicename: 'Amazon SageMaker',
        locationType: 'AWS Region',
        operation: 'RunInstance',
        ...attrs,
      },
      sku,
    },
    serviceCode: 'AmazonSageMaker',
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              unit,
              endRange: 'Inf',
              description: `stand-in price for ${attrs['usagetype']}`,
              appliesTo: [],
              rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
              beginRange: '0',
              pricePerUnit: { USD: usd },
            },
          },
          sku,
          effectiveDate: '2026-11-01T00:00:00Z',
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
    version: '20261101000000',
    publicationDate: '2026-11-01T00:00:00Z',
  });
}

// The stand-in's catalogue for eu-west-1.
const CATALOGUE = [
  item(
    {
      regionCode: 'eu-west-1',
      location: 'EU (Ireland)',
      instanceName: 'ml.p3.2xlarge',
      component: 'Training',
      usagetype: 'EU-Train:ml.p3.2xlarge',
    },
    '4.2300000000',
  ),
  item(
    {
      regionCode: 'eu-west-1',
      location: 'EU (Ireland)',
      instanceName: 'ml.p3.2xlarge',
      component: 'Hosting',
      usagetype: 'EU-Host:ml.p3.2xlarge',
    },
    '4.4500000000',
  ),
  // A one-off fee in the same product group: not an hourly price.
  item(
    {
      regionCode: 'eu-west-1',
      location: 'EU (Ireland)',
      instanceName: 'ml.p3.2xlarge',
      usagetype: 'EU-TrainingPlanUpfrontFee:ml.p3.2xlarge',
    },
    '1.0000000000',
    'Quantity',
  ),
  item(
    {
      regionCode: 'eu-west-1',
      location: 'EU (Ireland)',
      instanceName: 'ml.c5.4xlarge',
      component: 'Processing',
      usagetype: 'EU-Processing:ml.c5.4xlarge',
    },
    '0.9100000000',
  ),
  item(
    { regionCode: 'eu-west-1', location: 'EU (Ireland)', usagetype: 'EU-ServerlessInf:Mem-4GB' },
    '0.0000888000',
    'Second',
    'ML Serverless',
  ),
  item(
    { regionCode: 'eu-west-1', location: 'EU (Ireland)', usagetype: 'EU-ServerlessInf:Mem-2GB' },
    '0.0000444000',
    'Second',
    'ML Serverless',
  ),
];

let server: http.Server;
let endpoint: string;
let seen: Seen[] = [];
let failWith: number | undefined;
/** Answer this list instead of the catalogue (a bad answer). */
let answerWith: string[] | undefined;
let cacheDir: string;
const savedEnv = { ...process.env };

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      seen.push({ target, auth: String(req.headers['authorization'] ?? ''), body: JSON.parse(body || '{}') });
      if (failWith) {
        res.writeHead(failWith, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'InternalErrorException', message: 'stand-in failure' }));
        return;
      }
      const filters = (JSON.parse(body) as Seen['body']).Filters;
      const want = (field: string) => filters.find((f) => f.Field === field)?.Value;
      const list = (answerWith ?? CATALOGUE).filter((text) => {
        const p = JSON.parse(text) as { product: { productFamily: string; attributes: Record<string, string> } };
        return (
          filters.every((f) =>
            f.Field === 'productFamily'
              ? p.product.productFamily === f.Value
              : p.product.attributes[f.Field] === undefined || p.product.attributes[f.Field] === f.Value,
          ) &&
          (!want('instanceName') || p.product.attributes['instanceName'] === want('instanceName'))
        );
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FormatVersion: 'aws_v1', PriceList: list }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    SAGEMAKER_HF_PRICING_ENDPOINT: endpoint,
  });
  delete process.env.AWS_PROFILE;
});
after(async () => {
  process.env = savedEnv;
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  seen = [];
  failWith = undefined;
  answerWith = undefined;
  resetPriceFailures();
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prices-'));
});

test("parsePriceList: the component's hourly on-demand price; fees and other components skipped", () => {
  assert.equal(parsePriceList(CATALOGUE, 'training', 'ml.p3.2xlarge'), 4.23);
  assert.equal(parsePriceList(CATALOGUE, 'inference', 'ml.p3.2xlarge'), 4.45);
  assert.equal(parsePriceList(CATALOGUE, 'processing', 'ml.c5.4xlarge'), 0.91);
  assert.equal(parsePriceList(CATALOGUE, 'serverless', '4096'), 0.0000888);
  assert.equal(parsePriceList(CATALOGUE, 'training', 'ml.g5.xlarge'), undefined);
  assert.equal(parsePriceList(['not json', CATALOGUE[2]!], 'training', 'ml.p3.2xlarge'), undefined);
});

test('first call asks the Price List (signed, filtered by region, instance and component); the second reads the disk cache', async () => {
  const now = Date.UTC(2026, 11, 2, 3, 0, 0);
  const p = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', { cacheDir, now: () => now });
  assert.deepEqual(p, {
    amount: 4.23,
    unit: 'hour',
    source: 'price-list',
    region: 'eu-west-1',
    fetchedAt: new Date(now).toISOString(),
  });
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.target, 'AWSPriceListService.GetProducts');
  assert.match(seen[0]!.auth, /^AWS4-HMAC-SHA256 Credential=testing\/\d{8}\/us-east-1\/pricing\/aws4_request/);
  assert.equal(seen[0]!.body.ServiceCode, 'AmazonSageMaker');
  assert.deepEqual(seen[0]!.body.Filters, [
    { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
    { Type: 'TERM_MATCH', Field: 'instanceName', Value: 'ml.p3.2xlarge' },
    { Type: 'TERM_MATCH', Field: 'component', Value: 'Training' },
  ]);
  const file = JSON.parse(fs.readFileSync(path.join(cacheDir, 'eu-west-1.json'), 'utf8')) as {
    entries: Record<string, { amount: number }>;
  };
  assert.equal(file.entries[`${endpoint}|training:ml.p3.2xlarge`]!.amount, 4.23);

  const again = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', { cacheDir, now: () => now + 3600_000 });
  assert.equal(again!.amount, 4.23);
  assert.equal(seen.length, 1, 'no request for a cached price');
  assert.equal(formatResolvedPrice(again, 2, 'ml.p3.2xlarge'), '$8.46/h (Price List, 2026-12-02)');
  assert.equal(
    await priceText('eu-west-1', 'ml.p3.2xlarge', 2, 'training', { cacheDir, now: () => now }),
    '$8.46/h (Price List, 2026-12-02)',
  );
  assert.equal(formatPricedAmount(20, again!), '$20.00 (Price List, 2026-12-02)');
});

test('a cached price expires after a day', async () => {
  const now = Date.UTC(2026, 11, 2, 3, 0, 0);
  await resolvePrice('eu-west-1', 'ml.c5.4xlarge', 'processing', { cacheDir, now: () => now });
  await resolvePrice('eu-west-1', 'ml.c5.4xlarge', 'processing', { cacheDir, now: () => now + PRICE_CACHE_MS - 1 });
  assert.equal(seen.length, 1);
  const later = await resolvePrice('eu-west-1', 'ml.c5.4xlarge', 'processing', {
    cacheDir,
    now: () => now + PRICE_CACHE_MS + 1,
  });
  assert.equal(seen.length, 2);
  assert.equal(later!.source, 'price-list');
  assert.equal(seen[1]!.body.Filters.find((f) => f.Field === 'component')!.Value, 'Processing');
});

test('API failure: the offline table, labelled as such, and no second attempt for a few minutes', async () => {
  failWith = 500;
  const p = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', { cacheDir });
  assert.deepEqual(p, { amount: 3.825, unit: 'hour', source: 'offline-table', region: 'us-east-1' });
  assert.equal(formatResolvedPrice(p, 1, 'ml.p3.2xlarge'), 'about $3.83/h, offline table (us-east-1 prices)');
  assert.equal(seen.length, 1);
  assert.ok(!fs.existsSync(path.join(cacheDir, 'eu-west-1.json')), 'a failure is not cached on disk');
  failWith = undefined;
  assert.equal((await resolvePrice('eu-west-1', 'ml.g5.xlarge', 'training', { cacheDir }))!.source, 'offline-table');
  assert.equal(seen.length, 1, 'held on the fallback after a failure');
  resetPriceFailures();
  assert.equal((await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', { cacheDir }))!.source, 'price-list');
});

test('an unreachable endpoint falls back quickly; an unknown type is remembered and falls back; serverless per second', async () => {
  const t0 = Date.now();
  const down = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'inference', {
    cacheDir,
    endpoint: 'http://127.0.0.1:9',
  });
  assert.equal(down!.source, 'offline-table');
  assert.ok(Date.now() - t0 < 5000);

  const unknown = await resolvePrice('eu-west-1', 'ml.g5.xlarge', 'training', { cacheDir });
  assert.equal(unknown!.source, 'offline-table');
  assert.equal(unknown!.amount, 1.408);
  await resolvePrice('eu-west-1', 'ml.g5.xlarge', 'training', { cacheDir });
  assert.equal(seen.length, 1, 'the Price List\'s "no such product" is cached too');
  assert.equal(
    await priceText('eu-west-1', 'ml.nope.xlarge', 1, 'training', { cacheDir }),
    'price unknown for ml.nope.xlarge — check the SageMaker pricing page',
  );

  const sl = await resolvePrice('eu-west-1', 4096, 'serverless', { cacheDir });
  assert.deepEqual(
    { amount: sl!.amount, unit: sl!.unit, source: sl!.source },
    { amount: 0.0000888, unit: 'second', source: 'price-list' },
  );
  assert.deepEqual(seen.at(-1)!.body.Filters, [
    { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
    { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'ML Serverless' },
  ]);
  assert.match(formatResolvedPrice(sl, 1, '4096'), /^\$0\.000089\/s of compute \(Price List, \d{4}-\d\d-\d\d\)$/);
  assert.equal(
    formatResolvedPrice(
      await resolvePrice('eu-west-1', 4096, 'serverless', {
        cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'prices-')),
        offline: true,
      }),
      1,
      '4096',
    ).startsWith('about $0.000080/s'),
    true,
  );
  const local = await resolvePrice('eu-west-1', 'local', 'training', { cacheDir });
  assert.deepEqual(local, { amount: 0, unit: 'hour', source: 'local', region: 'eu-west-1' });
  assert.equal(formatResolvedPrice(local, 1, 'local'), '$0/h (this machine)');
});

test("the cache is keyed by the Price List endpoint: another endpoint never gets this one's answer", async () => {
  const now = Date.UTC(2026, 11, 2, 3, 0, 0);
  const first = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', { cacheDir, now: () => now });
  assert.equal(first!.source, 'price-list');
  // Same region, same day, another endpoint (down): not the cached stand-in figure, the offline table.
  const other = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', {
    cacheDir,
    endpoint: 'http://127.0.0.1:9',
    now: () => now + 60_000,
  });
  assert.deepEqual(other, { amount: 3.825, unit: 'hour', source: 'offline-table', region: 'us-east-1' });
  assert.equal(priceSource(other!), 'offline table (us-east-1 prices)');
  assert.equal(seen.length, 1);
});

test('a price of 0 (or a record with no usable price) is never cached and is shown as the labelled offline table', async () => {
  const now = Date.UTC(2026, 11, 2, 3, 0, 0);
  answerWith = [
    item(
      {
        regionCode: 'eu-west-1',
        instanceName: 'ml.p3.2xlarge',
        component: 'Training',
        usagetype: 'EU-Train:ml.p3.2xlarge',
      },
      '0.0000000000',
    ),
  ];
  const bad = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', { cacheDir, now: () => now });
  assert.equal(bad!.source, 'offline-table');
  assert.equal(formatResolvedPrice(bad, 1, 'ml.p3.2xlarge'), 'about $3.83/h, offline table (us-east-1 prices)');
  assert.ok(!fs.existsSync(path.join(cacheDir, 'eu-west-1.json')), 'nothing cached from a 0');
  // A 0 written to the cache by an older version is not believed either.
  fs.writeFileSync(
    path.join(cacheDir, 'eu-west-1.json'),
    JSON.stringify({
      version: 1,
      entries: { [`${endpoint}|training:ml.p3.2xlarge`]: { amount: 0, fetchedAt: new Date(now).toISOString() } },
    }),
  );
  answerWith = undefined;
  resetPriceFailures();
  const good = await resolvePrice('eu-west-1', 'ml.p3.2xlarge', 'training', { cacheDir, now: () => now });
  assert.equal(good!.amount, 4.23);
  assert.equal(seen.length, 2, 'the cached 0 was asked again');
});

test('serverless: compute per second from the Price List for the memory size, data from the labelled table', async () => {
  const text = await serverlessPriceText('eu-west-1', 2048, { cacheDir });
  assert.match(
    text,
    /^billed per use: \$0\.000044 per second of compute \(2 GB; Price List, \d{4}-\d\d-\d\d\) \+ about \$0\.016\/GB of data \(offline table, us-east-1 prices\); nothing while idle$/,
  );
  assert.deepEqual(seen.at(-1)!.body.Filters, [
    { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'eu-west-1' },
    { Type: 'TERM_MATCH', Field: 'productFamily', Value: 'ML Serverless' },
  ]);
  failWith = 500;
  resetPriceFailures();
  const offline = await serverlessPriceText('eu-west-1', 6144, { cacheDir });
  assert.match(
    offline,
    /^billed per use: about \$0\.000120 per second of compute \(6 GB; offline table \(us-east-1 prices\)\)/,
  );
});

test('processing types the prepare picker offers: known offline through priceText, labelled; ml.c5.9xlarge too', async () => {
  const opts = { cacheDir, endpoint: 'http://127.0.0.1:9' };
  assert.equal(
    await priceText('us-east-1', 'ml.c5.9xlarge', 1, 'processing', opts),
    'about $1.84/h, offline table (us-east-1 prices)',
  );
  for (const t of ['ml.c5.4xlarge', 'ml.c5.2xlarge', 'ml.m5.4xlarge', 'ml.m5.xlarge', 'ml.c5.18xlarge']) {
    const p = await resolvePrice('us-east-1', t, 'processing', opts);
    assert.equal(p?.source, 'offline-table', t);
    assert.ok(p.amount > 0, t);
  }
});
