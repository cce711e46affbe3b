import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateMetadata, validateMetadataEntry } from '../../../../src/contract/request/validate-metadata.ts';
import { thrown } from '../_fixtures.ts';

test('validateMetadata() returns the entries as an object, in order, reserved-looking keys included', () => {
  const metadata = validateMetadata([
    ['rack', 'r12'],
    ['hostname', 'ignored-by-cloud-init'],
    ['__proto__', 'plain entry'],
    ['note', 'line 1\nline 2'],
  ]);
  assert.deepEqual(Object.keys(metadata), ['rack', 'hostname', '__proto__', 'note']);
  assert.equal(Object.getPrototypeOf(metadata), Object.prototype);
  assert.equal(JSON.parse(JSON.stringify(metadata)).__proto__, 'plain entry');
});

test('validateMetadataEntry() refuses empty or long keys and control characters', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['', 'v', /a key is empty/],
    ['k'.repeat(256), 'v', /longer than 255 characters/],
    ['a\u0001b', 'v', /control characters/],
    ['k', 'v'.repeat(4097), /longer than 4096 characters/],
    ['k', 'a\u0000b', /control characters/],
    ['k', '\ud800', /unpaired surrogates/],
  ];
  for (const [key, value, reason] of cases) {
    const error = thrown(() => validateMetadataEntry(key, value));
    assert.equal(error.code, 'BYOI_REQUEST_INVALID_FORMAT');
    assert.equal(error.params.name, 'configDriveMetadata');
    assert.match(error.message, reason);
  }
});

test('validateMetadataEntry() lets dsmode be local or net only', () => {
  assert.doesNotThrow(() => validateMetadataEntry('dsmode', 'local'));
  assert.doesNotThrow(() => validateMetadataEntry('dsmode', 'net'));
  for (const value of ['pass', 'disabled', 'x']) {
    assert.match(thrown(() => validateMetadataEntry('dsmode', value)).message, /dsmode may only be local or net/);
  }
});

test('validateMetadata() refuses more than 128 entries', () => {
  const entries = Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v'] as const);
  assert.match(thrown(() => validateMetadata(entries)).message, /there are 129 entries; the limit is 128/);
});
