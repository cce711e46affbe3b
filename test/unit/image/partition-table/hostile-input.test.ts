import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { isByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { readPartitionTableReport } from '../../../../src/image/partition-table/read-partition-table-report.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { fixEntriesCrc } from '../gpt/_gpt-bytes.ts';
import { MiB, sfdiskImage, sgdiskImage } from './_fixtures.ts';

// Whatever the bytes, the readers give a result or a ByoiError about the image; never another exception, never a hang.
const imageCodes = ['BYOI_IMAGE_INVALID', 'BYOI_IMAGE_TRUNCATED'];
const runs = Number(process.env.BYOI_PROPERTY_RUNS ?? 300);

async function readsOrRefuses(bytes: Uint8Array): Promise<void> {
  try {
    const report = await readPartitionTableReport(bufferReadAt(bytes));
    if (report !== null) {
      for (const partition of report.table.partitions) {
        assert.ok(Number.isSafeInteger(partition.start) && partition.start >= 0, 'start is a byte offset');
        assert.ok(Number.isSafeInteger(partition.size) && partition.size > 0, 'size is a byte count');
      }
      JSON.stringify(report.table);
    }
  } catch (error) {
    if (!isByoiError(error) || !imageCodes.includes(error.code)) throw error;
    assert.ok(error.message.startsWith('Cannot read '), error.message);
  }
}

/** Offsets within 16 bytes of a non-zero byte: the structures, not the empty space between them. */
function structuralOffsets(bytes: Uint8Array): number[] {
  const near = new Set<number>();
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) continue;
    for (let j = Math.max(0, i - 16); j < Math.min(bytes.length, i + 16); j++) near.add(j);
  }
  return [...near].sort((a, b) => a - b);
}

const byteValue = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0xff, 0x80, 0xee, 0x05, 0x0f, 0x85, 0x55, 0xaa));

function mutations(offsets: number[]): fc.Arbitrary<[number, number][]> {
  return fc.array(fc.tuple(fc.constantFrom(...offsets), byteValue), { minLength: 1, maxLength: 8 });
}

function fixture(t: TestContext, make: (dir: string) => string): Uint8Array | null {
  return new Uint8Array(readFileSync(make(tempDir(t))));
}

test('readPartitionTableReport() survives random byte changes in a GPT image', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const image = fixture(t, (dir) =>
    sgdiskImage(dir, 'gpt.img', MiB, ['-n', '1:34:+128K', '-c', '1:one', '-n', '2:0:+256K', '-t', '2:ef00', '-n', '3:0:0', '-A', '3:set:2']),
  );
  if (image === null) return;
  const offsets = structuralOffsets(image);
  await fc.assert(
    fc.asyncProperty(mutations(offsets), async (changes) => {
      const bytes = image.slice();
      for (const [offset, value] of changes) bytes[offset] = value;
      await readsOrRefuses(bytes);
    }),
    { numRuns: runs },
  );
});

test('readPartitionTableReport() survives field changes that keep the GPT CRCs right', async (t) => {
  if (!needTools(t, 'sgdisk')) return;
  const image = fixture(t, (dir) => sgdiskImage(dir, 'gpt.img', MiB, ['-n', '1:34:+128K', '-n', '2:0:0']));
  if (image === null) return;
  // Header fields of both copies and the first entries: what survives the CRC check is checked next.
  const offsets: number[] = [];
  for (let i = 0; i < 92; i++) offsets.push(512 + i, MiB - 512 + i);
  for (let i = 0; i < 3 * 128; i++) offsets.push(1024 + i);
  await fc.assert(
    fc.asyncProperty(mutations(offsets), fc.boolean(), async (changes, fixBackup) => {
      const bytes = image.slice();
      for (const [offset, value] of changes) bytes[offset] = value;
      for (const header of fixBackup ? [512, MiB - 512] : [512]) {
        try {
          fixEntriesCrc(bytes, header);
        } catch {
          // the test's own helper cannot follow an absurd PartitionEntryLBA: leave the CRCs as they are
        }
      }
      await readsOrRefuses(bytes);
    }),
    { numRuns: runs },
  );
});

test('readPartitionTableReport() survives random byte changes in an MBR with logical partitions', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const image = fixture(t, (dir) => sfdiskImage(dir, 'mbr.img', 4 * MiB, 'label: dos\n,1MiB,83,*\n,,E\n,512KiB,82\n,512KiB,83\n,,8e\n'));
  if (image === null) return;
  const offsets = structuralOffsets(image);
  await fc.assert(
    fc.asyncProperty(mutations(offsets), async (changes) => {
      const bytes = image.slice();
      for (const [offset, value] of changes) bytes[offset] = value;
      await readsOrRefuses(bytes);
    }),
    { numRuns: runs },
  );
});

test('readPartitionTableReport() survives truncated images', async (t) => {
  if (!needTools(t, 'sgdisk', 'sfdisk')) return;
  const gpt = fixture(t, (dir) => sgdiskImage(dir, 'gpt.img', MiB, ['-n', '1:34:0']));
  const mbr = fixture(t, (dir) => sfdiskImage(dir, 'mbr.img', 4 * MiB, 'label: dos\n,1MiB,83\n,,E\n,512KiB,82\n,,83\n'));
  if (gpt === null || mbr === null) return;
  await fc.assert(
    fc.asyncProperty(fc.boolean(), fc.integer({ min: 0, max: 4 * MiB }), async (useGpt, size) => {
      const image = useGpt ? gpt : mbr;
      await readsOrRefuses(image.subarray(0, Math.min(size, image.length)));
    }),
    { numRuns: runs },
  );
});

test('readPartitionTableReport() survives garbage', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 3 * 4096 }), fc.boolean(), async (bytes, signed) => {
      const image = bytes.slice();
      if (signed && image.length >= 512) {
        image[510] = 0x55;
        image[511] = 0xaa;
        image.set(new TextEncoder().encode('EFI PART'), Math.min(512, image.length - 8));
      }
      await readsOrRefuses(image);
    }),
    { numRuns: runs },
  );
});
