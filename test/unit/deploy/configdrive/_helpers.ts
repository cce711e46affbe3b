import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { FilesystemImage } from '../../../../src/deploy/configdrive/filesystem-image.ts';

/** Writes an image as a sparse file of exactly `sizeBytes` (holes read as zeros, as the contract wants). */
export function writeImageFile(path: string, image: FilesystemImage): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, image.sizeBytes);
    for (const extent of image.extents) {
      let done = 0;
      while (done < extent.bytes.length) done += writeSync(fd, extent.bytes, done, extent.bytes.length - done, extent.offset + done);
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs an mtools command with a UTF-8 locale (mtools converts long names to the locale's charset) and returns raw stdout. */
export function mtools(command: string, args: readonly string[]): Buffer {
  return execFileSync(command, args, {
    env: { ...process.env, LC_ALL: 'C.UTF-8', MTOOLS_SKIP_CHECK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** `mdir -/ -b`: every path in the volume, directories with a trailing "/", as mtools reads the long names. */
export function listFat(image: string): string[] {
  return mtools('mdir', ['-/', '-b', '-i', image, '::'])
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^::\//, ''))
    .sort();
}

/** A key/value map of `blkid -p -o export` output. */
export function parseBlkid(output: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 1).replace(/\\(.)/g, '$1');
  }
  return fields;
}

/** Deterministic pseudo-random bytes (xorshift32), so big test files cost no generator time. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/**
 * Lines `fsck.vfat -n -v` prints about a sound volume. fsck.vfat -n exits 0 even when it finds problems
 * ("Wrong checksum for long file name", "FATs differ"), so anything else it prints is a failure.
 */
const fsckSummaryLines: readonly RegExp[] = [
  /^fsck\.fat \d/,
  /^Checking we can access the last sector of the filesystem$/,
  /^Boot sector contents:$/,
  /^System ID "MSWIN4\.1"$/,
  /^Media byte 0xf8 \(hard disk\)$/,
  /^\s*\d+ bytes per (logical sector|cluster)$/,
  /^\s*\d+ reserved sectors?$/,
  /^First FAT starts at byte \d+ \(sector \d+\)$/,
  /^\s*2 FATs, (12|16|32) bit entries$/,
  /^\s*\d+ bytes per FAT \(= \d+ sectors\)$/,
  /^Root directory starts? at (byte \d+ \(sector \d+\)|cluster 2 \(arbitrary size\))$/,
  /^\s*\d+ root directory entries$/,
  /^Data area starts at byte \d+ \(sector \d+\)$/,
  /^\s*\d+ data clusters \(\d+ bytes\)$/,
  /^\d+ sectors\/track, \d+ heads$/,
  /^\s*\d+ hidden sectors$/,
  /^\s*\d+ sectors total$/,
  /^Checking for unused clusters\.$/,
  /^Checking free cluster summary\.$/,
  /^Starting (check\/repair|verification) pass\.$/,
  /: \d+ files, \d+\/\d+ clusters$/,
];

/** Runs `fsck.vfat -n -v` and returns the lines that are not part of a clean report (empty when clean). */
export function fsckProblems(image: string): string[] {
  const result = spawnSync('fsck.vfat', ['-n', '-v', image], { encoding: 'utf8' });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  const problems = lines.filter((line) => !fsckSummaryLines.some((pattern) => pattern.test(line)));
  if (result.status !== 0) problems.unshift(`exit status ${result.status}`);
  return problems;
}

export interface PathTableRecord {
  identifier: string;
  parent: number;
  extent: number;
}

/**
 * Reads the Type L and Type M path tables of the volume descriptor at `block` of an ISO image, checks they
 * agree, and that each directory's extent starts with its own "." record; returns the records in table order
 * (identifiers decoded as UTF-16BE for Joliet, latin1 otherwise; the root is "\0").
 */
export function readPathTable(iso: Uint8Array, block: number, joliet: boolean): PathTableRecord[] {
  const view = new DataView(iso.buffer, iso.byteOffset, iso.byteLength);
  const descriptor = block * 2048;
  const size = view.getUint32(descriptor + 132, true);
  const decode = (offset: number, bigEndian: boolean): PathTableRecord[] => {
    const records: PathTableRecord[] = [];
    for (let at = offset; at < offset + size; ) {
      const length = view.getUint8(at);
      const raw = iso.subarray(at + 8, at + 8 + length);
      const identifier = joliet && length > 1 ? Buffer.from(raw).swap16().toString('utf16le') : Buffer.from(raw).toString('latin1');
      records.push({ identifier, extent: view.getUint32(at + 2, !bigEndian), parent: view.getUint16(at + 6, !bigEndian) });
      at += 8 + length + (length % 2);
    }
    return records;
  };
  const typeL = decode(view.getUint32(descriptor + 140, true) * 2048, false);
  const typeM = decode(view.getUint32(descriptor + 148, false) * 2048, true);
  if (JSON.stringify(typeL) !== JSON.stringify(typeM)) throw new Error('Type L and Type M path tables differ');
  for (const record of typeL) {
    const dot = record.extent * 2048;
    if (view.getUint8(dot + 32) !== 1 || view.getUint8(dot + 33) !== 0 || view.getUint32(dot + 2, true) !== record.extent) {
      throw new Error(`Path table entry "${record.identifier}" does not point at its directory's "." record`);
    }
  }
  return typeL;
}
