import type { FilesystemInfo } from '../inspect-result.ts';
import { checkRange, type ReadAt } from '../read-at.ts';
import { detectBtrfs } from './detect-btrfs.ts';
import { detectExt } from './detect-ext.ts';
import { detectIso9660 } from './detect-iso9660.ts';
import { detectLuks, detectLuks2Secondary } from './detect-luks.ts';
import { detectLvm2 } from './detect-lvm2.ts';
import { detectNtfs } from './detect-ntfs.ts';
import { detectSquashfs } from './detect-squashfs.ts';
import { detectSwap } from './detect-swap.ts';
import { detectVfat } from './detect-vfat.ts';
import { detectXfs } from './detect-xfs.ts';
import { detectZfs } from './detect-zfs.ts';
import { HEAD_BYTES, type ProbeRegion } from './probe-region.ts';

type Probe = (region: ProbeRegion) => Promise<FilesystemInfo | null>;

/**
 * Probes in blkid's order (libblkid superblocks.c: volume managers and crypto first, then filesystems), so
 * that when two signatures overlap the same one wins. All of them look only at the first HEAD_BYTES.
 */
const PROBES: readonly Probe[] = [
  detectLvm2,
  detectLuks,
  detectVfat,
  detectSwap,
  detectXfs,
  detectExt,
  detectIso9660,
  detectNtfs,
  detectSquashfs,
  detectBtrfs,
];

/** Probes that read far from the start; tried only when nothing else matched. */
const LATE_PROBES: readonly Probe[] = [detectLuks2Secondary, detectZfs];

/**
 * Says which filesystem (or volume-manager or encryption signature) the region [offset, offset+length) of
 * `source` holds, with blkid's TYPE name, LABEL and UUID formatted as `blkid -p -o export` prints them.
 * Returns null when nothing is recognised.
 *
 * Lenient by design: malformed contents give null or a partial answer (no label), never an error. It throws
 * only BYOI_IMAGE_TRUNCATED when the region reaches past the end of the image, and whatever `source` throws.
 *
 * @example
 * ```ts
 * await detectFilesystem(disk, partition.start, partition.size);
 * // { type: 'vfat', label: 'ESP', uuid: '3E42-8455' }
 * ```
 */
export async function detectFilesystem(source: ReadAt, offset: number, length: number): Promise<FilesystemInfo | null> {
  checkRange(source.size, offset, length, 'filesystem');
  const head = await source.readAt(offset, Math.min(length, HEAD_BYTES));
  const region: ProbeRegion = { source, offset, length, head };
  for (const probe of PROBES) {
    const found = await probe(region);
    if (found !== null) return found;
  }
  for (const probe of LATE_PROBES) {
    const found = await probe(region);
    if (found !== null) return found;
  }
  return null;
}
