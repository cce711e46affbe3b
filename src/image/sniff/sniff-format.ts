import { bytesEqual, u16be, u32be, u32le } from '../bytes.ts';
import type { ImageFormat } from '../inspect-result.ts';

// What qemu-img probes (block.c find_image_format(): each driver's .bdrv_probe gets the first 512 bytes, read as
// zeros past the end of a shorter file, and the highest score wins; an empty file is raw), plus four whole-file
// compressions qemu does not know.

/** BLOCK_PROBE_BUF_SIZE in qemu: probes see at most this many bytes. */
export const PROBE_BYTES = 512;

const QCOW_MAGIC = [0x51, 0x46, 0x49, 0xfb]; // "QFI\xfb", big-endian u32 0x514649fb
const VMDK4_MAGIC = [0x4b, 0x44, 0x4d, 0x56]; // "KDMV": sparse extent, little-endian u32 0x564d444b
const VMDK3_MAGIC = [0x43, 0x4f, 0x57, 0x44]; // "COWD": VMware 3 sparse extent
const VHDX_SIGNATURE = [0x76, 0x68, 0x64, 0x78, 0x66, 0x69, 0x6c, 0x65]; // "vhdxfile"
const VPC_COOKIE = [0x63, 0x6f, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x78]; // "conectix"
const VDI_SIGNATURE_OFFSET = 0x40;
const VDI_SIGNATURE = 0xbeda107f; // little-endian u32
const QED_MAGIC = 0x00444551; // "QED\0" as a little-endian u32
const LUKS_MAGIC = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]; // "LUKS\xba\xbe"
const LUKS_VERSION_OFFSET = 6; // big-endian u16
const PARALLELS_MAGIC = Array.from('WithoutFreeSpace', (c) => c.charCodeAt(0));
const PARALLELS_MAGIC2 = Array.from('WithouFreSpacExt', (c) => c.charCodeAt(0));
const PARALLELS_VERSION_OFFSET = 16; // little-endian u32, must be 2
const DMG_KOLY = [0x6b, 0x6f, 0x6c, 0x79]; // "koly": UDIF trailer, in the last 512 bytes
const GZIP_MAGIC = [0x1f, 0x8b, 0x08]; // ID1, ID2, CM = deflate (RFC 1952)
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]; // "\xfd7zXZ\0"
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]; // little-endian u32 0xfd2fb528
const BZIP2_MAGIC = [0x42, 0x5a, 0x68]; // "BZh", then '1'..'9', then a block or end-of-stream magic
const BZIP2_BLOCK_MAGIC = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]; // BCD pi
const BZIP2_EOS_MAGIC = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]; // BCD sqrt(pi)

/**
 * qemu's vmdk_probe() for a text descriptor: skip '#' comment lines and blank lines (spaces, optional '\r'),
 * then the first other line must be exactly "version=1", "version=2" or "version=3" (LF or CRLF).
 */
function isVmdkDescriptor(probe: Uint8Array): boolean {
  let p = 0;
  const end = probe.length;
  while (p < end) {
    if (probe[p] === 0x23) {
      while (p < end && probe[p] !== 0x0a) p++;
      p++;
      continue;
    }
    if (probe[p] === 0x20) {
      while (p < end && probe[p] === 0x20) p++;
      if (p < end && probe[p] === 0x0d) p++;
      if (p === end || probe[p] !== 0x0a) return false;
      p++;
      continue;
    }
    for (const version of ['1', '2', '3']) {
      for (const eol of ['\n', '\r\n']) {
        const line = Array.from(`version=${version}${eol}`, (c) => c.charCodeAt(0));
        if (bytesEqual(probe, p, line)) return true;
      }
    }
    return false;
  }
  return false;
}

/**
 * Names the format of an image from its first bytes, the way `qemu-img info` probes it, so that byoi and
 * qemu-img agree on what a file is. Returns qemu-img's format name ("qcow2", "vmdk", "vpc", ...), one of the
 * whole-file compressions "gzip", "xz", "zstd", "bzip2" (which qemu-img would call raw), or "raw".
 *
 * Where byoi parts from qemu-img, on purpose:
 * - a fixed VHD has its "conectix" footer only in its last 512 bytes; qemu-img probes it as raw and so does
 *   sniffFormat() (its bytes are the disk followed by the footer); hasFixedVhdFooter() finds the footer;
 * - LUKS2 headers are "luks" here; qemu-img 7.2's luks driver reads only LUKS1 and probes LUKS2 as raw;
 * - a "koly" trailer in `tail` is "dmg"; qemu-img recognises dmg by the file name ending in ".dmg" only;
 * - qemu's bochs and cloop formats are not byoi ImageFormats and come out as "raw".
 *
 * @param head the first bytes of the file: at least 512 when the file is that long (qemu's probes see 512, and
 *   read a shorter file as if padded with zeros)
 * @param tail the last bytes of the file (at least 512 when the file is that long), to find a dmg trailer
 *
 * @example
 * ```ts
 * sniffFormat(firstMiB);            // 'qcow2'
 * sniffFormat(firstMiB, lastBytes); // 'dmg' for an Apple disk image
 * ```
 */
export function sniffFormat(head: Uint8Array, tail?: Uint8Array): ImageFormat {
  if (head.length === 0) return 'raw';
  const probe = new Uint8Array(PROBE_BYTES);
  probe.set(head.subarray(0, PROBE_BYTES));

  if (bytesEqual(probe, 0, QCOW_MAGIC)) {
    const version = u32be(probe, 4);
    if (version === 1) return 'qcow';
    if (version >= 2) return 'qcow2';
  }
  if (bytesEqual(probe, 0, VMDK4_MAGIC) || bytesEqual(probe, 0, VMDK3_MAGIC)) return 'vmdk';
  if (bytesEqual(probe, 0, VHDX_SIGNATURE)) return 'vhdx';
  if (bytesEqual(probe, 0, VPC_COOKIE)) return 'vpc';
  if (u32le(probe, 0) === QED_MAGIC) return 'qed';
  if (bytesEqual(probe, 0, LUKS_MAGIC)) {
    const version = u16be(probe, LUKS_VERSION_OFFSET);
    if (version === 1 || version === 2) return 'luks';
  }
  if ((bytesEqual(probe, 0, PARALLELS_MAGIC) || bytesEqual(probe, 0, PARALLELS_MAGIC2)) && u32le(probe, PARALLELS_VERSION_OFFSET) === 2) {
    return 'parallels';
  }
  if (u32le(probe, VDI_SIGNATURE_OFFSET) === VDI_SIGNATURE) return 'vdi';
  if (isVmdkDescriptor(probe)) return 'vmdk';

  if (bytesEqual(head, 0, GZIP_MAGIC)) return 'gzip';
  if (bytesEqual(head, 0, XZ_MAGIC)) return 'xz';
  if (bytesEqual(head, 0, ZSTD_MAGIC)) return 'zstd';
  if (bytesEqual(head, 0, BZIP2_MAGIC) && head.length >= 10) {
    const level = head[3] ?? 0;
    if (level >= 0x31 && level <= 0x39 && (bytesEqual(head, 4, BZIP2_BLOCK_MAGIC) || bytesEqual(head, 4, BZIP2_EOS_MAGIC))) {
      return 'bzip2';
    }
  }

  // UDIF: a 512-byte "koly" block at the very end, version 4, header size 512 (both big-endian u32).
  if (tail !== undefined && tail.length >= 512) {
    const koly = tail.length - 512;
    if (bytesEqual(tail, koly, DMG_KOLY) && u32be(tail, koly + 4) === 4 && u32be(tail, koly + 8) === 512) return 'dmg';
  }
  return 'raw';
}
