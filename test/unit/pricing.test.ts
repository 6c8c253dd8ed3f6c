// The offline table: the fallback of the Price List (test/integration/prices.test.ts labels its figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onDemandPrice } from '../../src/core/billing/pricing';

test('prices for the seed instance types', () => {
  assert.equal(onDemandPrice('ml.p3.2xlarge', 'training', 'us-east-1')?.perHour, 3.825);
  assert.equal(onDemandPrice('ml.g4dn.xlarge', 'inference', 'us-east-1')?.perHour, 0.736);
  assert.equal(onDemandPrice('ml.g4dn.xlarge', 'inference', 'eu-west-1')?.exactRegion, false);
  assert.equal(onDemandPrice('ml.x99.huge', 'training', 'us-east-1'), undefined);
});

test('processing: the CPU types of the prepare picker have a rate; unknown processing types fall back to training', () => {
  assert.equal(onDemandPrice('ml.c5.9xlarge', 'processing', 'us-east-1')?.perHour, 1.836);
  assert.equal(onDemandPrice('ml.c5.9xlarge', 'training', 'us-east-1'), undefined);
  assert.equal(onDemandPrice('ml.m5.12xlarge', 'processing', 'us-east-1')?.perHour, 2.765);
  assert.equal(onDemandPrice('ml.g4dn.xlarge', 'processing', 'us-east-1')?.perHour, 0.736);
});
