import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteSize } from '../../../src/cli/parse-byte-size.ts';

test('parseByteSize() reads bytes, binary units (K, M, G, T, with or without iB) and decimal ones (KB, MB, GB, TB)', () => {
  const cases: [string, number][] = [
    ['4096', 4096],
    ['512B', 512],
    ['512M', 512 * 2 ** 20],
    ['10G', 10 * 2 ** 30],
    ['10g', 10 * 2 ** 30],
    ['10GiB', 10 * 2 ** 30],
    ['10Gi', 10 * 2 ** 30],
    ['1.5T', 1.5 * 2 ** 40],
    ['500GB', 500e9],
    [' 2 TB ', 2e12],
  ];
  for (const [text, bytes] of cases) assert.equal(parseByteSize(text), bytes, text);
});

test('parseByteSize() refuses what is not a whole number of bytes, naming the text', () => {
  for (const text of ['', 'ten', '-5', '1.1G', '0.5', '10X', 'iB', '10 G B', '99999P']) {
    assert.throws(() => parseByteSize(text), (error: Error) => error instanceof RangeError && error.message.startsWith(`Cannot read the size "${text}"`), text);
  }
});
