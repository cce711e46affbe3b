import { bytesEqual, isAllZero } from '../bytes.ts';
import type { FilesystemInfo } from '../inspect-result.ts';
import { readAtMost, type ReadAt } from '../read-at.ts';
import { detectFilesystem } from './detect-filesystem.ts';

/** How the customer message names each blkid TYPE. */
const TYPE_NAMES: Record<string, string> = {
  ext2: 'an ext2 filesystem',
  ext3: 'an ext3 filesystem',
  ext4: 'an ext4 filesystem',
  jbd: 'an ext3/ext4 external journal',
  xfs: 'an XFS filesystem',
  btrfs: 'a Btrfs filesystem',
  vfat: 'a FAT filesystem',
  ntfs: 'an NTFS filesystem',
  iso9660: 'an ISO 9660 filesystem',
  crypto_LUKS: 'a LUKS encrypted volume',
  LVM2_member: 'an LVM2 physical volume',
  swap: 'a Linux swap area',
  squashfs: 'a squashfs filesystem',
  squashfs3: 'a squashfs filesystem (version 3 or older)',
  zfs_member: 'a ZFS pool member',
};

/** Signatures of things people upload by mistake, checked when no filesystem is found. */
const SIGNATURES: { at: number; bytes: readonly number[]; name: string }[] = [
  { at: 0, bytes: [0x51, 0x46, 0x49, 0xfb], name: 'a qcow2 image' },
  { at: 0, bytes: [0x1f, 0x8b], name: 'gzip-compressed data' },
  { at: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz-compressed data' },
  { at: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd-compressed data' },
  { at: 0, bytes: [0x42, 0x5a, 0x68], name: 'bzip2-compressed data' },
  { at: 257, bytes: [0x75, 0x73, 0x74, 0x61, 0x72], name: 'a tar archive' },
];

const SNIFF_BYTES = 64 * 1024;

/**
 * Says in a few words what a raw image without a partition table seems to contain, for the customer
 * message "... no partition table was found. It seems to contain: x".
 *
 * - a filesystem: its kind and label, "an ext4 filesystem (label cloudimg-rootfs)";
 * - otherwise what the first bytes look like: "nothing recognisable (the first 64 KiB are zeros)",
 *   "an HTML page", "gzip-compressed data", "unrecognised data (starting with 4d 5a 90 00 03 00 00 00)".
 *
 * @example
 * ```ts
 * await describeContents(bufferReadAt(isoBytes)); // "an ISO 9660 filesystem (label DEBIAN)"
 * ```
 */
export async function describeContents(source: ReadAt): Promise<string> {
  if (source.size === 0) return 'nothing (the image is empty)';
  const found = await detectFilesystem(source, 0, source.size);
  if (found !== null) return describeFilesystem(found);

  const head = await readAtMost(source, 0, SNIFF_BYTES);
  if (isAllZero(head)) {
    return head.length === source.size
      ? `nothing recognisable (all ${source.size} bytes are zeros)`
      : 'nothing recognisable (the first 64 KiB are zeros)';
  }
  for (const signature of SIGNATURES) {
    if (bytesEqual(head, signature.at, signature.bytes)) return signature.name;
  }
  const text = looksLikeText(head.subarray(0, 1024));
  if (text !== null) return text;
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) return 'a boot sector without partition entries';
  const first = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `unrecognised data (starting with ${first})`;
}

/** "an ext4 filesystem (label rootfs)"; unknown types fall back to blkid's name. */
export function describeFilesystem(info: FilesystemInfo): string {
  const kind = TYPE_NAMES[info.type] ?? `a ${info.type} signature`;
  return info.label === null ? kind : `${kind} (label ${info.label})`;
}

/** "an HTML page" or "text" when the bytes are printable UTF-8, else null. */
function looksLikeText(bytes: Uint8Array): string | null {
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes.length === 1024 ? trimPartialUtf8(bytes) : bytes);
  } catch {
    return null;
  }
  if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(decoded)) return null;
  const start = decoded.replace(/^\uFEFF/, '').trimStart().slice(0, 64).toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html') || start.startsWith('<head')) return 'an HTML page';
  return 'text';
}

/** Drops a UTF-8 sequence cut by the 1024-byte window so it does not look like binary. */
function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  let back = 0;
  while (back < 3 && end - back - 1 >= 0 && ((bytes[end - back - 1] ?? 0) & 0xc0) === 0x80) back++;
  const lead = bytes[end - back - 1] ?? 0;
  if (lead >= 0xc0) end = end - back - 1;
  return bytes.subarray(0, end);
}
