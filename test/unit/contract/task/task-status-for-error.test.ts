import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { catalogue, type ErrorCode } from '../../../../src/contract/errors/catalogue.ts';
import { taskStatusForError } from '../../../../src/contract/task/task-status-for-error.ts';

test('taskStatusForError() ends customer faults in customerError and provider faults in ovhError', () => {
  assert.equal(taskStatusForError(new ByoiError('BYOI_CHECKSUM_MISMATCH', { got: 'a', expected: 'b' })), 'customerError');
  assert.equal(taskStatusForError(new ByoiError('BYOI_DISK_IO', { device: '/dev/sda', reason: 'EIO' })), 'ovhError');
  for (const code of Object.keys(catalogue) as ErrorCode[]) {
    const expected = code === 'BYOI_DEPLOY_CANCELLED' ? 'cancelled' : catalogue[code].fault === 'customer' ? 'customerError' : 'ovhError';
    assert.equal(taskStatusForError({ code }), expected, code);
  }
});

test('taskStatusForError() ends a cancellation in cancelled and an unknown code in ovhError', () => {
  assert.equal(taskStatusForError(new ByoiError('BYOI_DEPLOY_CANCELLED')), 'cancelled');
  assert.equal(taskStatusForError({ code: 'BYOI_FROM_A_NEWER_AGENT' }), 'ovhError');
});
