import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeGptHeader } from '../../../../src/image/gpt/encode-gpt-header.ts';
import { readGptHeader } from '../../../../src/image/gpt/read-gpt-header.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { smallGptBytes } from './_gpt-bytes.ts';

test('encodeGptHeader() rewrites the header sgdisk wrote byte for byte', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const bytes = smallGptBytes(tempDir(t));
  for (const lba of [1, 2047]) {
    const header = await readGptHeader(bufferReadAt(bytes), lba, 512);
    assert.deepEqual(encodeGptHeader(header), bytes.subarray(lba * 512, lba * 512 + 512));
  }
});

test('encodeGptHeader() makes a revision 1.0 header of 92 bytes without a template', async () => {
  const image = new Uint8Array(64 * 4096);
  const fields = {
    sectorSize: 4096,
    myLba: 1,
    alternateLba: 63,
    firstUsableLba: 6,
    lastUsableLba: 58,
    diskGuid: '01234567-89AB-CDEF-0123-456789ABCDEF',
    partitionEntryLba: 2,
    numberOfPartitionEntries: 128,
    sizeOfPartitionEntry: 128,
    partitionEntryArrayCrc32: 0,
  };
  image.set(encodeGptHeader(fields), 4096);
  const header = await readGptHeader(bufferReadAt(image), 1, 4096);
  assert.equal(header.revision, 0x00010000);
  assert.equal(header.headerSize, 92);
  assert.equal(header.diskGuid, fields.diskGuid);
});
