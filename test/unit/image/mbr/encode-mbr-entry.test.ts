import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMbrEntry } from '../../../../src/image/mbr/encode-mbr-entry.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { MiB, readBytes, sfdiskImage } from '../partition-table/_fixtures.ts';

test('encodeMbrEntry() writes the entries sfdisk writes, CHS included', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  // Partitions below and beyond cylinder 1023 (8 GiB with 255 heads and 63 sectors).
  const path = sfdiskImage(tempDir(t), 'chs.img', 16 * 1024 * MiB, 'label: dos\n,100MiB,83,*\n,10GiB,c\n,,8e\n');
  const sector = readBytes(path, 0, 512);
  const view = new DataView(sector.buffer);
  for (let slot = 0; slot < 3; slot++) {
    const base = 446 + slot * 16;
    const written = sector.subarray(base, base + 16);
    const encoded = encodeMbrEntry({
      type: written[4] as number,
      startLba: view.getUint32(base + 8, true),
      sectorCount: view.getUint32(base + 12, true),
      active: written[0] === 0x80,
    });
    assert.deepEqual([...encoded], [...written], `slot ${slot + 1}`);
  }
});
