import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGuid } from '../../../../src/image/gpt/format-guid.ts';
import { parseGuid } from '../../../../src/image/gpt/parse-guid.ts';

// EFI System as stored on disk (UEFI Appendix A: the first three fields little-endian).
const efiSystemBytes = [0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b];

test('formatGuid() prints a stored GUID mixed-endian in upper case', () => {
  const bytes = new Uint8Array([0xaa, ...efiSystemBytes]);
  assert.equal(formatGuid(bytes, 1), 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
});

test('parseGuid() is the inverse of formatGuid()', () => {
  assert.deepEqual([...parseGuid('c12a7328-f81f-11d2-ba4b-00a0c93ec93b')], efiSystemBytes);
  for (let i = 0; i < 50; i++) {
    const text = crypto.randomUUID().toUpperCase();
    assert.equal(formatGuid(parseGuid(text), 0), text);
  }
});

test('parseGuid() rejects text that is not a GUID', () => {
  for (const text of ['', 'C12A7328F81F11D2BA4B00A0C93EC93B', 'C12A7328-F81F-11D2-BA4B-00A0C93EC93', 'G12A7328-F81F-11D2-BA4B-00A0C93EC93B']) {
    assert.throws(() => parseGuid(text), { code: 'BYOI_IMAGE_INVALID' });
  }
});
