import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeStrictBase64, encodeBase64 } from '../../../../src/contract/encoding/decode-strict-base64.ts';

test('decodeStrictBase64() decodes what Buffer encodes, and encodeBase64() matches Buffer', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }).filter((bytes) => bytes.length > 0), (bytes) => {
      const text = Buffer.from(bytes).toString('base64');
      assert.equal(encodeBase64(bytes), text);
      const decoded = decodeStrictBase64(text);
      assert.ok(decoded.ok);
      assert.deepEqual(Buffer.from(decoded.bytes), Buffer.from(bytes));
    }),
  );
});

test('decodeStrictBase64() refuses whitespace, a bad length, inner padding and junk', () => {
  for (const text of ['', 'aGk', 'aG k=', 'aGk=\n', 'a=Gk', 'aGk*', 'aGk==', '====']) {
    assert.equal(decodeStrictBase64(text).ok, false, JSON.stringify(text));
  }
});

test('decodeStrictBase64() refuses non-zero padding bits', () => {
  assert.equal(decodeStrictBase64('aGk=').ok, true);
  const result = decodeStrictBase64('aGl=');
  assert.equal(result.ok, false);
  assert.equal(result.ok ? '' : result.reason, 'the last character has non-zero padding bits');
  assert.equal(decodeStrictBase64('aB==').ok, false);
});
