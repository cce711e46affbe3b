import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import type { DiskIO } from '../../../../src/deploy/disk/disk-io.ts';
import { addConfigDrivePartition } from '../../../../src/deploy/partition/add-config-drive-partition.ts';
import { relocateGptBackup } from '../../../../src/deploy/partition/relocate-gpt-backup.ts';
import { readGpt } from '../../../../src/image/gpt/read-gpt.ts';
import { readPartitionTableReport } from '../../../../src/image/partition-table/read-partition-table-report.ts';
import { checkRange } from '../../../../src/image/read-at.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { fixEntriesCrc } from '../../image/gpt/_gpt-bytes.ts';
import { MiB, sfdiskImage, sgdiskImage } from '../../image/partition-table/_fixtures.ts';

// The editors on damaged tables: a catalogue error or a sound result, never another exception.
const runs = Number(process.env.BYOI_PROPERTY_RUNS ?? 200);

/** A DiskIO over bytes in memory. */
function memoryDisk(bytes: Uint8Array): DiskIO {
  return {
    name: 'memory',
    size: bytes.length,
    logicalSectorSize: 512,
    isBlockDevice: false,
    async readAt(offset, length) {
      checkRange(bytes.length, offset, length, 'memory');
      return bytes.slice(offset, offset + length);
    },
    async writeAt(offset, data) {
      checkRange(bytes.length, offset, data.length, 'memory');
      bytes.set(data, offset);
    },
    async zeroRange(offset, length) {
      bytes.fill(0, offset, offset + length);
    },
    async discardAll() {
      return false;
    },
    async sync() {},
    async close() {},
  };
}

/** The image written to the start of a 4 MiB disk, with `changes` applied and, when asked, CRCs made right again. */
function damagedDisk(image: Uint8Array, changes: [number, number][], fixCrcs: boolean): Uint8Array {
  const disk = new Uint8Array(4 * MiB);
  disk.set(image);
  for (const [offset, value] of changes) disk[offset] = value;
  if (fixCrcs) {
    try {
      fixEntriesCrc(disk, 512);
    } catch {
      // an absurd PartitionEntryLBA: leave the CRCs wrong
    }
  }
  return disk;
}

function expectCodes(error: unknown, codes: string[]): void {
  if (!isByoiError(error) || !codes.includes(error.code)) throw error;
}

test('relocateGptBackup() and addConfigDrivePartition() survive damaged GPTs', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const image = new Uint8Array(readFileSync(sgdiskImage(tempDir(t), 'gpt.img', MiB, ['-n', '1:34:+128K', '-n', '2:0:+256K'])));
  const offsets: number[] = [];
  for (let i = 0; i < 92; i++) offsets.push(512 + i);
  for (let i = 0; i < 2 * 128; i++) offsets.push(1024 + i);
  for (let i = 446; i < 512; i++) offsets.push(i);
  const change = fc.tuple(fc.constantFrom(...offsets), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0xee, 0x80)));
  await fc.assert(
    fc.asyncProperty(fc.array(change, { maxLength: 6 }), fc.boolean(), async (changes, fixCrcs) => {
      const bytes = damagedDisk(image, changes, fixCrcs);
      const disk = memoryDisk(bytes);
      try {
        const moved = await relocateGptBackup(disk);
        const gpt = await readGpt(disk, 512);
        assert.equal(gpt?.headerSource, 'primary');
        assert.deepEqual(gpt?.backup, { lba: moved.backupLba, valid: true, atEnd: true, reason: null });
      } catch (error) {
        expectCodes(error, ['BYOI_GPT_MOVE_FAILED', 'BYOI_IMAGE_INVALID', 'BYOI_IMAGE_TRUNCATED']);
      }
      try {
        const added = await addConfigDrivePartition(disk, { sizeBytes: MiB });
        const report = await readPartitionTableReport(disk);
        const partition = report?.table.partitions.find((p) => p.number === added.number);
        assert.deepEqual([partition?.start, partition?.size], [added.start, added.size]);
        assert.ok(added.start + added.size <= disk.size);
      } catch (error) {
        expectCodes(error, ['BYOI_CONFIGDRIVE_FAILED', 'BYOI_CONFIGDRIVE_NO_SPACE', 'BYOI_IMAGE_INVALID', 'BYOI_IMAGE_TRUNCATED']);
      }
    }),
    { numRuns: runs },
  );
});

test('addConfigDrivePartition() survives damaged MBRs and EBR chains', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const image = new Uint8Array(readFileSync(sfdiskImage(tempDir(t), 'mbr.img', 2 * MiB, 'label: dos\n,256KiB,83\n,,E\n,256KiB,82\n,,83\n')));
  const offsets: number[] = [];
  for (let i = 0; i < image.length; i++) if (image[i] !== 0) for (let j = Math.max(0, i - 8); j < i + 8; j++) offsets.push(j);
  const change = fc.tuple(fc.constantFrom(...offsets), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x05, 0x0f, 0x80)));
  await fc.assert(
    fc.asyncProperty(fc.array(change, { maxLength: 6 }), async (changes) => {
      const disk = memoryDisk(damagedDisk(image, changes, false));
      try {
        const added = await addConfigDrivePartition(disk, { sizeBytes: MiB });
        assert.ok(added.start >= 512 && added.start + added.size <= disk.size);
      } catch (error) {
        expectCodes(error, ['BYOI_CONFIGDRIVE_FAILED', 'BYOI_CONFIGDRIVE_NO_SPACE', 'BYOI_CONFIGDRIVE_MBR_FULL', 'BYOI_IMAGE_INVALID', 'BYOI_IMAGE_TRUNCATED']);
      }
    }),
    { numRuns: runs },
  );
});
