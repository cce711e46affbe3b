import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { needTools, run, tempDir } from '../../../../helpers/tools.ts';
import { convertToQcow2, createQcow2, qemuImgMap, writePatternRaw } from '../../../../fixtures/qcow2-fixtures.ts';
import { bytesRefetcher, chunkings, decodeToDisk, fixedChunks, KiB, MiB, randomChunks } from './_decoder-harness.ts';
import { assertDiskMatchesQemu, layoutOf } from './_qemu-oracle.ts';

// Images whose tables come after what they map, made the way qemu makes them, not by hand:
// - after an internal snapshot, a write copies the L2 table (refcount 2) to the end of the file; once the
//   snapshot is deleted the active table sits after most of the data it maps;
// - a resize past the L1 table's capacity moves the L1 table to the end of the file, after the L2 tables.

const dir = tempDir({ after }, 'byoi-qcow2-out-of-order-');

function skipWithoutQemu(t: TestContext): boolean {
  return !needTools(t, 'qemu-img', 'qemu-io');
}

interface Fixture {
  path: string;
  image: Uint8Array;
  virtualSize: number;
}

let snapshotFixture: Fixture | null = null;

/** 8 MiB guest, 64 KiB clusters, one L2 table that lies after 6 MiB of the data it maps. */
async function l2AfterData(): Promise<Fixture> {
  if (snapshotFixture !== null) return snapshotFixture;
  const path = createQcow2(dir, 'l2-after-data', 'cluster_size=65536', 8 * MiB, [
    'write -P 0x11 0 3M',
    'write -P 0x12 3M 3M',
    'write -z 1M 128k',
  ]);
  run('qemu-img', ['snapshot', '-c', 's1', path]);
  run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x22 512k 64k', '-c', 'write -P 0x33 7M 64k', path]);
  run('qemu-img', ['snapshot', '-d', 's1', path]);

  // Check the layout really is out of order: the active L2 table comes after data clusters it maps.
  const layout = await layoutOf(path);
  const l2Offset = layout.mapping.l2TableOffsets[0] as number;
  const dataBefore = qemuImgMap(path).filter((entry) => entry.data && entry.offset !== undefined && entry.offset < l2Offset);
  const bytesBefore = dataBefore.reduce((sum, entry) => sum + entry.length, 0);
  assert.ok(bytesBefore >= 5 * MiB, `expected most data before the L2 table at ${l2Offset}, found ${bytesBefore} bytes`);
  snapshotFixture = { path, image: new Uint8Array(readFileSync(path)), virtualSize: 8 * MiB };
  return snapshotFixture;
}

let resizeFixture: Fixture | null = null;

/** 512-byte clusters (an L1 table of 64 entries per cluster), grown from 1 MiB to 3 MiB: the L1 table moves. */
async function l1AfterL2(): Promise<Fixture> {
  if (resizeFixture !== null) return resizeFixture;
  const path = createQcow2(dir, 'l1-after-l2', 'cluster_size=512', MiB, ['write -P 0x11 0 100k', 'write -P 0x12 900k 50k']);
  const before = await layoutOf(path);
  run('qemu-img', ['resize', '-q', path, '3M']);
  run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x13 2M 10k', '-c', 'write -P 0x14 1020k 8k', path]);

  const layout = await layoutOf(path);
  assert.notEqual(layout.header.l1TableOffset, before.header.l1TableOffset, 'the resize moved the L1 table');
  const tablesBefore = layout.mapping.l2TableOffsets.filter((offset) => offset !== 0 && offset < layout.header.l1TableOffset);
  assert.ok(tablesBefore.length >= 4, `expected L2 tables before the L1 table at ${layout.header.l1TableOffset}`);
  resizeFixture = { path, image: new Uint8Array(readFileSync(path)), virtualSize: 3 * MiB };
  return resizeFixture;
}

test('createQcow2Decoder() writes a data cluster that arrives before its L2 table', async (t) => {
  if (skipWithoutQemu(t)) return;
  const fixture = await l2AfterData();
  for (const way of chunkings) {
    const { decoder, diskPath, notices } = await decodeToDisk(dir, fixture.image, fixture.virtualSize, { chunking: way.chunking });
    assertDiskMatchesQemu(diskPath, fixture.path, dir, way.name);
    assert.ok(decoder.stats.bufferedPeakBytes >= 5 * MiB, `${way.name}: kept ${decoder.stats.bufferedPeakBytes}`);
    assert.equal(decoder.stats.refetchRequests, 0);
    assert.equal(decoder.stats.droppedClusters, 0);
    assert.deepEqual(
      notices.map((notice) => notice.kind),
      ['buffering'],
    );
  }
});

test('createQcow2Decoder() reads L2 tables that arrive before the L1 table (moved by a resize)', async (t) => {
  if (skipWithoutQemu(t)) return;
  const fixture = await l1AfterL2();
  for (const way of chunkings) {
    const { decoder, diskPath } = await decodeToDisk(dir, fixture.image, fixture.virtualSize, { chunking: way.chunking });
    assertDiskMatchesQemu(diskPath, fixture.path, dir, way.name);
    // The whole file (180 KB) fits in one 1 MiB chunk: the tables are then found in the chunk, not in memory.
    if (way.name === '4 KiB chunks' || way.name === '64 KiB chunks') assert.ok(decoder.stats.bufferedPeakBytes > 0);
    assert.equal(decoder.stats.refetchRequests, 0);
  }
});

test('createQcow2Decoder() re-reads the clusters it dropped when the memory budget is small', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const fixture of [await l2AfterData(), await l1AfterL2()]) {
    for (const budget of [0, 64 * KiB, 256 * KiB, MiB]) {
      // Chunks smaller than the files, so that tables do arrive after what they map (a 256 KiB chunk may hold the
      // whole 180 KB resized image).
      for (const way of [{ name: '4 KiB chunks', chunking: fixedChunks(4 * KiB) }, { name: '65535-byte chunks', chunking: fixedChunks(65535) }]) {
        const refetch = bytesRefetcher(fixture.image);
        const label = `${fixture.path} budget ${budget} ${way.name}`;
        const { decoder, diskPath, notices } = await decodeToDisk(dir, fixture.image, fixture.virtualSize, {
          chunking: way.chunking,
          memoryBudgetBytes: budget,
          refetch,
        });
        assertDiskMatchesQemu(diskPath, fixture.path, dir, label);
        const stats = decoder.stats;
        assert.ok(stats.bufferedPeakBytes <= budget, `${label}: kept ${stats.bufferedPeakBytes}`);
        assert.equal(stats.refetchRequests, refetch.ranges);
        assert.equal(stats.refetchedBytes, refetch.bytes);
        // Each dropped block is read again once at most: never more than the file.
        assert.ok(refetch.bytes <= fixture.image.length, `${label}: re-read ${refetch.bytes} bytes`);
        assert.equal(notices.some((notice) => notice.kind === 'refetching'), refetch.ranges > 0);
        if (budget === 0) {
          // (With a budget, the block being assembled may still hold what a late table needs.)
          assert.ok(stats.droppedClusters > 0, `${label}: dropped nothing`);
          assert.ok(refetch.ranges > 0, `${label}: re-read nothing`);
          assert.ok(notices.some((notice) => notice.kind === 'dropping'));
        }
      }
    }
  }
});

test('createQcow2Decoder() loops until nothing is wanted: L2 tables re-read, then the data they map', async (t) => {
  if (skipWithoutQemu(t)) return;
  const fixture = await l1AfterL2();
  const refetch = bytesRefetcher(fixture.image);
  const { diskPath } = await decodeToDisk(dir, fixture.image, fixture.virtualSize, { chunking: fixedChunks(4 * KiB), memoryBudgetBytes: 0, refetch });
  assertDiskMatchesQemu(diskPath, fixture.path, dir, 'budget 0');
  assert.equal(refetch.calls, 2, 'one round for the L2 tables, one for the data they map');
});

test('createQcow2Decoder() decodes out-of-order images when the file size is not known', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const fixture of [await l2AfterData(), await l1AfterL2()]) {
    for (const budget of [0, 64 * MiB]) {
      const refetch = bytesRefetcher(fixture.image);
      const { diskPath } = await decodeToDisk(dir, fixture.image, fixture.virtualSize, {
        chunking: randomChunks(7),
        knownSize: false,
        memoryBudgetBytes: budget,
        refetch,
      });
      assertDiskMatchesQemu(diskPath, fixture.path, dir, `size unknown, budget ${budget}`);
    }
  }
});

test('createQcow2Decoder() fails with BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY when dropped clusters are needed and cannot be re-read', async (t) => {
  if (skipWithoutQemu(t)) return;
  for (const fixture of [await l2AfterData(), await l1AfterL2()]) {
    await assert.rejects(
      decodeToDisk(dir, fixture.image, fixture.virtualSize, { chunking: fixedChunks(64 * KiB), memoryBudgetBytes: 64 * KiB }),
      (error: { code: string; message: string }) => {
        assert.equal(error.code, 'BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY');
        assert.equal(error.message, 'Could not download, qcow2 image is too big to download in memory.');
        return true;
      },
    );
  }
});

test('createQcow2Decoder() fails with BYOI_DOWNLOAD_FAILED when the re-read bytes differ from what passed', async (t) => {
  if (skipWithoutQemu(t)) return;
  const fixture = await l2AfterData();
  // The server now has another image: one byte differs in the data that was dropped.
  const refetch = bytesRefetcher(fixture.image, (offset, bytes) => {
    const changed = bytes.slice();
    const at = 2 * MiB - offset;
    if (at >= 0 && at < changed.length) changed[at] = (changed[at] as number) ^ 0xff;
    return changed;
  });
  await assert.rejects(
    decodeToDisk(dir, fixture.image, fixture.virtualSize, { chunking: fixedChunks(MiB), memoryBudgetBytes: 0, refetch }),
    (error: { code: string; message: string }) => {
      assert.equal(error.code, 'BYOI_DOWNLOAD_FAILED');
      assert.equal(error.message, 'Could not download image: the image changed on the server during the download');
      return true;
    },
  );
});

test('createQcow2Decoder() refuses a refetcher that answers short, out of order or too much', async (t) => {
  if (skipWithoutQemu(t)) return;
  const fixture = await l2AfterData();
  const short = {
    async *readRanges(ranges: readonly { offset: number; length: number }[]) {
      const first = ranges[0];
      if (first !== undefined) yield { offset: first.offset, bytes: fixture.image.slice(first.offset, first.offset + 100) };
    },
  };
  const shifted = {
    async *readRanges(ranges: readonly { offset: number; length: number }[]) {
      for (const range of ranges) yield { offset: range.offset + 1, bytes: fixture.image.slice(range.offset + 1, range.offset + range.length) };
    },
  };
  const long = {
    async *readRanges(ranges: readonly { offset: number; length: number }[]) {
      for (const range of ranges) yield { offset: range.offset, bytes: fixture.image.slice(range.offset, range.offset + range.length + 1) };
    },
  };
  for (const refetch of [short, shifted, long]) {
    await assert.rejects(
      decodeToDisk(dir, fixture.image, fixture.virtualSize, { chunking: fixedChunks(MiB), memoryBudgetBytes: 0, refetch }),
      { code: 'BYOI_DOWNLOAD_FAILED' },
    );
  }
});

test('createQcow2Decoder() re-reads a cluster that a later L2 table maps a second time, after it was written', async (t) => {
  if (skipWithoutQemu(t)) return;
  // 4 KiB clusters: L2 table 0 (guest 0-2 MiB) and its data, then L2 table 1 (guest 2-4 MiB) and its data. Entry
  // 256 of table 1 (guest 3 MiB) is pointed at guest cluster 100's data: a host cluster mapped twice, the second
  // time by a table that arrives after the cluster was consumed (its block held only data, so nothing was kept).
  const raw = join(dir, 'shared.raw');
  writePatternRaw(raw, 4 * MiB);
  const original = convertToQcow2(dir, raw, 'shared-original', 'cluster_size=4096');
  const layout = await layoutOf(original);
  const [table0, table1] = layout.mapping.l2TableOffsets as [number, number];
  const bytes = readFileSync(original);
  const cluster100 = bytes.readBigUInt64BE(table0 + 100 * 8);
  assert.ok(table1 > Number(cluster100 & 0xffffffffffn), 'table 1 comes after guest cluster 100 data');
  bytes.writeBigUInt64BE(cluster100, table1 + 256 * 8);
  const path = join(dir, 'shared.qcow2');
  writeFileSync(path, bytes);
  const image = new Uint8Array(bytes);

  const refetch = bytesRefetcher(image);
  const { diskPath } = await decodeToDisk(dir, image, 4 * MiB, { chunking: fixedChunks(64 * KiB), refetch });
  assertDiskMatchesQemu(diskPath, path, dir, 'shared cluster');
  assert.equal(refetch.ranges, 1, 'the one block is read again');
  await assert.rejects(decodeToDisk(dir, image, 4 * MiB, { chunking: fixedChunks(64 * KiB) }), { code: 'BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY' });
});
