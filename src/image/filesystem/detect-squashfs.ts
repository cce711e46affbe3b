import type { FilesystemInfo } from '../inspect-result.ts';
import { bytesEqual, u16be, u16le } from '../bytes.ts';
import { readProbeBytes, type ProbeRegion } from './probe-region.ts';

// squashfs superblock at byte 0 (FORMAT.md "squashfs").
const s_magic = 0;
const s_major = 28;
const HSQS = [0x68, 0x73, 0x71, 0x73]; // "hsqs", little endian
const SQSH = [0x73, 0x71, 0x73, 0x68]; // "sqsh", big endian (version 3 and older)

/**
 * Detects squashfs: TYPE "squashfs" for version 4 and later, "squashfs3" for older ones, as blkid names them.
 * squashfs has neither label nor UUID.
 */
export async function detectSquashfs(region: ProbeRegion): Promise<FilesystemInfo | null> {
  const sb = await readProbeBytes(region, 0, 32);
  if (sb === null) return null;
  if (bytesEqual(sb, s_magic, HSQS)) {
    return { type: u16le(sb, s_major) >= 4 ? 'squashfs' : 'squashfs3', label: null, uuid: null };
  }
  if (bytesEqual(sb, s_magic, SQSH) && u16be(sb, s_major) <= 3) return { type: 'squashfs3', label: null, uuid: null };
  return null;
}
