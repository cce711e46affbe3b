import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateDiskGroupId } from '../../../../src/contract/request/validate-disk-group-id.ts';
import { thrown } from '../_fixtures.ts';

test('validateDiskGroupId() accepts non-negative integers and maps 0 and absence to null', () => {
  assert.equal(validateDiskGroupId(2), 2);
  assert.equal(validateDiskGroupId(0), null);
  assert.equal(validateDiskGroupId(null), null);
  assert.equal(validateDiskGroupId(undefined), null);
});

test('validateDiskGroupId() refuses negative, fractional and non-number values', () => {
  for (const value of [-1, 1.5, '1', Number.NaN, 2 ** 60, true]) {
    const error = thrown(() => validateDiskGroupId(value, 'storage[0].diskGroupId'));
    assert.equal(error.code, 'BYOI_REQUEST_BODY');
    assert.equal(error.message, 'Invalid request body: storage[0].diskGroupId must be a non-negative integer');
  }
});
