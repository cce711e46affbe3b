import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { writeU16le, writeU32le } from '../../../../src/image/bytes.ts';
import { readFatBootSector } from '../../../../src/image/fat/read-fat-boot-sector.ts';
import { FAT_TOOLS, fsckFacts, makeFatImage } from './_fat-fixtures.ts';

const cases = [
  { fatBits: 12, sizeKiB: 1024 },
  { fatBits: 16, sizeKiB: 16 * 1024 },
  { fatBits: 32, sizeKiB: 40 * 1024, sectorsPerCluster: 1 },
  // mkfs.vfat makes FAT32 with fewer than 65525 clusters when asked (it only warns); Linux, EDK2, blkid and
  // mtools all read it as FAT32, and so does byoi (FORMAT.md "FAT type").
  { fatBits: 32, sizeKiB: 20 * 1024 },
] as const;

for (const options of cases) {
  test(`readFatBootSector() agrees with fsck.vfat on a FAT${options.fatBits} volume of ${options.sizeKiB} KiB`, async (t) => {
    if (!needTools(t, ...FAT_TOOLS)) return;
    const image = makeFatImage(tempDir(t), 'fat.img', options);
    const bytes = new Uint8Array(readFileSync(image));
    const bs = await readFatBootSector(bufferReadAt(bytes), 0, bytes.length);
    const facts = fsckFacts(image);
    assert.equal(facts.clean, true);
    assert.equal(bs.fatType, facts.fatBits);
    assert.equal(bs.clusterCount, facts.clusters);
    assert.equal(bs.firstDataSector * bs.bytesPerSector, facts.dataStart);
  });
}

test('readFatBootSector() reads a volume at an offset inside a disk image', async (t) => {
  if (!needTools(t, ...FAT_TOOLS)) return;
  const image = makeFatImage(tempDir(t), 'disk.img', { fatBits: 16, sizeKiB: 16 * 1024, offsetSectors: 2048 });
  const bytes = new Uint8Array(readFileSync(image));
  const bs = await readFatBootSector(bufferReadAt(bytes), 2048 * 512, 16 * 1024 * 1024);
  assert.equal(bs.fatType, 16);
  assert.equal(bs.totalSectors * bs.bytesPerSector, 16 * 1024 * 1024);
});

/** A minimal valid FAT12 boot sector for a 1 MiB volume, built from the table in FORMAT.md. */
function fat12BootSector(): Uint8Array {
  const bytes = new Uint8Array(1024 * 1024);
  bytes.set([0xeb, 0x3c, 0x90], 0);
  writeU16le(bytes, 11, 512); // BPB_BytsPerSec
  bytes[13] = 4; // BPB_SecPerClus
  writeU16le(bytes, 14, 1); // BPB_RsvdSecCnt
  bytes[16] = 2; // BPB_NumFATs
  writeU16le(bytes, 17, 512); // BPB_RootEntCnt
  writeU16le(bytes, 19, 2048); // BPB_TotSec16
  bytes[21] = 0xf8; // BPB_Media
  writeU16le(bytes, 22, 2); // BPB_FATSz16
  bytes[38] = 0x29;
  writeU32le(bytes, 39, 0x12345678);
  bytes.set(Array.from('HANDMADE   ', (c) => c.charCodeAt(0)), 43);
  bytes[510] = 0x55;
  bytes[511] = 0xaa;
  return bytes;
}

test('readFatBootSector() decodes a boot sector built by hand', async () => {
  const bytes = fat12BootSector();
  const bs = await readFatBootSector(bufferReadAt(bytes), 0, bytes.length);
  assert.equal(bs.fatType, 12);
  assert.equal(bs.firstDataSector, 1 + 2 * 2 + 32);
  assert.equal(bs.clusterCount, Math.floor((2048 - 37) / 4));
  assert.equal(bs.volumeId, 0x12345678);
  assert.equal(bs.volumeLabel, 'HANDMADE');
});

const refusals: { name: string; mutate: (b: Uint8Array) => void; reason: RegExp }[] = [
  { name: 'a boot sector without a jump', mutate: (b) => b.fill(0, 0, 3), reason: /BS_jmpBoot/ },
  { name: 'a missing 0x55AA signature', mutate: (b) => (b[510] = 0), reason: /signature/ },
  { name: 'a sector size of 300', mutate: (b) => writeU16le(b, 11, 300), reason: /BPB_BytsPerSec/ },
  { name: 'three sectors per cluster', mutate: (b) => (b[13] = 3), reason: /BPB_SecPerClus/ },
  { name: 'no reserved sector', mutate: (b) => writeU16le(b, 14, 0), reason: /BPB_RsvdSecCnt/ },
  { name: 'no FAT', mutate: (b) => (b[16] = 0), reason: /BPB_NumFATs/ },
  { name: 'media byte 0x12', mutate: (b) => (b[21] = 0x12), reason: /BPB_Media/ },
  { name: 'no sector count', mutate: (b) => writeU16le(b, 19, 0), reason: /BPB_TotSec16/ },
  { name: 'a volume larger than its partition', mutate: (b) => writeU16le(b, 19, 4096), reason: /claims/ },
  { name: 'FATs that fill the volume', mutate: (b) => writeU16le(b, 22, 1100), reason: /fill the whole volume/ },
  { name: 'a FAT too small for its clusters', mutate: (b) => writeU16le(b, 22, 1), reason: /cannot hold/ },
  {
    name: 'a FAT16 layout with FAT32 cluster counts',
    mutate: (b) => {
      b[13] = 1;
      writeU16le(b, 19, 0);
      writeU32le(b, 32, 70000);
    },
    reason: /claims|need FAT32/,
  },
  {
    name: 'a FAT32 layout with root entries',
    mutate: (b) => {
      writeU16le(b, 22, 0);
      writeU32le(b, 36, 8);
    },
    reason: /BPB_RootEntCnt/,
  },
];

for (const refusal of refusals) {
  test(`readFatBootSector() refuses ${refusal.name}`, async () => {
    const bytes = fat12BootSector();
    refusal.mutate(bytes);
    await assert.rejects(readFatBootSector(bufferReadAt(bytes), 0, bytes.length), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_IMAGE_INVALID');
      assert.match(error.message, /^Cannot read FAT boot sector: /);
      assert.match(error.message, refusal.reason);
      return true;
    });
  });
}

test('readFatBootSector() says the image is truncated when the volume runs past its end', async () => {
  const bytes = fat12BootSector().subarray(0, 4096);
  await assert.rejects(readFatBootSector(bufferReadAt(bytes), 0, 1024 * 1024), { code: 'BYOI_IMAGE_TRUNCATED' });
});
