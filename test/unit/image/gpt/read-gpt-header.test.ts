import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { readGptHeader } from '../../../../src/image/gpt/read-gpt-header.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { hasTool, needTools, tempDir } from '../../../helpers/tools.ts';
import { sgdiskPrint } from '../partition-table/_fixtures.ts';
import { patchHeader, smallGptBytes } from './_gpt-bytes.ts';

let image: Uint8Array | null = null;
let oracle: ReturnType<typeof sgdiskPrint> | null = null;
before(() => {
  if (!hasTool('sgdisk')) return;
  const dir = tempDir({ after });
  image = smallGptBytes(dir);
  oracle = sgdiskPrint(`${dir}/small-gpt.img`);
});

/** A fresh copy of the sgdisk image (1 MiB: LBA 0..2047), or null when the test is skipped. */
function copy(t: TestContext): Uint8Array | null {
  if (!needTools(t, 'sgdisk') || image === null) return null;
  return image.slice();
}

async function rejectsWith(bytes: Uint8Array, lba: number, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readGptHeader(bufferReadAt(bytes), lba, 512), (error: { code: string; message: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

test('readGptHeader() reads the header sgdisk wrote', async (t) => {
  const bytes = copy(t);
  if (bytes === null || oracle === null) return;
  const header = await readGptHeader(bufferReadAt(bytes), 1, 512);
  assert.equal(header.diskGuid, oracle.diskGuid);
  assert.equal(header.firstUsableLba, oracle.firstUsable);
  assert.equal(header.lastUsableLba, oracle.lastUsable);
  assert.equal(header.myLba, 1);
  assert.equal(header.alternateLba, 2047);
  assert.equal(header.partitionEntryLba, 2);
  assert.equal(header.numberOfPartitionEntries, 128);
  assert.equal(header.sizeOfPartitionEntry, 128);
  assert.equal(header.revision, 0x00010000);
  assert.equal(header.headerSize, 92);
  assert.equal(header.raw.length, 92);
  const backup = await readGptHeader(bufferReadAt(bytes), 2047, 512);
  assert.equal(backup.alternateLba, 1);
  assert.equal(backup.partitionEntryLba, 2047 - 32);
});

test('readGptHeader() rejects a bad header CRC', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  bytes[512 + 60] = (bytes[512 + 60] as number) ^ 0xff; // a byte of DiskGUID
  await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', /HeaderCRC32 is 0x[0-9a-f]{8} but the header hashes to 0x[0-9a-f]{8}/);
});

test('readGptHeader() rejects a missing signature', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  bytes[512] = 0x46;
  await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', /signature is not "EFI PART"/);
});

test('readGptHeader() rejects an unknown major revision', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  patchHeader(bytes, 512, (v) => v.setUint32(8, 0x00020000, true));
  await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', /revision 0x00020000 is not 1.x/);
});

test('readGptHeader() rejects a HeaderSize outside 92..sector size', async (t) => {
  for (const size of [91, 513, 0xffffffff]) {
    const bytes = copy(t);
    if (bytes === null) return;
    patchHeader(bytes, 512, (v) => v.setUint32(12, size, true));
    await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', new RegExp(`HeaderSize ${size} is outside 92..512`));
  }
});

test('readGptHeader() accepts a larger HeaderSize and keeps its bytes', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  patchHeader(bytes, 512, (v) => {
    v.setUint32(12, 100, true);
    v.setUint8(95, 7);
  });
  const header = await readGptHeader(bufferReadAt(bytes), 1, 512);
  assert.equal(header.headerSize, 100);
  assert.equal(header.raw[95], 7);
});

test('readGptHeader() rejects a MyLBA that is not where the header was read', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  patchHeader(bytes, 512, (v) => v.setBigUint64(24, 5n, true));
  await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', /MyLBA is 5, not the LBA it was read from/);
});

test('readGptHeader() rejects entry sizes that are not 128 × 2^n', async (t) => {
  for (const size of [0, 100, 384, 8192]) {
    const bytes = copy(t);
    if (bytes === null) return;
    patchHeader(bytes, 512, (v) => v.setUint32(84, size, true));
    await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', new RegExp(`SizeOfPartitionEntry ${size} is not 128`));
  }
});

test('readGptHeader() rejects no entries and absurd entry counts', async (t) => {
  let bytes = copy(t);
  if (bytes === null) return;
  patchHeader(bytes, 512, (v) => v.setUint32(80, 0, true));
  await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', /NumberOfPartitionEntries is 0/);
  bytes = copy(t) as Uint8Array;
  patchHeader(bytes, 512, (v) => v.setUint32(80, 0xffffffff, true));
  await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', /4294967295 × 128 bytes\) is larger than byoi's limit of 1048576 bytes/);
});

test('readGptHeader() rejects LBAs too large to address', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  patchHeader(bytes, 512, (v) => v.setBigUint64(48, 1n << 60n, true));
  await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', /LastUsableLBA 0x1000000000000000 is too large/);
});

test('readGptHeader() rejects a usable range that overlaps the headers or the entries', async (t) => {
  const cases: [number, bigint, RegExp][] = [
    [40, 20n, /the entry array \(LBA 2..33\) reaches FirstUsableLBA 20/],
    [48, 2047n, /LastUsableLBA 2047 reaches AlternateLBA 2047/],
    [48, 10n, /FirstUsableLBA 34 is after LastUsableLBA 10/],
    [72, 1n, /PartitionEntryLBA 1 is not after the header/],
    [32, 1n, /AlternateLBA 1 points to the header itself/],
    [32, 0n, /AlternateLBA is 0/],
  ];
  for (const [offset, value, pattern] of cases) {
    const bytes = copy(t);
    if (bytes === null) return;
    patchHeader(bytes, 512, (v) => v.setBigUint64(offset, value, true));
    await rejectsWith(bytes, 1, 'BYOI_IMAGE_INVALID', pattern);
  }
});

test('readGptHeader() rejects a backup whose entries are not between the usable range and the header', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  patchHeader(bytes, 2047 * 512, (v) => v.setBigUint64(72, 2040n, true));
  await rejectsWith(bytes, 2047, 'BYOI_IMAGE_INVALID', /the entry array \(LBA 2040..2071\) reaches the header/);
  const other = copy(t) as Uint8Array;
  patchHeader(other, 2047 * 512, (v) => v.setBigUint64(72, 100n, true));
  await rejectsWith(other, 2047, 'BYOI_IMAGE_INVALID', /PartitionEntryLBA 100 is inside the usable range/);
});

test('readGptHeader() reports a header past the end of the image as truncated', async (t) => {
  const bytes = copy(t);
  if (bytes === null) return;
  await rejectsWith(bytes.subarray(0, 700), 1, 'BYOI_IMAGE_TRUNCATED', /the image ends at byte 700, before byte 1024/);
});

test('readGptHeader() counts LBAs in 4096-byte sectors when told so', async (t) => {
  const source = copy(t);
  if (source === null) return;
  // The loop-device fixture of read-gpt.test.ts checks real 4096-byte images; this checks the arithmetic alone.
  const bytes = new Uint8Array(4096 * 64);
  bytes.set(source.subarray(512, 512 + 92), 4096);
  patchHeader(bytes, 4096, (v) => {
    v.setBigUint64(32, 63n, true);
    v.setBigUint64(40, 6n, true);
    v.setBigUint64(48, 58n, true);
  });
  const header = await readGptHeader(bufferReadAt(bytes), 1, 4096);
  assert.equal(header.sectorSize, 4096);
  assert.equal(header.firstUsableLba, 6);
  await assert.rejects(readGptHeader(bufferReadAt(bytes), 1, 512), { code: 'BYOI_IMAGE_INVALID' });
});
