// The execution role is remembered per AWS profile and region: a role chosen under one profile never
// follows the user to another, the old machine-wide value migrates once to the profile in use, and the
// origin shown beside the role says which profile and region it belongs to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateRole, rememberRole, roleFor, roleKey, type RoleMemory } from '../../src/core/sagemaker/roleMemory';

const DEV = 'arn:aws:iam::111111111111:role/DevSageMaker';
const PROD = 'arn:aws:iam::222222222222:role/ProdSageMaker';

test('keys: profile and region both count; the default chain is not a profile named "default"', () => {
  const keys = new Set([
    roleKey('dev', 'us-east-1'),
    roleKey('dev', 'eu-west-1'),
    roleKey('prod', 'us-east-1'),
    roleKey(undefined, 'us-east-1'),
    roleKey('default', 'us-east-1'),
    roleKey('a|b', 'c'),
    roleKey('a', 'b|c'),
  ]);
  assert.equal(keys.size, 7);
});

test("a role chosen for one profile is not another profile's role", () => {
  let m: RoleMemory = {};
  m = rememberRole(m, 'dev', 'us-east-1', DEV);
  assert.deepEqual(roleFor(m, 'dev', 'us-east-1'), { arn: DEV, origin: 'dev · us-east-1' });
  assert.equal(roleFor(m, 'prod', 'us-east-1'), undefined, 'prod must pick its own');
  assert.equal(roleFor(m, undefined, 'us-east-1'), undefined, 'nor the default chain');
  m = rememberRole(m, 'prod', 'us-east-1', PROD);
  assert.equal(roleFor(m, 'prod', 'us-east-1')?.arn, PROD);
  assert.equal(roleFor(m, 'dev', 'us-east-1')?.arn, DEV, 'choosing for prod leaves dev alone');
});

test("another region of the same profile uses that profile's last role, saying where it was chosen", () => {
  let m = rememberRole({}, 'dev', 'us-east-1', DEV);
  assert.deepEqual(roleFor(m, 'dev', 'eu-west-1'), { arn: DEV, origin: 'dev · chosen in us-east-1' });
  const other = 'arn:aws:iam::111111111111:role/DevEu';
  m = rememberRole(m, 'dev', 'eu-west-1', other);
  assert.equal(roleFor(m, 'dev', 'eu-west-1')?.arn, other, 'its own region first');
  assert.equal(roleFor(m, 'dev', 'us-east-1')?.arn, DEV);
  assert.deepEqual(
    roleFor(m, 'dev', 'ap-south-1'),
    { arn: other, origin: 'dev · chosen in eu-west-1' },
    'the most recent',
  );
  m = rememberRole(m, 'dev', 'us-east-1', DEV);
  assert.equal(roleFor(m, 'dev', 'ap-south-1')?.arn, DEV, 'choosing again makes it the most recent');
  assert.equal(Object.keys(m).length, 2, 'one entry per profile and region');
});

test('settings: a workspace value wins; a user value is only the default of profiles with none', () => {
  const m = rememberRole({}, 'dev', 'us-east-1', DEV);
  const ws = 'arn:aws:iam::111111111111:role/ProjectRole';
  assert.deepEqual(roleFor(m, 'dev', 'us-east-1', { workspace: ws, user: PROD }), {
    arn: ws,
    origin: 'workspace setting',
  });
  assert.equal(roleFor(m, 'dev', 'us-east-1', { user: PROD })?.arn, DEV);
  assert.deepEqual(roleFor(m, 'prod', 'us-east-1', { user: PROD }), { arn: PROD, origin: 'user setting' });
});

test('migration: the old machine-wide value becomes the role of the profile in use, once, and is cleared', () => {
  const first = migrateRole(undefined, DEV, 'dev', 'us-east-1');
  assert.equal(first.clearLegacy, true);
  assert.deepEqual(first.memory, { [roleKey('dev', 'us-east-1')]: DEV });
  assert.equal(roleFor(first.memory, 'prod', 'us-east-1'), undefined, 'after migration it no longer follows prod');
  assert.equal(roleFor(first.memory, 'dev', 'us-east-1')?.arn, DEV);
  const again = migrateRole(first.memory, PROD, 'prod', 'us-east-1');
  assert.equal(again.clearLegacy, false, 'a user value set by hand after migration is kept');
  assert.equal(again.memory, first.memory);
  assert.deepEqual(migrateRole(undefined, undefined, 'dev', 'us-east-1'), { memory: {}, clearLegacy: false });
});
