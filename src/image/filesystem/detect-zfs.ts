import type { FilesystemInfo } from '../inspect-result.ts';
import { u64le } from '../bytes.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// ZFS vdev labels: four of 256 KiB, two at the start and two at the end (FORMAT.md "ZFS").
const VDEV_LABEL_SIZE = 256 * 1024;
const VDEV_LABEL_UBERBLOCK = 128 * 1024;
const UBERBLOCK_SIZE = 1024;
const UBERBLOCK_COUNT = 128;
const UBERBLOCK_MAGIC = 0x00bab10cn;
const UBERBLOCK_MAGIC_SWAPPED = 0x0cb1ba0000000000n;
/** blkid wants at least four uberblocks before it says zfs_member. */
const ZFS_WANT = 4;
/** blkid ignores anything smaller than 64 MiB (ZFS's own minimum vdev size). */
const MIN_SIZE = 64 * 1024 * 1024;

/**
 * Detects a ZFS pool member by the uberblock magic 0x00bab10c (either byte order) in the uberblock arrays of
 * its labels, stopping once four are found, as blkid does. The pool name and GUID (an XDR nvlist) are not
 * read: LABEL and UUID are null.
 */
export async function detectZfs(region: ProbeRegion): Promise<FilesystemInfo | null> {
  if (region.length < MIN_SIZE) return null;
  const align = region.length % VDEV_LABEL_SIZE;
  const labels = [0, VDEV_LABEL_SIZE, region.length - 2 * VDEV_LABEL_SIZE - align, region.length - VDEV_LABEL_SIZE - align];
  let found = 0;
  for (const labelOffset of labels) {
    const ring = await readProbeBytes(region, labelOffset + VDEV_LABEL_UBERBLOCK, UBERBLOCK_COUNT * UBERBLOCK_SIZE);
    if (ring === null) return null;
    for (let i = 0; i < UBERBLOCK_COUNT; i++) {
      const magic = u64le(ring, i * UBERBLOCK_SIZE);
      if (magic === UBERBLOCK_MAGIC || magic === UBERBLOCK_MAGIC_SWAPPED) found++;
    }
    if (found >= ZFS_WANT) return { type: 'zfs_member', label: null, uuid: null };
  }
  return null;
}
