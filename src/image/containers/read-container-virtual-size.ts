import type { ImageFormat } from '../inspect-result.ts';
import type { ReadAt } from '../read-at.ts';
import { readQcow2Header } from '../qcow2/read-qcow2-header.ts';
import { unsupported } from './_container-errors.ts';
import { readLuksVirtualSize } from './read-luks-virtual-size.ts';
import { readParallelsVirtualSize } from './read-parallels-virtual-size.ts';
import { readQcowVirtualSize } from './read-qcow-virtual-size.ts';
import { readQedVirtualSize } from './read-qed-virtual-size.ts';
import { readVdiVirtualSize } from './read-vdi-virtual-size.ts';
import { readVhdxVirtualSize } from './read-vhdx-virtual-size.ts';
import { readVmdkVirtualSize } from './read-vmdk-virtual-size.ts';
import { readVpcVirtualSize } from './read-vpc-virtual-size.ts';

/**
 * Size in bytes of the disk an image describes, as `qemu-img info` reports it in "virtual-size", for every
 * container qemu-img can create here: qcow2 and qcow, vmdk, vhdx, vpc, vdi, qed, luks, parallels; raw is the file
 * size. Reads only headers (a few KiB), never the data.
 *
 * Whole-file compressions (gzip, xz, zstd, bzip2) and dmg say nothing about their size without decompressing; they
 * are refused with BYOI_IMAGE_UNSUPPORTED_FEATURE, as byoi does not deploy them.
 *
 * @param format what sniffFormat() found
 * @throws BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, BYOI_IMAGE_UNSUPPORTED_FEATURE
 *
 * @example
 * ```ts
 * const format = sniffFormat(head, tail);               // 'vmdk'
 * await readContainerVirtualSize(format, source);       // 10737418240
 * ```
 */
export async function readContainerVirtualSize(format: ImageFormat, source: ReadAt): Promise<number> {
  switch (format) {
    case 'raw':
      return source.size;
    case 'qcow2': {
      const header = await readQcow2Header(source);
      return header.size - (header.size % 512);
    }
    case 'qcow':
      return readQcowVirtualSize(source);
    case 'vmdk':
      return readVmdkVirtualSize(source);
    case 'vhdx':
      return readVhdxVirtualSize(source);
    case 'vpc':
      return readVpcVirtualSize(source);
    case 'vdi':
      return readVdiVirtualSize(source);
    case 'qed':
      return readQedVirtualSize(source);
    case 'luks':
      return readLuksVirtualSize(source);
    case 'parallels':
      return readParallelsVirtualSize(source);
    case 'dmg':
      throw unsupported('an Apple disk image (dmg)');
    case 'gzip':
    case 'xz':
    case 'zstd':
    case 'bzip2':
      throw unsupported(`${format} compression of the whole image`);
  }
}
