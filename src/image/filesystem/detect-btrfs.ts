import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual } from '../bytes.ts';
import { blkidLabel, blkidUuid } from './_blkid-format.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// Btrfs primary superblock at 64 KiB (FORMAT.md "Btrfs").
const SUPERBLOCK_OFFSET = 64 * 1024;
const fsid = 0x20;
const magic = 0x40;
const label = 0x12b;
const BTRFS_MAGIC = [0x5f, 0x42, 0x48, 0x52, 0x66, 0x53, 0x5f, 0x4d]; // "_BHRfS_M"
/** blkid ignores Btrfs on anything smaller than 1 MiB. */
const MIN_SIZE = 1024 * 1024;

/** Detects Btrfs from its primary superblock (the backups at 64 MiB and 256 GiB are not consulted). */
export async function detectBtrfs(region: ProbeRegion): Promise<FilesystemInfo | null> {
  if (region.length < MIN_SIZE) return null;
  const sb = await readProbeBytes(region, SUPERBLOCK_OFFSET, label + 256);
  if (sb === null || !bytesEqual(sb, magic, BTRFS_MAGIC)) return null;
  return {
    type: 'btrfs',
    label: blkidLabel(sb.subarray(label, label + 256)),
    uuid: blkidUuid(sb.subarray(fsid, fsid + 16)),
  };
}
