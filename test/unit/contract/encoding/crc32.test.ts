import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { crc32 } from '../../../../src/contract/encoding/crc32.ts';

test('crc32() gives the check value of CRC-32/ISO-HDLC', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('crc32() agrees with node:zlib, in one go or continued', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2048 }), fc.nat(), (bytes, cut) => {
      const split = bytes.length === 0 ? 0 : cut % bytes.length;
      assert.equal(crc32(bytes), zlibCrc32(bytes));
      assert.equal(crc32(bytes.subarray(split), crc32(bytes.subarray(0, split))), zlibCrc32(bytes));
    }),
  );
});
