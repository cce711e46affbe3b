import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLogicalPartitions } from '../../../../src/image/mbr/read-logical-partitions.ts';
import { readMbr, type MbrEntry } from '../../../../src/image/mbr/read-mbr.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { fileDisk, MiB, nodeNumber, sfdiskImage, sfdiskJson } from '../partition-table/_fixtures.ts';

test('readLogicalPartitions() walks the EBR chain as sfdisk does', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const path = sfdiskImage(tempDir(t), 'logicals.img', 64 * MiB, 'label: dos\n,10MiB,83,*\n,30MiB,83\n,,E\n,5MiB,82\n,5MiB,83\n,,8e\n');
  const oracle = sfdiskJson(path);
  const disk = await fileDisk(t, path, 512, true);
  const mbr = await readMbr(disk);
  const extended = mbr?.primaries.find((p) => p.type === 0x05);
  assert.ok(extended);
  const { logicals, problems } = await readLogicalPartitions(disk, extended, 512);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    logicals.map((p) => ({ number: p.number, start: p.startLba, size: p.sectorCount, type: p.type })),
    oracle.partitions.filter((p) => nodeNumber(p.node) >= 5).map((p) => ({ number: nodeNumber(p.node), start: p.start, size: p.size, type: Number.parseInt(p.type, 16) })),
  );
});

/** An image with an extended partition at LBA 2048 of `sectors` sectors, and EBRs written by `links`. */
function chainImage(sectors: number, links: { ebr: number; logical?: [number, number]; next?: number }[]): { source: ReturnType<typeof bufferReadAt>; extended: MbrEntry } {
  const bytes = new Uint8Array((2048 + sectors) * 512);
  const view = new DataView(bytes.buffer);
  for (const link of links) {
    const base = link.ebr * 512;
    if (link.logical) {
      bytes[base + 446 + 4] = 0x83;
      view.setUint32(base + 446 + 8, link.logical[0], true);
      view.setUint32(base + 446 + 12, link.logical[1], true);
    }
    if (link.next !== undefined) {
      bytes[base + 462 + 4] = 0x05;
      view.setUint32(base + 462 + 8, link.next, true);
      view.setUint32(base + 462 + 12, 16, true);
    }
    bytes[base + 510] = 0x55;
    bytes[base + 511] = 0xaa;
  }
  return { source: bufferReadAt(bytes), extended: { number: 2, status: 0, active: false, type: 0x05, startLba: 2048, sectorCount: sectors } };
}

test('readLogicalPartitions() stops at an EBR chain that loops', async () => {
  const { source, extended } = chainImage(1024, [
    { ebr: 2048, logical: [1, 100], next: 200 },
    { ebr: 2248, logical: [1, 100], next: 0 }, // back to the first EBR
  ]);
  const { logicals, problems } = await readLogicalPartitions(source, extended, 512);
  assert.deepEqual(logicals.map((p) => [p.number, p.startLba]), [[5, 2049], [6, 2249]]);
  assert.deepEqual(problems.map((p) => p.message), ['Cannot read EBR at LBA 2048: the EBR chain loops back to an EBR already read; the rest is ignored']);
});

test('readLogicalPartitions() stops a chain longer than its limit', async () => {
  const links = [];
  for (let i = 0; i < 300; i++) links.push({ ebr: 2048 + i * 2, logical: [1, 1] as [number, number], next: (i + 1) * 2 });
  const { source, extended } = chainImage(1024, links);
  const { logicals, problems } = await readLogicalPartitions(source, extended, 512);
  assert.equal(logicals.length, 256);
  assert.equal(logicals.at(-1)?.number, 260);
  assert.match(problems[0]?.message ?? '', /longer than byoi's limit of 256 links/);
});

test('readLogicalPartitions() reports an EBR outside the extended partition or the image', async () => {
  let chain = chainImage(1024, [{ ebr: 2048, logical: [1, 10], next: 5000 }]);
  let result = await readLogicalPartitions(chain.source, chain.extended, 512);
  assert.equal(result.logicals.length, 1);
  assert.match(result.problems[0]?.message ?? '', /EBR at LBA 7048: it is outside the extended partition \(LBA 2048..3071\)/);

  chain = chainImage(1024, [{ ebr: 2048, logical: [1, 10], next: 5000 }]);
  result = await readLogicalPartitions(chain.source, { ...chain.extended, sectorCount: 1_000_000 }, 512);
  assert.match(result.problems[0]?.message ?? '', /EBR at LBA 7048: it is past the end of the image \(3072 sectors\)/);
});

test('readLogicalPartitions() reports an EBR without a signature and a logical partition out of place', async () => {
  const { source, extended } = chainImage(1024, [{ ebr: 2048, logical: [0, 5000], next: 100 }]);
  const { logicals, problems } = await readLogicalPartitions(source, extended, 512);
  assert.equal(logicals.length, 1);
  assert.deepEqual(problems.map((p) => p.message), [
    'Cannot read MBR logical partition 5: it starts on its own EBR',
    'Cannot read MBR logical partition 5: it is not inside the extended partition (LBA 2048..3071)',
    'Cannot read MBR logical partition 5: it ends at LBA 7047, past the end of the image (3072 sectors)',
    'Cannot read EBR at LBA 2148: it has no 0x55AA signature',
  ]);
});

test('readLogicalPartitions() skips an EBR without a logical partition and keeps numbering', async () => {
  const { source, extended } = chainImage(1024, [
    { ebr: 2048, next: 100 },
    { ebr: 2148, logical: [2, 10] },
  ]);
  const { logicals, problems } = await readLogicalPartitions(source, extended, 512, 5);
  assert.deepEqual(problems, []);
  assert.deepEqual(logicals.map((p) => [p.number, p.startLba, p.sectorCount]), [[5, 2150, 10]]);
});
