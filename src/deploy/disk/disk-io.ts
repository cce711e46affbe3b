import type { ReadAt } from '../../image/read-at.ts';

/**
 * Random access to the target disk: what the sink, the partition editors and the config-drive writer use.
 * Offsets are bytes from the start of the disk. `readAt` returns exactly `length` bytes or throws.
 */
export interface DiskIO extends ReadAt {
  /** Device path or file name, for messages ("/dev/sda", "disk.img"). */
  readonly name: string;
  /** Logical sector size the OS reports (512 or 4096); 512 for a regular file unless told otherwise. */
  readonly logicalSectorSize: number;
  /** True for a block device, false for a regular file (a virtual server's disk). */
  readonly isBlockDevice: boolean;
  writeAt(offset: number, bytes: Uint8Array): Promise<void>;
  /** Writes `parts` one after the other from `offset`, as writeAt() of their concatenation would (one writev). */
  writevAt?(offset: number, parts: Uint8Array[]): Promise<void>;
  /**
   * Makes [offset, offset+length) read back as zeros: a hole punched in a file, zeroes written on a device.
   */
  zeroRange(offset: number, length: number): Promise<void>;
  /**
   * Makes the whole disk read back as zeros when that is cheap, and says whether it did: a regular file is
   * truncated to zero and back to its size (all holes); a block device answers false and the caller zeroes
   * what it must.
   */
  discardAll(): Promise<boolean>;
  /** Flushes written data to stable storage. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes `parts` one after the other from `offset` with one writeAt() each: what writevAt() does on a disk that
 * has no vectored write, or for parts that cannot go out as one.
 */
export async function writeEachPart(disk: Pick<DiskIO, 'writeAt'>, offset: number, parts: readonly Uint8Array[]): Promise<void> {
  let at = offset;
  for (const part of parts) {
    await disk.writeAt(at, part);
    at += part.length;
  }
}
