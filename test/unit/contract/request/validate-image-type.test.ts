import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateImageType } from '../../../../src/contract/request/validate-image-type.ts';
import { thrown } from '../_fixtures.ts';

test('validateImageType() accepts qcow2 and raw', () => {
  assert.equal(validateImageType('qcow2'), 'qcow2');
  assert.equal(validateImageType('raw'), 'raw');
});

test("validateImageType() refuses anything else with OVH's message", () => {
  for (const value of ['vmdk', 'QCOW2', 'ova', '']) {
    const error = thrown(() => validateImageType(value));
    assert.equal(error.code, 'BYOI_REQUEST_IMAGE_TYPE');
    assert.equal(error.message, 'Bad format image, expected: qcow2, raw.');
  }
});
