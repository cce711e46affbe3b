import type { DiskRange } from '../disk/holdback-disk.ts';

/** Bytes held back at each place: enough for an MBR, a GPT (primary or backup, 512 or 4096-byte sectors) and its entries. */
export const HOLDBACK_BYTES = 1024 * 1024;

/**
 * The ranges of the disk that stay in memory until the commit: the first MiB of the image (MBR, primary GPT),
 * the last MiB of the image (the image's backup GPT) and the last MiB of the disk (where the backup GPT and the
 * config drive's end land). `imageSize` is the guest size (the virtual size of a qcow2), or null when it is not
 * known yet (a raw image of unknown length: its tail is held by deferTailDecoder()).
 *
 * Written last, these are the bytes that make the disk bootable, so a failure before the commit leaves a disk
 * with no partition table. createHoldbackDisk() clips and merges overlaps.
 */
export function planHoldback(imageSize: number | null, diskSize: number): DiskRange[] {
  const ranges: DiskRange[] = [{ start: 0, length: HOLDBACK_BYTES }];
  if (imageSize !== null) ranges.push({ start: Math.max(0, imageSize - HOLDBACK_BYTES), length: Math.min(HOLDBACK_BYTES, imageSize) });
  ranges.push({ start: Math.max(0, diskSize - HOLDBACK_BYTES), length: Math.min(HOLDBACK_BYTES, diskSize) });
  return ranges;
}
