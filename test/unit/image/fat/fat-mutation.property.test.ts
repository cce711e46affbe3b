// Property: whatever bytes of a real FAT volume's boot sector, FATs and directory clusters are changed to,
// listFatTree(), readFatFile() and detectFilesystem() return a result or throw a ByoiError
// (BYOI_IMAGE_INVALID or BYOI_IMAGE_TRUNCATED), and they finish.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { isByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { bufferReadAt, checkRange, type ReadAt } from '../../../../src/image/read-at.ts';
import { listFatTree } from '../../../../src/image/fat/list-fat-tree.ts';
import { readFatBootSector } from '../../../../src/image/fat/read-fat-boot-sector.ts';
import { readFatFile } from '../../../../src/image/fat/read-fat-file.ts';
import { detectFilesystem } from '../../../../src/image/filesystem/detect-filesystem.ts';
import { FAT_TOOLS, makeFatImage, mkdirs, putFile, someBytes } from './_fat-fixtures.ts';

/** The base image with some bytes replaced and maybe cut short, without copying the whole image per run. */
function patchedReadAt(base: Uint8Array, patches: ReadonlyMap<number, number>, size: number): ReadAt {
  return {
    size,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, 'image');
      const out = base.slice(offset, offset + length);
      for (const [at, value] of patches) if (at >= offset && at < offset + length) out[at - offset] = value;
      return out;
    },
  };
}

async function outcome(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(isByoiError(error), `not a ByoiError: ${String(error)}`);
    assert.ok(error.code === 'BYOI_IMAGE_INVALID' || error.code === 'BYOI_IMAGE_TRUNCATED', error.code);
  }
}

for (const fatBits of [12, 16, 32] as const) {
  test(`FAT${fatBits} readers answer mutated volumes with a result or a ByoiError`, { timeout: 120_000 }, async (t) => {
    if (!needTools(t, ...FAT_TOOLS)) return;
    const dir = tempDir(t);
    const sizeKiB = fatBits === 12 ? 1024 : fatBits === 16 ? 16 * 1024 : 34 * 1024;
    const image = makeFatImage(dir, 'fat.img', { fatBits, sizeKiB, sectorsPerCluster: 1 });
    mkdirs(image, ['\\EFI', '\\EFI\\BOOT', '\\EFI\\debian']);
    putFile(image, '\\EFI\\BOOT\\BOOTX64.EFI', someBytes(3000), dir);
    putFile(image, '\\EFI\\debian\\a file with a long name.efi', someBytes(600), dir);
    const base = new Uint8Array(readFileSync(image));
    const bs = await readFatBootSector(bufferReadAt(base), 0, base.length);

    // The metadata: boot sector (and FAT32's FSInfo and backup), both FATs' used part, the root directory and
    // the first data clusters, where mtools put the directories.
    const bps = bs.bytesPerSector;
    const fatStart = bs.reservedSectorCount * bps;
    const usedFat = 64 * 4;
    const regions: [number, number][] = [
      [0, bs.reservedSectorCount * bps],
      [fatStart, fatStart + usedFat],
      [fatStart + bs.fatSizeSectors * bps, fatStart + bs.fatSizeSectors * bps + usedFat],
      [(bs.firstDataSector - bs.rootDirSectors) * bps, (bs.firstDataSector + 16) * bps],
    ];
    const position = fc.integer({ min: 0, max: regions.length - 1 }).chain((r) => {
      const [from, to] = regions[r] as [number, number];
      return fc.integer({ min: from, max: to - 1 });
    });
    const mutation = fc.record({
      patches: fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
      // One run in eight also cuts the image short somewhere.
      cut: fc.oneof(
        { arbitrary: fc.constant(null), weight: 7 },
        { arbitrary: fc.integer({ min: 0, max: base.length - 1 }), weight: 1 },
      ),
    });

    await fc.assert(
      fc.asyncProperty(mutation, async ({ patches, cut }) => {
        const source = patchedReadAt(base, new Map(patches), cut ?? base.length);
        await outcome(() => listFatTree(source, 0, source.size));
        await outcome(() => readFatFile(source, 0, source.size, '\\EFI\\BOOT\\BOOTX64.EFI'));
        await outcome(() => readFatFile(source, 0, source.size, '\\efi\\debian\\A FILE WITH A LONG NAME.EFI'));
        await outcome(() => detectFilesystem(source, 0, source.size));
      }),
      { numRuns: 300 },
    );
  });
}
