import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseFatLayout } from '../../../../../src/deploy/configdrive/fat/choose-fat-layout.ts';

const MiB = 1024 * 1024;

test('chooseFatLayout() picks FAT16 with 2 KiB clusters for a 64 MiB config drive', () => {
  const layout = chooseFatLayout(64 * MiB, 512, 1);
  assert.equal(layout.fatType, 16);
  assert.equal(layout.sectorsPerCluster * layout.bytesPerSector, 2048);
  assert.equal(layout.reservedSectors, 1);
  assert.equal(layout.rootEntryCount, 512);
  assert.equal(layout.numFats, 2);
});

test('chooseFatLayout() uses one 4096-byte sector per cluster on a 4Kn disk', () => {
  const layout = chooseFatLayout(64 * MiB, 4096, 1);
  assert.equal(layout.fatType, 16);
  assert.equal(layout.bytesPerSector, 4096);
  assert.equal(layout.sectorsPerCluster, 1);
  assert.equal(layout.rootDirSectors, 4);
});

test('chooseFatLayout() chooses FAT12 for small and FAT32 for large volumes', () => {
  assert.equal(chooseFatLayout(1 * MiB, 512, 1).fatType, 12);
  assert.equal(chooseFatLayout(4 * MiB, 4096, 1).fatType, 12);
  const fat32 = chooseFatLayout(600 * MiB, 512, 1);
  assert.equal(fat32.fatType, 32);
  assert.equal(fat32.reservedSectors, 32);
  assert.equal(fat32.rootEntryCount, 0);
});

test('chooseFatLayout() keeps the cluster count away from the type boundaries', () => {
  for (const sectorSize of [512, 4096]) {
    for (let size = 128 * 1024; size <= 1100 * MiB; size = Math.ceil((size * 1.37) / 4096) * 4096) {
      let layout;
      try {
        layout = chooseFatLayout(size, sectorSize, 1);
      } catch {
        continue; // too small for any FAT with this sector size
      }
      const { fatType, clusterCount } = layout;
      const fits = fatType === 12 ? clusterCount <= 4084 - 16 : fatType === 16 ? clusterCount >= 4101 && clusterCount <= 65508 : clusterCount >= 65541;
      assert.ok(fits, `${size} bytes / ${sectorSize}: FAT${fatType} with ${clusterCount} clusters`);
      const used = layout.firstDataSector + layout.clusterCount * layout.sectorsPerCluster;
      assert.ok(used <= layout.totalSectors, `${size}: data area ends inside the volume`);
      const fatEntries = (layout.fatSizeSectors * sectorSize * 8) / fatType;
      assert.ok(fatEntries >= clusterCount + 2, `${size}: the FAT maps every cluster`);
    }
  }
});

test('chooseFatLayout() grows the root directory for many entries', () => {
  assert.equal(chooseFatLayout(64 * MiB, 512, 700).rootEntryCount, 704);
  assert.equal(chooseFatLayout(64 * MiB, 4096, 700).rootEntryCount, 768);
});

test('chooseFatLayout() refuses sizes no FAT can have', () => {
  for (const [size, sectorSize] of [[16 * 1024, 512], [1000, 512], [64 * MiB, 520]] as const) {
    assert.throws(() => chooseFatLayout(size, sectorSize, 1), { code: 'BYOI_CONFIGDRIVE_FAILED' });
  }
});
