import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateChecksum } from '../../../../src/contract/request/validate-checksum.ts';
import { thrown } from '../_fixtures.ts';

const digest = { md5: 'a'.repeat(32), sha1: 'b'.repeat(40), sha256: 'c'.repeat(64), sha512: 'd'.repeat(128) };

test('validateChecksum() accepts each type with its digest length and lower-cases it', () => {
  for (const [type, value] of Object.entries(digest)) {
    assert.deepEqual(validateChecksum(value.toUpperCase(), type), { type, value });
  }
  assert.equal(validateChecksum(null, null), null);
});

test("validateChecksum() refuses one half of the pair with OVH's message", () => {
  for (const [sum, type] of [[digest.sha256, null], [null, 'sha256']] as const) {
    const error = thrown(() => validateChecksum(sum, type));
    assert.equal(error.code, 'BYOI_REQUEST_CHECKSUM_PAIR');
    assert.equal(error.message, 'Please provide checkSum AND checkSumType or none of them');
  }
});

test('validateChecksum() refuses an unknown type', () => {
  for (const type of ['sha384', 'SHA256', 'crc32']) {
    const error = thrown(() => validateChecksum(digest.sha256, type));
    assert.equal(error.code, 'BYOI_REQUEST_CHECKSUM_TYPE');
    assert.equal(error.message, 'Bad checkSumType, expected: md5, sha1, sha256, sha512.');
  }
});

test('validateChecksum() refuses a digest of the wrong length, hinting at the type it looks like', () => {
  const error = thrown(() => validateChecksum(digest.sha512, 'sha256'));
  assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
  assert.equal(
    error.message,
    'Invalid customization format for imageCheckSum of type text: a sha256 checksum is 64 hexadecimal digits, not 128; it has the length of a sha512 checksum: check imageCheckSumType',
  );
  assert.match(thrown(() => validateChecksum('abc', 'md5')).message, /a md5 checksum is 32 hexadecimal digits, not 3$/);
});

test('validateChecksum() refuses non-hex digests, hinting at sha256sum output', () => {
  assert.match(thrown(() => validateChecksum('g'.repeat(64), 'sha256')).message, /holds other characters$/);
  assert.match(thrown(() => validateChecksum(`${digest.sha256}  debian.raw`, 'sha256')).message, /without the file name/);
});
