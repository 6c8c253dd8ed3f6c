// The "Running now" rows: cost first on every row, the dearest first, the section's total naming what
// has no hourly price.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  byCost,
  processingBillable,
  runningRow,
  runningSummary,
  runningTotal,
  type Billable,
} from '../../src/core/billing/runningNow';
import { localEndpointRow } from '../../src/core/endpoints/localEndpointRow';

const now = new Date('2026-12-07T12:00:00Z');
const endpoint: Billable = {
  kind: 'endpoint',
  name: 'ep',
  perHour: 0.736,
  detail: 'ml.g4dn.xlarge × 1',
  since: new Date('2026-12-07T09:57:00Z'),
};
const pool: Billable = { kind: 'warm pool', name: 'job-1', perHour: 3.83, detail: 'expires in 12 min' };
const serverless: Billable = { kind: 'endpoint', name: 'sls', perUse: true };
const mystery: Billable = { kind: 'processing job', name: 'prep', detail: 'ml.c5.9xlarge × 1' };

test('a row starts with its cost, then what it is, its size and uptime with the cost so far', () => {
  assert.equal(
    runningRow(endpoint, now).description,
    '$0.736/h · endpoint · ml.g4dn.xlarge × 1 · 2 h 03 min ($1.51 so far)',
  );
  assert.equal(runningRow(pool, now).description, '$3.83/h · warm pool · expires in 12 min');
  assert.equal(runningRow(serverless, now).description, 'per use · endpoint');
  assert.equal(runningRow(mystery, now).description, 'price unknown · processing job · ml.c5.9xlarge × 1');
  assert.match(runningRow(endpoint, now).tooltip, /billed \$0\.736 per hour while it runs \(\$1\.51 so far\)/);
});

test('a price from the offline table reads "about" on the row and names its source in the tooltip', () => {
  const table: Billable = { ...endpoint, priceSource: 'offline table (us-east-1 prices)' };
  assert.match(runningRow(table, now).description, /^about \$0\.736\/h · endpoint/);
  assert.match(runningRow(table, now).tooltip, /per hour while it runs \(offline table \(us-east-1 prices\)\)/);
  const listed: Billable = { ...endpoint, priceSource: 'Price List, 2026-12-02' };
  assert.match(runningRow(listed, now).description, /^\$0\.736\/h/);
  assert.match(runningRow(listed, now).tooltip, /\(Price List, 2026-12-02\)/);
});

test('dearest first, unknown prices before known ones, per-use last', () => {
  assert.deepEqual(
    byCost([endpoint, serverless, pool, mystery]).map((b) => b.name),
    ['prep', 'job-1', 'ep', 'sls'],
  );
});

test('the total sums hourly prices and names what it cannot sum', () => {
  assert.equal(runningTotal([endpoint, pool]), '$4.57/h');
  assert.equal(runningTotal([endpoint, serverless, mystery]), '$0.736/h + per use + price unknown');
  assert.equal(runningTotal([]), undefined);
});

test('a running Processing job: cost first (per instance-hour × count), its size and uptime; none once ended', () => {
  const desc = {
    ProcessingJobName: 'prep-emotion-2026-12-07-11-30-00',
    ProcessingJobStatus: 'InProgress',
    ProcessingResources: { ClusterConfig: { InstanceType: 'ml.c5.4xlarge', InstanceCount: 2 } },
    CreationTime: new Date('2026-12-07T11:29:00Z'),
    ProcessingStartTime: new Date('2026-12-07T11:30:00Z'),
  };
  const b = processingBillable(desc, { perInstanceHour: 0.952, source: 'offline table (us-east-1 prices)' })!;
  assert.equal(b.kind, 'processing job');
  assert.equal(b.perHour, 1.904);
  assert.equal(
    runningRow(b, now).description,
    'about $1.90/h · processing job · ml.c5.4xlarge × 2 · 30 min ($0.952 so far)',
  );
  assert.match(runningRow(b, now).tooltip, /^processing job prep-emotion-.*: billed \$1\.90 per hour while it runs/);
  // Stopping still bills (the instances are up); the row says so.
  const stopping = processingBillable({ ...desc, ProcessingJobStatus: 'Stopping' })!;
  assert.equal(
    runningRow(stopping, now).description,
    'price unknown · processing job · Stopping · ml.c5.4xlarge × 2 · 30 min',
  );
  for (const status of ['Completed', 'Failed', 'Stopped'])
    assert.equal(processingBillable({ ...desc, ProcessingJobStatus: status }), undefined, status);
  // Among the other rows, by cost: the job above the endpoint, below the warm pool.
  assert.deepEqual(
    byCost([endpoint, b, pool]).map((x) => x.kind),
    ['warm pool', 'processing job', 'endpoint'],
  );
  assert.equal(runningTotal([endpoint, b]), '$2.64/h');
});

test('status bar: only billed things are counted in the price; local endpoints are listed apart', () => {
  // Two SageMaker endpoints and a local one: "3 endpoints · $0.74/h" would count the free server as billed.
  assert.equal(
    runningSummary({ endpoints: 2, warmPools: 0, local: 1, perHour: 0.736, estimated: true }),
    '2 endpoints · about $0.74/h + 1 local',
  );
  assert.equal(
    runningSummary({ endpoints: 1, warmPools: 1, local: 0, perHour: 4.566 }),
    '1 endpoint · 1 warm pool · $4.57/h',
  );
  assert.equal(
    runningSummary({ endpoints: 2, warmPools: 0, local: 2, perHour: 0.736, perUse: true, unknown: true }),
    '2 endpoints · $0.74/h+ + per use + 2 local',
  );
  assert.equal(runningSummary({ endpoints: 0, warmPools: 0, local: 1, perHour: 0 }), '1 local endpoint · no AWS cost');
  assert.equal(runningSummary({ endpoints: 0, warmPools: 0, local: 0, perHour: 0 }), undefined);
});

test('the local endpoint row: status and uptime first, then local and its address; the tooltip says no AWS cost', () => {
  const rec = {
    name: 'local-bert-tiny-20261207-120000',
    url: 'http://127.0.0.1:8080',
    startedAt: '2026-12-07T09:57:00Z',
    pid: 4242,
    model: '/w/.sagemaker-hf/local/job/model',
    logFile: '/w/.sagemaker-hf/local/endpoints/x.log',
  };
  const row = localEndpointRow(rec, 'InService', now.getTime());
  assert.equal(row.description, 'InService · up 2 h 03 min · local · 127.0.0.1:8080');
  assert.match(
    row.tooltip,
    /^Local endpoint \(serve\.py, pid 4242\) at http:\/\/127\.0\.0\.1:8080: InService, up 2 h 03 min \(since .*\); runs on this machine, no AWS cost\./,
  );
  assert.match(row.tooltip, /\nModel: \/w\/\.sagemaker-hf\/local\/job\/model\nLog: /);
  assert.equal(
    localEndpointRow({ ...rec, startedAt: 'garbled' }, 'InService', now.getTime()).description,
    'InService · local · 127.0.0.1:8080',
  );
});
