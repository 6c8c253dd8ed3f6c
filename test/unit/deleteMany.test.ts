// Deleting several endpoints: each picker row names its status and labelled hourly price, the one
// confirmation lists every endpoint with what it deletes and the total that stops billing, and the keep
// button is the first one (the button VS Code's dialog focuses, so Enter keeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deleteManyQuestion,
  endpointCostText,
  KEEP_ENDPOINTS,
  totalPerHourText,
  type EndpointCost,
} from '../../src/core/endpoints/deleteMany';

const a: EndpointCost = {
  name: 'a',
  status: 'InService',
  local: false,
  perHour: 0.23,
  priceLine: 'about $0.230/h, offline table (us-east-1 prices)',
  estimated: true,
};
const b: EndpointCost = {
  name: 'b',
  status: 'InService',
  local: false,
  perHour: 0.736,
  priceLine: 'about $0.736/h, offline table (us-east-1 prices)',
  estimated: true,
};

test('a picker row: status and the price with its source', () => {
  assert.equal(endpointCostText(a), 'InService · about $0.230/h, offline table (us-east-1 prices)');
  assert.equal(
    endpointCostText({ name: 'l', status: 'InService', local: true, perHour: 0 }),
    'local · InService · $0/h (this machine)',
  );
  assert.equal(
    endpointCostText({ name: 'u', status: 'InService', local: false }),
    'InService · price unknown — check the SageMaker pricing page',
  );
  assert.equal(
    endpointCostText({ name: 'f', status: 'Failed', local: false, perHour: 0 }),
    'Failed · nothing billed now',
  );
});

test('the total sums the known rates, says "about" for estimates and counts the unknown apart', () => {
  assert.equal(totalPerHourText([a, b]), 'about $0.966/h in all');
  assert.equal(
    totalPerHourText([
      { ...a, estimated: false, perHour: 1.5 },
      { name: 'u', status: 'InService', local: false },
    ]),
    '$1.50/h in all (1 with an unknown price not counted)',
  );
});

test('one confirmation lists every endpoint, what it deletes and the total', () => {
  const q = deleteManyQuestion(
    [a, b],
    new Map([
      ['a', 'endpoint a, endpoint config a and model a-m'],
      ['b', 'endpoint b'],
    ]),
    ['Kept: model shared-m (used by endpoint other).'],
  );
  assert.equal(q.message, 'Delete 2 endpoints?');
  assert.equal(
    q.detail,
    [
      '• a: InService · about $0.230/h, offline table (us-east-1 prices); deletes endpoint a, endpoint config a and model a-m',
      '• b: InService · about $0.736/h, offline table (us-east-1 prices); deletes endpoint b',
      '',
      'Stops billing of about $0.966/h in all.',
      '',
      'Kept: model shared-m (used by endpoint other).',
    ].join('\n'),
  );
  assert.equal(KEEP_ENDPOINTS, 'Keep Endpoints');
});
