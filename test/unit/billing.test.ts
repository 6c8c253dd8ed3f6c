// Spot estimates and savings, warm pool state and serverless prices: the figures the tree, the job
// details page and the CLI show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  expectedSpotCost,
  formatJobBilling,
  formatSpotEstimate,
  formatWarmPool,
  warmPoolShort,
  jobBilling,
  spotPriceEstimate,
  warmPoolOf,
  jobBillingLine,
  SPOT_DISCOUNT_ESTIMATE,
} from '../../src/core/billing/billing';

test('spot estimate: on-demand price x (1 - assumed discount), its basis stated', () => {
  const e = spotPriceEstimate('ml.p3.2xlarge', 1, 'us-east-1')!;
  assert.equal(e.onDemandPerHour, 3.825);
  assert.ok(Math.abs(e.spotPerHour - 3.825 * (1 - SPOT_DISCOUNT_ESTIMATE)) < 1e-9);
  assert.match(
    formatSpotEstimate('ml.p3.2xlarge', 2, 'us-east-1'),
    /^on-demand about \$7\.65\/h, spot about \$2\.30\/h, offline table \(us-east-1 prices; estimate: 70% below on-demand/,
  );
  assert.match(formatSpotEstimate('ml.p3.2xlarge', 1, 'eu-west-1'), /offline table \(us-east-1 prices; estimate/);
  assert.match(formatSpotEstimate('ml.zz.huge', 1, 'us-east-1'), /price unknown/);
  const cost = expectedSpotCost('ml.p3.2xlarge', 1, 'us-east-1', 2)!;
  assert.ok(
    Math.abs(cost.onDemand - 7.65) < 1e-9 && Math.abs(cost.spot - 2.295) < 1e-9 && Math.abs(cost.saving - 5.355) < 1e-9,
  );
});

test('job billing: saving = 1 - billable/training for spot jobs, in % and $ at the on-demand price', () => {
  const b = jobBilling(
    {
      EnableManagedSpotTraining: true,
      TrainingTimeInSeconds: 3600,
      BillableTimeInSeconds: 1080,
      ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 2 },
    },
    'us-east-1',
  );
  assert.equal(b.spot, true);
  assert.equal(b.savingPercent, 70);
  assert.ok(Math.abs(b.savingDollars! - 3.825 * 2 * 0.7) < 1e-9);
  assert.equal(
    formatJobBilling(b),
    'training 3600 s · billable 1080 s · saved 70% (about $5.36, offline table (us-east-1 prices))',
  );
  const onDemand = jobBilling(
    { TrainingTimeInSeconds: 100, BillableTimeInSeconds: 100, ResourceConfig: { InstanceType: 'ml.p3.2xlarge' } },
    'us-east-1',
  );
  assert.equal(onDemand.savingPercent, undefined);
  assert.equal(formatJobBilling(onDemand), 'training 100 s · billable 100 s');
  // moto (and a job still starting) reports neither figure.
  assert.equal(formatJobBilling(jobBilling({ EnableManagedSpotTraining: true }, 'us-east-1')), undefined);
});

test('warm pool: Available is billed, whatever the local clock says of its expiry; Terminated/Reused are not', () => {
  const end = new Date('2026-12-01T10:00:00Z');
  const d = {
    TrainingEndTime: end,
    ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, KeepAlivePeriodInSeconds: 1800 },
    WarmPoolStatus: { Status: 'Available', ResourceRetainedBillableTimeInSeconds: 600 },
  };
  const at = new Date('2026-12-01T10:10:00Z');
  const w = warmPoolOf(d, 'us-east-1')!;
  assert.equal(w.billing, true);
  assert.equal(w.expiresAt!.toISOString(), '2026-12-01T10:30:00.000Z');
  assert.equal(w.perHour, 0.736);
  assert.equal(
    formatWarmPool(w, at),
    'warm pool Available · about $0.736/h, offline table (us-east-1 prices) · expires in 20 min',
  );
  const late = new Date('2026-12-01T10:31:00Z');
  const past = warmPoolOf(d, 'us-east-1')!;
  assert.equal(past.billing, true, 'past the computed keep-alive period but AWS says Available: still billed');
  assert.equal(
    formatWarmPool(past, late),
    'warm pool Available · about $0.736/h, offline table (us-east-1 prices) · past its keep-alive period, still Available',
  );
  assert.equal(warmPoolOf({ ...d, WarmPoolStatus: { Status: 'Terminated' } }, 'us-east-1')!.billing, false);
  const reused = warmPoolOf({ ...d, WarmPoolStatus: { Status: 'Reused', ReusedByJob: 'next-job' } }, 'us-east-1')!;
  assert.equal(formatWarmPool(reused, at), 'warm pool Reused · reused by next-job');
  assert.equal(warmPoolOf({ ResourceConfig: {} }, 'us-east-1'), undefined);
});

test('warm pool in a tree row: short, the cost first while it bills; the full line keeps the source', () => {
  const d = {
    TrainingEndTime: new Date('2026-12-01T10:00:00Z'),
    ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, KeepAlivePeriodInSeconds: 1800 },
    WarmPoolStatus: { Status: 'Available' },
  };
  const at = new Date('2026-12-01T10:18:00Z');
  const w = warmPoolOf(d, 'us-east-1')!;
  assert.equal(warmPoolShort(w, at), 'about $3.83/h · 12 min left');
  assert.ok(warmPoolShort(w, at).length <= 30, 'fits a narrow side bar');
  assert.equal(warmPoolShort(w, new Date('2026-12-01T10:31:00Z')), 'about $3.83/h · past keep-alive, still Available');
  assert.equal(
    warmPoolShort(warmPoolOf({ ...d, WarmPoolStatus: { Status: 'Terminated' } }, 'us-east-1')!),
    'Terminated',
  );
  assert.equal(
    warmPoolShort(warmPoolOf({ ...d, WarmPoolStatus: { Status: 'Reused', ReusedByJob: 'next-job' } }, 'us-east-1')!),
    'Reused by next-job',
  );
  const unknown = warmPoolOf(
    { ...d, ResourceConfig: { ...d.ResourceConfig, InstanceType: 'ml.zz.huge' } },
    'us-east-1',
  )!;
  assert.equal(warmPoolShort(unknown, at), 'price unknown · 12 min left');
});

test('warm pool asked for (KeepAlivePeriodInSeconds) but no WarmPoolStatus reported: shown as requested, never billing', () => {
  const d = {
    TrainingJobStatus: 'InProgress',
    ResourceConfig: { InstanceType: 'ml.p3.2xlarge', InstanceCount: 1, KeepAlivePeriodInSeconds: 1800 },
  };
  const w = warmPoolOf(d, 'us-east-1')!;
  assert.equal(w.requested, true);
  assert.equal(w.billing, false, "only SageMaker's status says the instances are held");
  assert.equal(w.keepAliveSeconds, 1800);
  assert.equal(warmPoolShort(w), 'requested · kept 30 min');
  assert.equal(
    formatWarmPool(w),
    'warm pool requested: kept 30 min after the job, billed about $3.83/h then (offline table (us-east-1 prices)); SageMaker reports no status for it yet',
  );
  assert.equal(
    warmPoolShort(warmPoolOf({ ResourceConfig: { KeepAlivePeriodInSeconds: 5400 } }, 'us-east-1')!),
    'requested · kept 1 h 30 min',
  );
  assert.equal(
    warmPoolOf({ ResourceConfig: { KeepAlivePeriodInSeconds: 0 } }, 'us-east-1'),
    undefined,
    '0: none asked',
  );
});

test('job details line: capacity, seconds and saving, warm pool', () => {
  const at = new Date('2026-12-01T10:10:00Z');
  const line = jobBillingLine(
    {
      EnableManagedSpotTraining: true,
      TrainingTimeInSeconds: 1000,
      BillableTimeInSeconds: 400,
      TrainingEndTime: '2026-12-01T10:00:00Z',
      ResourceConfig: { InstanceType: 'ml.g4dn.xlarge', InstanceCount: 1, KeepAlivePeriodInSeconds: 1200 },
      WarmPoolStatus: { Status: 'Available' },
    },
    'us-east-1',
    at,
  );
  assert.equal(
    line,
    'managed spot · training 1000 s · billable 400 s · saved 60% (about $0.123, offline table (us-east-1 prices)) · warm pool Available · about $0.736/h, offline table (us-east-1 prices) · expires in 10 min',
  );
  assert.equal(jobBillingLine({}, 'us-east-1'), undefined);
});
