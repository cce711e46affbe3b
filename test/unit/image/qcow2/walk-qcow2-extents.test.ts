import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { decompressCluster } from '../../../../src/image/qcow2/decompress-cluster.ts';
import { openQcow2 } from '../../../../src/image/qcow2/open-qcow2.ts';
import { walkQcow2Extents, type Qcow2Extent } from '../../../../src/image/qcow2/walk-qcow2-extents.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';
import { convertToQcow2, createQcow2, qemuImgMap, qemuRaw, writePatternRaw } from '../../../fixtures/qcow2-fixtures.ts';

const dir = tempDir({ after }, 'byoi-qcow2-walk-');

async function extentsOf(path: string): Promise<{ bytes: Uint8Array; extents: Qcow2Extent[]; clusterSize: number; compressionType: number }> {
  const bytes = new Uint8Array(readFileSync(path));
  const image = await openQcow2(bufferReadAt(bytes));
  const extents: Qcow2Extent[] = [];
  for await (const extent of walkQcow2Extents(image.mapping)) extents.push(extent);
  return { bytes, extents, clusterSize: image.header.clusterSize, compressionType: image.header.compressionType };
}

/**
 * Rebuilds the guest disk from the extents alone, as a one-pass decoder would, and checks it against qemu-img;
 * checks that the extents tile the disk in order and that data/zero agree with `qemu-img map`.
 */
async function assertExtentsMatchQemu(path: string): Promise<Qcow2Extent[]> {
  const { bytes, extents, clusterSize, compressionType } = await extentsOf(path);
  const expected = qemuRaw(path, dir);
  const rebuilt = new Uint8Array(expected.length);
  let next = 0;
  for (const extent of extents) {
    assert.equal(extent.guestOffset, next, 'extents are in guest order without gaps');
    assert.ok(extent.length > 0);
    if (extent.kind === 'data') {
      rebuilt.set(bytes.subarray(extent.hostOffset as number, (extent.hostOffset as number) + extent.length), extent.guestOffset);
    } else if (extent.kind === 'compressed') {
      const host = extent.hostOffset as number;
      const cluster = decompressCluster(bytes.subarray(host, host + (extent.compressedLength as number)), compressionType, clusterSize);
      rebuilt.set(cluster.subarray(0, extent.length), extent.guestOffset);
    }
    next += extent.length;
  }
  assert.equal(next, expected.length, 'extents end at the virtual size');
  assert.ok(Buffer.from(rebuilt).equals(Buffer.from(expected)), 'bytes rebuilt from the extents equal qemu-img convert -O raw');

  // qemu-img map: "data": false means the range reads as zeros without data (unallocated or zero flag).
  for (const entry of qemuImgMap(path)) {
    for (const extent of extents) {
      const start = Math.max(extent.guestOffset, entry.start);
      const end = Math.min(extent.guestOffset + extent.length, entry.start + entry.length);
      if (start >= end) continue;
      const hasData = extent.kind === 'data' || extent.kind === 'compressed';
      assert.equal(hasData, entry.data, `data at guest ${start}`);
      if (extent.kind === 'data' && entry.offset !== undefined) {
        assert.equal((extent.hostOffset as number) + (start - extent.guestOffset), entry.offset + (start - entry.start), `host offset at guest ${start}`);
      }
    }
  }
  return extents;
}

test('walkQcow2Extents() walks an image in guest order, agreeing with qemu-img map and convert', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const raw = join(dir, 'pattern.raw');
  writePatternRaw(raw);
  const extents = await assertExtentsMatchQemu(convertToQcow2(dir, raw, 'plain', ''));
  assert.ok(extents.some((e) => e.kind === 'data'));
  assert.ok(extents.some((e) => e.kind === 'unallocated'));
  // Contiguous data clusters are merged: qemu-img convert lays the first MiB out in one run.
  assert.ok((extents[0] as Qcow2Extent).length > 65536);

  const compressed = await assertExtentsMatchQemu(convertToQcow2(dir, raw, 'deflate', '', true));
  assert.ok(compressed.some((e) => e.kind === 'compressed' && e.length === 65536));
  await assertExtentsMatchQemu(convertToQcow2(dir, raw, 'zstd-4k', 'cluster_size=4096,compression_type=zstd', true));
  await assertExtentsMatchQemu(convertToQcow2(dir, raw, 'small', 'cluster_size=512'));
});

test('walkQcow2Extents() reports zero clusters and extended L2 subclusters', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const zero = await assertExtentsMatchQemu(
    createQcow2(dir, 'zeros', '', 2 * 1024 * 1024, ['write -P 0xab 0 1M', 'write -z 65536 131072']),
  );
  assert.deepEqual(
    zero.slice(0, 3).map((e) => [e.kind, e.guestOffset, e.length]),
    [['data', 0, 65536], ['zero', 65536, 131072], ['data', 196608, 1048576 - 196608]],
  );
  const sub = await assertExtentsMatchQemu(
    createQcow2(dir, 'subclusters', 'extended_l2=on,cluster_size=65536', 1024 * 1024, ['write -P 0x11 4096 4096', 'write -z 16384 2048']),
  );
  // 2 KiB subclusters: 0-4K unallocated, 4K-8K data, 8K-16K unallocated, 16K-18K zero, then unallocated.
  assert.deepEqual(
    sub.slice(0, 5).map((e) => [e.kind, e.guestOffset, e.length]),
    [['unallocated', 0, 4096], ['data', 4096, 4096], ['unallocated', 8192, 8192], ['zero', 16384, 2048], ['unallocated', 18432, 1024 * 1024 - 18432]],
  );
});

test('walkQcow2Extents() cuts the last extent at a virtual size that ends inside a cluster', async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const extents = await assertExtentsMatchQemu(createQcow2(dir, 'odd', '', 5000000, ['write -P 0x5a 4980000 20000']));
  const last = extents[extents.length - 1] as Qcow2Extent;
  assert.equal(last.guestOffset + last.length, 5000192);
});
