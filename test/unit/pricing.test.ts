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
