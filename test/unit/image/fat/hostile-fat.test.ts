// Broken FAT volumes: each starts as a valid image made by mkfs.vfat and mtools, then a few bytes are changed
// the way corruption or malice would. The reader must answer with BYOI_IMAGE_INVALID naming the problem,
// promptly, and never with another exception or a hang.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { writeU16le, writeU32le } from '../../../../src/image/bytes.ts';
import { listFatTree } from '../../../../src/image/fat/list-fat-tree.ts';
import { readFatBootSector, type FatBootSector } from '../../../../src/image/fat/read-fat-boot-sector.ts';
import { readFatDirectory } from '../../../../src/image/fat/read-fat-directory.ts';
import { readFatFile } from '../../../../src/image/fat/read-fat-file.ts';
import { FAT_TOOLS, makeFatImage, mkdirs, putFile, someBytes } from './_fat-fixtures.ts';

interface Fixture {
  bytes: Uint8Array;
  bs: FatBootSector;
  /** Byte offset of the FAT entry of `cluster` in the first FAT (FAT16 and FAT32 only). */
  fatEntry(cluster: number): number;
  /** Byte offset of the 32-byte entry named `name` (long or short) in the directory at `dirBytesOffset`. */
  entryOffset(dirOffset: number, name: string): number;
  rootOffset: number;
  clusterOffset(cluster: number): number;
}

async function fixture(t: TestContext, fatBits: 16 | 32): Promise<Fixture | null> {
  if (!needTools(t, ...FAT_TOOLS)) return null;
  const dir = tempDir(t);
  const image = makeFatImage(dir, 'fat.img', { fatBits, sizeKiB: fatBits === 16 ? 16 * 1024 : 40 * 1024, sectorsPerCluster: 1 });
  mkdirs(image, ['\\EFI', '\\EFI\\BOOT']);
  putFile(image, '\\EFI\\BOOT\\BOOTX64.EFI', someBytes(4000), dir);
  putFile(image, '\\small.txt', someBytes(100), dir);
  const bytes = new Uint8Array(readFileSync(image));
  const bs = await readFatBootSector(bufferReadAt(bytes), 0, bytes.length);
  const width = fatBits === 16 ? 2 : 4;
  const fatStart = bs.reservedSectorCount * bs.bytesPerSector;
  const clusterOffset = (cluster: number): number => (bs.firstDataSector + (cluster - 2) * bs.sectorsPerCluster) * bs.bytesPerSector;
  const rootOffset =
    fatBits === 16 ? (bs.reservedSectorCount + bs.numFats * bs.fatSizeSectors) * bs.bytesPerSector : clusterOffset(bs.rootCluster);
  return {
    bytes,
    bs,
    rootOffset,
    clusterOffset,
    fatEntry: (cluster) => fatStart + cluster * width,
    entryOffset(dirOffset, name) {
      const entries = readFatDirectory(bytes.subarray(dirOffset, dirOffset + 512), bs.fatType);
      const found = entries.find((e) => e.name === name);
      assert.ok(found, `entry ${name}`);
      return dirOffset + found.index * 32;
    },
  };
}

function cluster(f: Fixture, entryOffset: number): number {
  const view = new DataView(f.bytes.buffer, f.bytes.byteOffset);
  return view.getUint16(entryOffset + 26, true) + (f.bs.fatType === 32 ? view.getUint16(entryOffset + 20, true) * 0x10000 : 0);
}

function setFat(f: Fixture, at: number, value: number): void {
  // Both FATs, so mirroring cannot hide the change.
  for (let n = 0; n < f.bs.numFats; n++) {
    const offset = at + n * f.bs.fatSizeSectors * f.bs.bytesPerSector;
    if (f.bs.fatType === 16) writeU16le(f.bytes, offset, value);
    else writeU32le(f.bytes, offset, value);
  }
}

async function expectInvalid(promise: Promise<unknown>, reason: RegExp): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message?: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_INVALID', String(error.message));
    assert.match(String(error.message), reason);
    return true;
  });
}

const list = (f: Fixture): Promise<unknown> => listFatTree(bufferReadAt(f.bytes), 0, f.bytes.length);
const read = (f: Fixture, path: string): Promise<unknown> => readFatFile(bufferReadAt(f.bytes), 0, f.bytes.length, path);

test('readFatFile() refuses a cluster chain that loops', async (t) => {
  const f = await fixture(t, 16);
  if (f === null) return;
  const efi = cluster(f, f.entryOffset(f.rootOffset, 'EFI'));
  const bootDir = cluster(f, f.entryOffset(f.clusterOffset(efi), 'BOOT'));
  const first = cluster(f, f.entryOffset(f.clusterOffset(bootDir), 'BOOTX64.EFI'));
  setFat(f, f.fatEntry(first + 3), first + 1); // the 4th cluster links back to the 2nd
  await expectInvalid(read(f, '\\EFI\\BOOT\\BOOTX64.EFI'), /FAT file \\EFI\\BOOT\\BOOTX64\.EFI: the cluster chain loops back to cluster/);
});

test('readFatFile() refuses chains that leave the volume, hit a free or a bad cluster, or end early', async (t) => {
  const cases: { value: (first: number, f: Fixture) => number; reason: RegExp }[] = [
    { value: (_first, f) => f.bs.clusterCount + 2, reason: /outside clusters 2\.\./ },
    { value: () => 1, reason: /outside clusters 2\.\./ },
    { value: () => 0, reason: /links to a free cluster/ },
    { value: () => 0xfff7, reason: /marked bad/ },
    { value: () => 0xffff, reason: /has 2 clusters but the size needs 8/ },
  ];
  for (const c of cases) {
    const f = await fixture(t, 16);
    if (f === null) return;
    const efi = cluster(f, f.entryOffset(f.rootOffset, 'EFI'));
    const bootDir = cluster(f, f.entryOffset(f.clusterOffset(efi), 'BOOT'));
    const first = cluster(f, f.entryOffset(f.clusterOffset(bootDir), 'BOOTX64.EFI'));
    setFat(f, f.fatEntry(first + 1), c.value(first, f));
    await expectInvalid(read(f, '\\EFI\\BOOT\\BOOTX64.EFI'), c.reason);
  }
});

test('listFatTree() refuses a directory that points to itself or to its parent', async (t) => {
  for (const target of ['self', 'parent'] as const) {
    const f = await fixture(t, 16);
    if (f === null) return;
    const efiEntry = f.entryOffset(f.rootOffset, 'EFI');
    const efi = cluster(f, efiEntry);
    const bootEntry = f.entryOffset(f.clusterOffset(efi), 'BOOT');
    writeU16le(f.bytes, bootEntry + 26, target === 'self' ? cluster(f, bootEntry) : efi);
    if (target === 'self') {
      // BOOT lists a subdirectory whose first cluster is BOOT's own.
      const bootCluster = cluster(f, bootEntry);
      const inside = f.entryOffset(f.clusterOffset(bootCluster), 'BOOTX64.EFI');
      f.bytes[inside + 11] = 0x10;
      writeU16le(f.bytes, inside + 26, bootCluster);
    }
    await expectInvalid(list(f), /already belongs to another directory/);
  }
});

test('listFatTree() refuses a FAT32 root directory whose chain loops', async (t) => {
  const f = await fixture(t, 32);
  if (f === null) return;
  setFat(f, f.fatEntry(f.bs.rootCluster), f.bs.rootCluster);
  await expectInvalid(list(f), /FAT root directory: the cluster chain loops back/);
});

test('listFatTree() refuses a directory longer than FAT allows', async (t) => {
  const f = await fixture(t, 32);
  if (f === null) return;
  // Link 5000 free clusters (2.5 MB of 512-byte clusters) behind the root: more than 65536 entries.
  let previous = f.bs.rootCluster;
  for (let c = 100; c < 5100; c++) {
    setFat(f, f.fatEntry(previous), c);
    previous = c;
  }
  setFat(f, f.fatEntry(previous), 0x0fffffff);
  await expectInvalid(list(f), /longer than 4096 clusters/);
});

test('readFatFile() refuses a file size larger than the volume', async (t) => {
  const f = await fixture(t, 16);
  if (f === null) return;
  writeU32le(f.bytes, f.entryOffset(f.rootOffset, 'small.txt') + 28, 0xfffffff0);
  await expectInvalid(read(f, '\\small.txt'), /larger than the volume's data region/);
});

test('listFatTree() refuses a name with a path separator and a directory without a cluster', async (t) => {
  const f = await fixture(t, 16);
  if (f === null) return;
  const small = f.entryOffset(f.rootOffset, 'small.txt');
  f.bytes[small + 2] = 0x2f; // "SM/LL   TXT"
  await expectInvalid(list(f), /not a valid file name/);

  const g = await fixture(t, 16);
  if (g === null) return;
  writeU16le(g.bytes, g.entryOffset(g.rootOffset, 'EFI') + 26, 0);
  await expectInvalid(list(g), /FAT directory \\EFI: the directory entry has no first cluster/);
});

test('listFatTree() never hangs on a FAT whose every entry links to the next cluster in a ring', async (t) => {
  const f = await fixture(t, 32);
  if (f === null) return;
  const last = f.bs.clusterCount + 1;
  for (let c = 2; c <= last; c++) setFat(f, f.fatEntry(c), c === last ? 2 : c + 1);
  const started = Date.now();
  await expectInvalid(list(f), /longer than|loops back/);
  assert.ok(Date.now() - started < 5000);
});
