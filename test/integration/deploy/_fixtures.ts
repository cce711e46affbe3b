// Fixtures for the deploy tests, made with the real tools (sgdisk, sfdisk, mkfs.vfat, mtools), and the oracles
// that judge a deployed disk (sgdisk -v, sfdisk --verify, blkid -p, mtype, Buffer compare per region).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pseudoRandomBytes } from '../../helpers/misbehaving-http-server.ts';
import { run, runStatus } from '../../helpers/tools.ts';

export const MiB = 1024 * 1024;

/** The tools every deploy test needs. */
export const deployTools = ['sgdisk', 'sfdisk', 'blkid', 'mtype', 'mkfs.vfat', 'mmd', 'mcopy'] as const;

export interface RawFixture {
  path: string;
  size: number;
  table: 'gpt' | 'mbr';
  /** The ESP's loader paths as written (backslash form), when the fixture has an ESP. */
  loaders: string[];
}

/** Writes pseudo-random bytes at `offset` of a file without truncating it. */
export function writeAt(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Reads [offset, offset+length) of a file. */
export function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const out = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * A raw GPT image (512-byte sectors) of `sizeMiB`: partition 1 a 16 MiB ESP (FAT16 with \EFI\debian\grubx64.efi and
 * \EFI\BOOT\BOOTX64.EFI when `esp`), partition 2 Linux data to the end, random data near both ends and in the
 * middle (so the tail holdback and zero skipping both matter), zero runs in between.
 */
export function makeRawGpt(dir: string, options: { sizeMiB: number; esp?: boolean; name?: string }): RawFixture {
  const path = join(dir, options.name ?? 'gpt.raw');
  const size = options.sizeMiB * MiB;
  writeFileSync(path, '');
  run('truncate', ['-s', String(size), path]);
  const loaders: string[] = [];
  if (options.esp === true) {
    run('sgdisk', ['-n', '1:2048:+16M', '-t', '1:ef00', '-c', '1:EFI', '-n', '2:0:0', '-t', '2:8300', '-c', '2:root', path]);
    run('mkfs.vfat', ['-F', '16', '-n', 'ESP', '--offset', '2048', path, String(16 * 1024)]);
    const target = `${path}@@${MiB}`;
    run('mmd', ['-i', target, '::EFI', '::EFI/debian', '::EFI/BOOT']);
    const loader = join(dir, 'grubx64.efi');
    writeFileSync(loader, Buffer.concat([Buffer.from('MZ'), pseudoRandomBytes(70_000, 7)]));
    run('mcopy', ['-i', target, loader, '::EFI/debian/grubx64.efi']);
    run('mcopy', ['-i', target, loader, '::EFI/BOOT/BOOTX64.EFI']);
    loaders.push('\\EFI\\debian\\grubx64.efi', '\\EFI\\BOOT\\BOOTX64.EFI');
  } else {
    run('sgdisk', ['-n', '1:2048:0', '-t', '1:8300', '-c', '1:root', path]);
  }
  const dataStart = options.esp === true ? 18 * MiB : 2 * MiB;
  writeAt(path, dataStart, pseudoRandomBytes(3 * MiB + 123, 11));
  writeAt(path, Math.floor(size / 2 / MiB) * MiB + 4096, pseudoRandomBytes(MiB, 12));
  // Data just before the backup GPT (the last 33 sectors): inside the image's held-back last MiB.
  writeAt(path, size - MiB - 64 * 1024, pseudoRandomBytes(MiB + 64 * 1024 - 34 * 512, 13));
  return { path, size, table: 'gpt', loaders };
}

/** A raw MBR image: one Linux primary from 1 MiB to the end, random data at both ends. */
export function makeRawMbr(dir: string, options: { sizeMiB: number; name?: string }): RawFixture {
  const path = join(dir, options.name ?? 'mbr.raw');
  const size = options.sizeMiB * MiB;
  writeFileSync(path, '');
  run('truncate', ['-s', String(size), path]);
  run('sfdisk', ['--quiet', path], { input: 'label: dos\nstart=2048, type=83, bootable\n' });
  writeAt(path, 2 * MiB, pseudoRandomBytes(2 * MiB, 21));
  writeAt(path, size - 512 * 1024, pseudoRandomBytes(512 * 1024, 22));
  return { path, size, table: 'mbr', loaders: [] };
}

/** An empty (sparse) file disk of `sizeMiB`, filled with a recognisable pattern at both ends (an "old install"). */
export function makeFileDisk(dir: string, sizeMiB: number, name = 'disk.img'): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  run('truncate', ['-s', String(sizeMiB * MiB), path]);
  writeAt(path, 0, Buffer.alloc(MiB, 0x5a));
  writeAt(path, sizeMiB * MiB - MiB, Buffer.alloc(MiB, 0x5a));
  return path;
}

/** The ranges of the image region that the gpt and config-drive phases legitimately change. */
export function changedRanges(fixture: RawFixture): { start: number; end: number }[] {
  if (fixture.table === 'gpt') {
    // Protective MBR's partition entry (LBA 0 from byte 446), primary header and entries (LBA 1..33), and the old
    // backup entries and header (the image's last 33 sectors).
    return [
      { start: 446, end: 34 * 512 },
      { start: fixture.size - 33 * 512, end: fixture.size },
    ];
  }
  // The MBR's partition table (a new primary entry).
  return [{ start: 446, end: 512 }];
}

/**
 * Asserts that the disk's image region equals `expected` (the image as qemu-img would convert it, or the raw image)
 * outside `skip`, comparing chunk by chunk so that a multi-GiB image is never in memory.
 */
export function assertImageRegionEqual(diskPath: string, expectedPath: string, size: number, skip: readonly { start: number; end: number }[]): void {
  const chunk = 8 * MiB;
  for (let at = 0; at < size; at += chunk) {
    const length = Math.min(chunk, size - at);
    const got = readAt(diskPath, at, length);
    const want = readAt(expectedPath, at, length);
    for (const range of skip) {
      const from = Math.max(range.start, at) - at;
      const to = Math.min(range.end, at + length) - at;
      if (to > from) {
        got.fill(0, from, to);
        want.fill(0, from, to);
      }
    }
    if (!got.equals(want)) {
      let first = 0;
      while (got[first] === want[first]) first += 1;
      assert.fail(`the disk differs from the image at byte ${at + first}`);
    }
  }
}

/** `sgdisk -v` (GPT) or `sfdisk --verify` (MBR) finds no problem. */
export function assertTableValid(diskPath: string, table: 'gpt' | 'mbr'): void {
  if (table === 'gpt') {
    const out = run('sgdisk', ['-v', diskPath]);
    assert.match(out, /No problems found/, out);
  } else {
    const result = runStatus('sfdisk', ['--verify', diskPath]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  }
}

/** Asserts that neither sgdisk nor sfdisk finds any partition table on the disk. */
export function assertNoPartitionTable(diskPath: string): void {
  const sfdisk = runStatus('sfdisk', ['--dump', diskPath]);
  assert.notEqual(sfdisk.status, 0, `sfdisk found a table:\n${sfdisk.stdout}`);
  const sgdisk = runStatus('sgdisk', ['-p', diskPath]);
  assert.doesNotMatch(sgdisk.stdout, /^\s+1\s+\d+/m, `sgdisk found partitions:\n${sgdisk.stdout}`);
  const blkid = runStatus('blkid', ['-p', diskPath]);
  assert.doesNotMatch(blkid.stdout, /PTTYPE=/, `blkid found a table: ${blkid.stdout}`);
}

/** blkid's low-level probe of [start, start+size): LABEL and TYPE. */
export function probeFilesystem(diskPath: string, start: number, size: number): Record<string, string> {
  const out = run('blkid', ['-p', '-o', 'export', '-O', String(start), '-S', String(size), diskPath]);
  const tags: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) tags[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return tags;
}

/** The bytes of a file of the vfat config drive, exactly as mtype prints them. */
export function readConfigDriveFile(diskPath: string, start: number, path: string): Buffer {
  return execFileSync('mtype', ['-i', `${diskPath}@@${start}`, `::${path}`], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MiB });
}

/** Allocated bytes of a (sparse) file. */
export function allocatedBytes(path: string): number {
  return statSync(path).blocks * 512;
}

/** sha256 of a file, with openssl (an independent oracle of the digest). */
export function sha256File(path: string): string {
  return (run('openssl', ['dgst', '-sha256', '-r', path]).split(' ')[0] ?? '').trim();
}
