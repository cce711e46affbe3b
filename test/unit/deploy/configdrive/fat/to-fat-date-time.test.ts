import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toFatDateTime } from '../../../../../src/deploy/configdrive/fat/to-fat-date-time.ts';

test('toFatDateTime() packs the UTC date, time and hundredths into FAT fields', () => {
  assert.deepEqual(toFatDateTime(new Date('2026-11-25T10:20:31.456Z')), {
    date: ((2026 - 1980) << 9) | (11 << 5) | 25,
    time: (10 << 11) | (20 << 5) | 15,
    tenths: 145,
  });
  assert.deepEqual(toFatDateTime(new Date('1980-01-01T00:00:00.000Z')), { date: (1 << 5) | 1, time: 0, tenths: 0 });
  assert.deepEqual(toFatDateTime(new Date('2107-12-31T23:59:58.990Z')), { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29, tenths: 99 });
});

test('toFatDateTime() refuses dates FAT cannot hold', () => {
  for (const date of [new Date('1979-12-31T23:59:59Z'), new Date('2108-01-01T00:00:00Z'), new Date(Number.NaN)]) {
    assert.throws(() => toFatDateTime(date), { code: 'BYOI_CONFIGDRIVE_FAILED' });
  }
});
