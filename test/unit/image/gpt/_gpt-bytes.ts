// Byte surgery on GPT images in memory, for tests that need a header wrong in one field but with a good CRC.
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { run } from '../../../helpers/tools.ts';
import { sgdiskImage } from '../partition-table/_fixtures.ts';

/** A small GPT image (1 MiB, 512-byte sectors) made by sgdisk, as bytes. */
export function smallGptBytes(dir: string, args: readonly string[] = ['-n', '1:34:+256K', '-c', '1:first', '-n', '2:0:0', '-t', '2:ef00']): Uint8Array {
  const path = sgdiskImage(dir, 'small-gpt.img', 1024 * 1024, args);
  run('sgdisk', ['-v', path]);
  return new Uint8Array(readFileSync(path));
}

/** Changes a header's fields through a DataView, then recomputes HeaderCRC32 over HeaderSize bytes. */
export function patchHeader(bytes: Uint8Array, offset: number, patch: (view: DataView) => void): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 512);
  patch(view);
  fixHeaderCrc(bytes, offset);
}

export function fixHeaderCrc(bytes: Uint8Array, offset: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 512);
  const headerSize = Math.min(view.getUint32(12, true), 512);
  view.setUint32(16, 0, true);
  view.setUint32(16, crc32(bytes.subarray(offset, offset + headerSize)), true);
}

/** Recomputes PartitionEntryArrayCRC32 of the header at `offset` from its entry array, then HeaderCRC32. */
export function fixEntriesCrc(bytes: Uint8Array, offset: number, sectorSize = 512): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 512);
  const entriesOffset = Number(view.getBigUint64(72, true)) * sectorSize;
  const length = view.getUint32(80, true) * view.getUint32(84, true);
  view.setUint32(88, crc32(bytes.subarray(entriesOffset, entriesOffset + length)), true);
  fixHeaderCrc(bytes, offset);
}
