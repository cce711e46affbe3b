import { bytesEqual, u32be } from '../bytes.ts';

const VPC_COOKIE = [0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78]; // "conectix"
const FOOTER_SIZE = 512;
const FOOTER_DISK_TYPE = 60; // big-endian u32
const DISK_TYPE_FIXED = 2;

/**
 * True when the file ends with the 512-byte footer of a fixed VHD ("conectix", disk type 2). qemu-img probes such a
 * file as raw, and sniffFormat() agrees: its bytes are the disk itself followed by the footer. Inspect uses this to
 * say that the last 512 bytes are not part of the disk.
 *
 * @param tail the last bytes of the file, at least 512
 *
 * @example
 * ```ts
 * hasFixedVhdFooter(lastSector); // true for `qemu-img create -f vpc -o subformat=fixed`
 * ```
 */
export function hasFixedVhdFooter(tail: Uint8Array): boolean {
  if (tail.length < FOOTER_SIZE) return false;
  const footer = tail.length - FOOTER_SIZE;
  return bytesEqual(tail, footer, VPC_COOKIE) && u32be(tail, footer + FOOTER_DISK_TYPE) === DISK_TYPE_FIXED;
}
