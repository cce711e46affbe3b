import { open, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { checkRange } from '../../image/read-at.ts';
import type { DiskIO } from './disk-io.ts';

const zeroChunkBytes = 4 * 1024 * 1024;

export interface OpenDiskOptions {
  /** Open for reading only (inspection, verification). */
  readOnly?: boolean;
  /** Logical sector size to assume for a regular file (a virtual disk); default 512. */
  fileSectorSize?: number;
}

/**
 * Opens a block device or an existing regular file as a DiskIO. A regular file's size is its disk size.
 * Errors are BYOI_DISK_IO with the reason (missing, not a disk, read-only).
 */
export async function openDisk(path: string, options: OpenDiskOptions = {}): Promise<DiskIO> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw diskError(path, error);
  }
  if (!info.isBlockDevice() && !info.isFile()) {
    throw new ByoiError('BYOI_DISK_IO', { device: path, reason: 'it is neither a block device nor a regular file' });
  }
  // A read-only block device (a write-protected disk, `losetup -r`) may well open for writing and then fail every
  // write with EPERM, even for root: refuse it here, before anything is read or written, and say what it is.
  if (!options.readOnly && info.isBlockDevice() && (await isReadOnlyDevice(path))) {
    throw new ByoiError('BYOI_DISK_IO', { device: path, reason: 'it is read-only' });
  }
  let handle: FileHandle;
  try {
    handle = await open(path, options.readOnly ? 'r' : 'r+');
  } catch (error) {
    throw diskError(path, error);
  }
  try {
    const facts = info.isBlockDevice()
      ? await blockDeviceFacts(path)
      : { size: info.size, logicalSectorSize: options.fileSectorSize ?? 512 };
    return fileDisk(handle, path, facts.size, facts.logicalSectorSize, info.isBlockDevice());
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function fileDisk(handle: FileHandle, name: string, size: number, logicalSectorSize: number, isBlockDevice: boolean): DiskIO {
  return {
    name,
    size,
    logicalSectorSize,
    isBlockDevice,
    async readAt(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, name);
      const buffer = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await io(name, () => handle.read(buffer, done, length - done, offset + done));
        if (bytesRead === 0) throw new ByoiError('BYOI_DISK_IO', { device: name, reason: `short read at byte ${offset + done}` });
        done += bytesRead;
      }
      return buffer;
    },
    async writeAt(offset: number, bytes: Uint8Array): Promise<void> {
      checkWriteRange(size, offset, bytes.length, name);
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await io(name, () => handle.write(bytes, done, bytes.length - done, offset + done));
        done += bytesWritten;
      }
    },
    async writevAt(offset: number, parts: Uint8Array[]): Promise<void> {
      const length = parts.reduce((total, part) => total + part.length, 0);
      checkWriteRange(size, offset, length, name);
      let pending = parts;
      let done = 0;
      while (done < length) {
        const { bytesWritten } = await io(name, () => handle.writev(pending, offset + done));
        if (bytesWritten === 0) throw new ByoiError('BYOI_DISK_IO', { device: name, reason: `no byte written at ${offset + done}` });
        done += bytesWritten;
        // A short write: go on from the first byte not written.
        let skip = bytesWritten;
        const rest: Uint8Array[] = [];
        for (const part of pending) {
          if (skip >= part.length) skip -= part.length;
          else {
            rest.push(skip > 0 ? part.subarray(skip) : part);
            skip = 0;
          }
        }
        pending = rest;
      }
    },
    async zeroRange(offset: number, length: number): Promise<void> {
      const zeros = new Uint8Array(Math.min(zeroChunkBytes, length));
      for (let done = 0; done < length; done += zeros.length) {
        await this.writeAt(offset + done, zeros.subarray(0, Math.min(zeros.length, length - done)));
      }
    },
    async discardAll(): Promise<boolean> {
      if (isBlockDevice) return false;
      await io(name, () => handle.truncate(0));
      await io(name, () => handle.truncate(size));
      return true;
    },
    async sync(): Promise<void> {
      await io(name, () => handle.sync());
    },
    async close(): Promise<void> {
      await handle.close();
    },
  };
}

/** Size and logical sector size of a block device, from sysfs (no ioctl is reachable from Node). */
async function blockDeviceFacts(path: string): Promise<{ size: number; logicalSectorSize: number }> {
  const device = basename(await realpath(path));
  const sys = (await isPartition(device)) ? `/sys/class/block/${device}` : `/sys/block/${device}`;
  try {
    const sectors512 = Number((await readFile(`${sys}/size`, 'utf8')).trim());
    const logical = Number((await readFile(`/sys/class/block/${device}/queue/logical_block_size`, 'utf8').catch(() => '512')).trim());
    return { size: sectors512 * 512, logicalSectorSize: logical };
  } catch (error) {
    throw new ByoiError('BYOI_DISK_IO', { device: path, reason: `cannot read its size from ${sys}` }, { cause: error });
  }
}

async function isReadOnlyDevice(path: string): Promise<boolean> {
  try {
    const device = basename(await realpath(path));
    return (await readFile(`/sys/class/block/${device}/ro`, 'utf8')).trim() === '1';
  } catch {
    return false;
  }
}

async function isPartition(device: string): Promise<boolean> {
  return stat(`/sys/class/block/${device}/partition`).then(() => true, () => false);
}

async function io<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw diskError(name, error);
  }
}

/** A write must lie within the disk: the same refusal for writeAt() and writevAt(). */
function checkWriteRange(size: number, offset: number, length: number, name: string): void {
  if (offset < 0 || offset + length > size) {
    throw new ByoiError('BYOI_DISK_IO', { device: name, reason: `write of ${length} bytes at ${offset} is past the end (${size} bytes)` });
  }
}

function diskError(path: string, error: unknown): ByoiError {
  const code = (error as { code?: string }).code;
  const reasons: Record<string, string> = {
    ENOENT: 'it does not exist',
    EACCES: 'permission denied',
    EROFS: 'it is read-only',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device holding it',
    EIO: 'input/output error',
    EISDIR: 'it is a directory',
  };
  const reason = (code && reasons[code]) ?? (error instanceof Error ? error.message : String(error));
  return new ByoiError('BYOI_DISK_IO', { device: path, reason }, { cause: error });
}
