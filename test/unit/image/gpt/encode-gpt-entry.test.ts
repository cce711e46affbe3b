import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { encodeGptEntry } from '../../../../src/image/gpt/encode-gpt-entry.ts';
import { encodeGptHeader } from '../../../../src/image/gpt/encode-gpt-header.ts';
import { readGptEntries } from '../../../../src/image/gpt/read-gpt-entries.ts';
import { readGptHeader } from '../../../../src/image/gpt/read-gpt-header.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { smallGptBytes } from './_gpt-bytes.ts';

test('encodeGptEntry() writes what readGptEntries() reads back', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const bytes = smallGptBytes(tempDir(t));
  const source = bufferReadAt(bytes);
  const header = await readGptHeader(source, 1, 512);
  const { raw } = await readGptEntries(source, header);
  const fields = {
    typeGuid: 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7',
    uniqueGuid: '11111111-2222-3333-4444-555555555555',
    startingLba: 1000,
    endingLba: 1999,
    attributes: 0x8000000000000004n,
    name: 'config-2',
  };
  raw.set(encodeGptEntry(fields, 128), 5 * 128);
  const patched = bytes.slice();
  patched.set(raw, 1024);
  patched.set(encodeGptHeader({ ...header, partitionEntryArrayCrc32: crc32(raw) }), 512);
  const entries = (await readGptEntries(bufferReadAt(patched), await readGptHeader(bufferReadAt(patched), 1, 512))).entries;
  const entry = entries.find((e) => e.number === 6);
  assert.deepEqual(entry, { number: 6, ...fields, legacyBiosBootable: true });
  assert.throws(() => encodeGptEntry({ ...fields, name: 'x'.repeat(37) }, 128), { code: 'BYOI_IMAGE_INVALID' });
});
