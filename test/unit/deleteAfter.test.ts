// Delete-after as pure functions: what the user types, the at(...) expression in their zone and back,
// the schedule request, the scheduler role's policies, and the row text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  atExpression,
  deleteScheduleRequest,
  deletesItselfText,
  endOfToday,
  instantOfAt,
  parseDeleteAfter,
  scheduledDeletionOf,
  schedulerPermissionPolicy,
} from '../../src/core/endpoints/deleteAfter';

const now = new Date('2026-12-07T14:48:00Z');

test('durations and local date-times; refusals name the field', () => {
  assert.equal(parseDeleteAfter('4h', now, 'UTC').toISOString(), '2026-12-07T18:48:00.000Z');
  assert.equal(parseDeleteAfter('90m', now, 'UTC').toISOString(), '2026-12-07T16:18:00.000Z');
  assert.equal(parseDeleteAfter('1h30m', now, 'UTC').toISOString(), '2026-12-07T16:18:00.000Z');
  assert.equal(parseDeleteAfter('2d', now, 'UTC').toISOString(), '2026-12-09T14:48:00.000Z');
  // 18:00 in Berlin (UTC+1 in December) is 17:00 UTC.
  assert.equal(parseDeleteAfter('2026-12-24T18:00', now, 'Europe/Berlin').toISOString(), '2026-12-24T17:00:00.000Z');
  assert.throws(() => parseDeleteAfter('5m', now, 'UTC'), /deploy\.deleteAfter: '5m' is only 5 min away/);
  assert.throws(() => parseDeleteAfter('2026-12-01T10:00', now, 'UTC'), /in the past/);
  assert.throws(
    () => parseDeleteAfter('soon', now, 'UTC', '--delete-after'),
    /^Error: --delete-after|--delete-after: 'soon' is neither/,
  );
});

test('at() is the wall time in the zone, and reads back to the same instant (DST included)', () => {
  const summer = new Date('2026-07-01T16:00:00Z');
  assert.equal(atExpression(summer, 'Europe/Berlin'), 'at(2026-07-01T18:00:00)');
  assert.equal(atExpression(summer, 'America/New_York'), 'at(2026-07-01T12:00:00)');
  assert.equal(instantOfAt('at(2026-07-01T18:00:00)', 'Europe/Berlin')?.toISOString(), summer.toISOString());
  assert.equal(instantOfAt('rate(5 minutes)', 'UTC'), undefined);
  assert.equal(endOfToday(now, 'UTC').toISOString(), '2026-12-07T23:59:00.000Z');
});

test('the schedule request and reading it back', () => {
  const at = new Date('2026-12-07T17:00:00Z');
  const r = deleteScheduleRequest({
    endpointName: 'ep-1',
    at,
    timeZone: 'Europe/Berlin',
    roleArn: 'arn:aws:iam::1:role/R',
  });
  assert.equal(r.ScheduleExpression, 'at(2026-12-07T18:00:00)');
  assert.equal(r.Target?.Arn, 'arn:aws:scheduler:::aws-sdk:sagemaker:deleteEndpoint');
  assert.equal(r.Target?.Input, '{"EndpointName":"ep-1"}');
  assert.equal(r.ActionAfterCompletion, 'DELETE');
  assert.equal(r.GroupName, 'sagemaker-hf');
  assert.deepEqual(scheduledDeletionOf(r), {
    endpointName: 'ep-1',
    at,
    timeZone: 'Europe/Berlin',
    scheduleName: 'ep-1',
    roleArn: 'arn:aws:iam::1:role/R',
  });
  assert.equal(scheduledDeletionOf({ ...r, Target: { Arn: 'arn:aws:lambda:x' } }), undefined);
  const p = schedulerPermissionPolicy('123', 'aws-cn') as { Statement: { Resource: string }[] };
  assert.equal(p.Statement[0]!.Resource, 'arn:aws-cn:sagemaker:*:123:endpoint/*');
});

test('"deletes itself at 18:00 (in 3 h 12 min)"', () => {
  const at = new Date('2026-12-07T18:00:00Z');
  assert.equal(
    deletesItselfText(at, new Date('2026-12-07T14:48:00Z'), 'UTC'),
    'deletes itself at 18:00 (in 3 h 12 min)',
  );
  assert.equal(
    deletesItselfText(new Date('2026-12-24T17:00:00Z'), now, 'Europe/Berlin'),
    'deletes itself on Dec 24 at 18:00 (in 17 d 2 h)',
  );
  assert.equal(deletesItselfText(at, new Date('2026-12-07T18:05:00Z'), 'UTC'), 'deletion due since 18:00');
});
