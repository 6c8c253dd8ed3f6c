// The delete plan: endpoint → config → model in order; shared and unidentifiable resources kept with why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDelete, describeSteps, describeKept, leftoversText } from '../../src/core/endpoints/deletePlan';
import { ourTags } from '../../src/core/endpoints/deployRequests';

const tags = ourTags('job');

test('an endpoint of ours: endpoint, then config, then model', () => {
  const plan = planDelete({
    endpoint: { name: 'ep', status: 'InService', configName: 'ep' },
    config: { name: 'ep', modelNames: ['ep'], tags },
    models: { ep: { exists: true, tags } },
    otherEndpoints: [{ name: 'other', configName: 'other', modelNames: ['other'] }],
  });
  assert.deepEqual(plan.steps, [
    { kind: 'endpoint', name: 'ep' },
    { kind: 'endpointConfig', name: 'ep' },
    { kind: 'model', name: 'ep' },
  ]);
  assert.deepEqual(plan.kept, []);
  assert.equal(describeSteps(plan.steps), 'endpoint ep, endpoint config ep and model ep');
});

test('a config and a model shared with other endpoints are kept, naming the users', () => {
  const plan = planDelete({
    endpoint: { name: 'a', configName: 'shared-cfg' },
    config: { name: 'shared-cfg', modelNames: ['shared-model'], tags },
    models: { 'shared-model': { exists: true, tags } },
    otherEndpoints: [{ name: 'b', configName: 'shared-cfg', modelNames: ['shared-model'] }],
  });
  assert.deepEqual(plan.steps, [{ kind: 'endpoint', name: 'a' }]);
  assert.deepEqual(
    plan.kept.map((k) => [k.kind, k.name, k.reason]),
    [
      ['endpointConfig', 'shared-cfg', 'still used by endpoint b'],
      ['model', 'shared-model', 'still used by endpoint b'],
    ],
  );
  assert.match(describeKept(plan.kept)[0]!, /^kept endpoint config shared-cfg: still used by endpoint b$/);
});

test('a model shared through another config is kept while the config goes', () => {
  const plan = planDelete({
    endpoint: { name: 'a', configName: 'a' },
    config: { name: 'a', modelNames: ['m'], tags },
    models: { m: { exists: true, tags } },
    otherEndpoints: [
      { name: 'b', configName: 'b', modelNames: ['m'] },
      { name: 'c', configName: 'c', modelNames: ['m'] },
    ],
  });
  assert.deepEqual(
    plan.steps.map((s) => s.kind),
    ['endpoint', 'endpointConfig'],
  );
  assert.equal(plan.kept[0]?.reason, 'still used by endpoint b, c');
});

test('untagged resources are deleted only when named after the endpoint (the SDK) or when the user agrees', () => {
  const facts = {
    endpoint: { name: 'nb-endpoint', configName: 'nb-endpoint' },
    config: { name: 'nb-endpoint', modelNames: ['nb-endpoint', 'someone-elses-model'] },
    models: { 'nb-endpoint': { exists: true }, 'someone-elses-model': { exists: true } },
    otherEndpoints: [],
  };
  const plan = planDelete(facts);
  assert.deepEqual(
    plan.steps.map((s) => s.name),
    ['nb-endpoint', 'nb-endpoint', 'nb-endpoint'],
  );
  assert.equal(plan.kept.length, 1);
  assert.equal(plan.kept[0]?.askable, true);
  assert.match(plan.kept[0]!.reason, /not created by sagemaker-hf/);
  const all = planDelete({ ...facts, includeUntagged: true });
  assert.deepEqual(
    all.steps.map((s) => s.name),
    ['nb-endpoint', 'nb-endpoint', 'nb-endpoint', 'someone-elses-model'],
  );
});

test('an unreadable config keeps it and its models; a missing config or model is skipped', () => {
  const unreadable = planDelete({
    endpoint: { name: 'e', configName: 'c' },
    config: { name: 'c', state: 'unreadable', error: 'AccessDenied' },
    models: {},
    otherEndpoints: [],
  });
  assert.deepEqual(
    unreadable.steps.map((s) => s.kind),
    ['endpoint'],
  );
  assert.match(unreadable.kept[0]!.reason, /could not be read \(AccessDenied\)/);
  const missing = planDelete({
    endpoint: { name: 'e', configName: 'c' },
    config: { name: 'c', state: 'missing' },
    models: {},
    otherEndpoints: [],
  });
  assert.deepEqual(
    missing.steps.map((s) => s.kind),
    ['endpoint'],
  );
  assert.deepEqual(missing.kept, []);
  const goneModel = planDelete({
    endpoint: { name: 'e', configName: 'e' },
    config: { name: 'e', modelNames: ['e'], tags },
    models: { e: { exists: false } },
    otherEndpoints: [],
  });
  assert.deepEqual(
    goneModel.steps.map((s) => s.kind),
    ['endpoint', 'endpointConfig'],
  );
});

test('a cleanup the tool offers unasked (onlyTagged) plans only tagged resources, a matching name is no proof', () => {
  const facts = {
    endpoint: { name: 'gone', status: 'already deleted', gone: true },
    config: { name: 'gone', modelNames: ['gone', 'tagged-model'], tags },
    models: { gone: { exists: true }, 'tagged-model': { exists: true, tags } },
    otherEndpoints: [],
  };
  // Without onlyTagged the untagged model named after the endpoint goes too (the SDK names it so).
  assert.deepEqual(
    planDelete(facts).steps.map((s) => `${s.kind} ${s.name}`),
    ['endpointConfig gone', 'model gone', 'model tagged-model'],
  );
  const plan = planDelete({ ...facts, onlyTagged: true, includeUntagged: true });
  assert.deepEqual(
    plan.steps.map((s) => `${s.kind} ${s.name}`),
    ['endpointConfig gone', 'model tagged-model'],
  );
  assert.deepEqual(
    plan.kept.map((k) => [k.kind, k.name, k.askable]),
    [['model', 'gone', false]],
  );
  assert.match(plan.kept[0]!.reason, /not tagged sagemaker-hf:created-by/);
  const untaggedConfig = planDelete({ ...facts, config: { name: 'gone', modelNames: [] }, onlyTagged: true });
  assert.deepEqual(untaggedConfig.steps, []);
  assert.equal(untaggedConfig.kept[0]?.kind, 'endpointConfig');
});

test('the leftovers offer names each resource and says it costs nothing', () => {
  assert.equal(
    leftoversText(
      [
        { kind: 'endpointConfig', name: 'x' },
        { kind: 'model', name: 'y' },
      ],
      1,
    ),
    '2 leftovers of an endpoint that deleted itself: endpoint config x and model y. They cost nothing, but clutter the account.',
  );
  assert.match(
    leftoversText([{ kind: 'model', name: 'y' }], 2),
    /^1 leftover of 2 endpoints that deleted themselves: model y\. It costs nothing/,
  );
});
