// The spending cap as a pure function: the runtime a cap buys at the displayed rate, which bound wins,
// spot at the on-demand price, and the refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRuntime, planCostCap } from '../../src/core/training/costCap';

const p3 = { instanceType: 'ml.p3.2xlarge', perInstanceHour: 3.825, count: 1 };

test('$20 at the displayed $3.83/h buys 18798 s (not the 18823 s of the table price 3.825)', () => {
  const plan = planCostCap({ ...p3, capUsd: 20, maxRuntimeInSeconds: 86400 });
  assert.equal(plan.maxRuntimeInSeconds, 18798);
  assert.equal(plan.bound, 'maxCostUsd');
  assert.match(plan.line, /^stops after 5 h 13 min: \$20\.00 at \$3\.83\/h x 1 \(the cap is the lower bound/);
});

test('two instances halve the runtime; spot uses the on-demand rate and says so', () => {
  assert.equal(planCostCap({ ...p3, count: 2, capUsd: 20 }).maxRuntimeInSeconds, 9399);
  const spot = planCostCap({ ...p3, capUsd: 20, spot: true });
  assert.equal(spot.maxRuntimeInSeconds, 18798);
  assert.match(spot.line, /\$3\.83\/h x 1 \(on-demand, the most spot can cost\)/);
});

test('a lower maxRuntimeInSeconds wins, and so does the 86400 s default for a large cap', () => {
  const lower = planCostCap({ ...p3, capUsd: 20, maxRuntimeInSeconds: 3600 });
  assert.equal(lower.maxRuntimeInSeconds, 3600);
  assert.equal(lower.bound, 'maxRuntimeInSeconds');
  const big = planCostCap({ ...p3, capUsd: 1000 });
  assert.equal(big.maxRuntimeInSeconds, 86400);
  assert.equal(big.bound, 'maxRuntimeInSeconds');
});

test('refusals name training.maxCostUsd: under a minute, unknown price, not positive', () => {
  assert.throws(
    () => planCostCap({ ...p3, capUsd: 0.05 }),
    /training\.maxCostUsd: \$0\.05 buys 46 s .* at least \$0\.07/,
  );
  assert.throws(
    () => planCostCap({ ...p3, perInstanceHour: undefined, capUsd: 20 }),
    /training\.maxCostUsd: no price is known for ml\.p3\.2xlarge/,
  );
  assert.throws(() => planCostCap({ ...p3, capUsd: 0 }), /must be a positive number/);
  // Exactly one minute is enough.
  assert.equal(planCostCap({ ...p3, perInstanceHour: 60, capUsd: 1 }).maxRuntimeInSeconds, 60);
});

test('formatRuntime', () => {
  assert.equal(formatRuntime(18798), '5 h 13 min');
  assert.equal(formatRuntime(7200), '2 h');
  assert.equal(formatRuntime(90), '1 min');
});
