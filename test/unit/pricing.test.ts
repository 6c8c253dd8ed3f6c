import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costSoFar, formatPrice, onDemandPrice } from '../../src/core/billing/pricing';

test('prices for the seed instance types', () => {
  assert.equal(onDemandPrice('ml.p3.2xlarge', 'training', 'us-east-1')?.perHour, 3.825);
  assert.equal(onDemandPrice('ml.g4dn.xlarge', 'inference', 'us-east-1')?.perHour, 0.736);
  assert.equal(onDemandPrice('ml.x99.huge', 'training', 'us-east-1'), undefined);
  assert.equal(formatPrice('ml.p3.2xlarge', 2, 'training', 'us-east-1'), '$7.65/h');
  assert.equal(formatPrice('ml.g4dn.xlarge', 1, 'inference', 'eu-west-1'), 'about $0.736/h (us-east-1 price)');
  assert.match(formatPrice('ml.x99.huge', 1, 'training', 'us-east-1'), /price unknown/);
  assert.equal(costSoFar('ml.g4dn.xlarge', 1, 'inference', 'us-east-1', new Date(0), new Date(1_800_000)), 0.368);
});
