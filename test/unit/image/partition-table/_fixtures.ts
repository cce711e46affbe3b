// Fixture helpers for the partition-table tests (image readers and deploy editors). Every fixture is a sparse
// file made by the real tool in a temporary directory; `sfdisk --json`, `sgdisk -p`, `sgdisk -v` and
// `fdisk -l -t dos` are the oracles.
import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openDisk } from '../../../../src/deploy/disk/open-disk.ts';
import type { DiskIO } from '../../../../src/deploy/disk/disk-io.ts';
import { run, runStatus } from '../../../helpers/tools.ts';

export const MiB = 1024 * 1024;

/** A sparse file of `size` bytes. */
export function sparseFile(dir: string, name: string, size: number): string {
  const path = join(dir, name);
  run('truncate', ['-s', String(size), path]);
  return path;
}

// sgdisk sleeps a second after every write; an image made once per process is copied for the next test that
// asks for the same one.
const templates = new Map<string, string>();
let templateDir: string | null = null;

function fromTemplate(key: string, dir: string, name: string, make: (path: string) => void): string {
  let template = templates.get(key);
  if (template === undefined) {
    if (templateDir === null) {
      const made = mkdtempSync(join(tmpdir(), 'byoi-fixtures-'));
      templateDir = made;
      process.on('exit', () => rmSync(made, { recursive: true, force: true }));
    }
    template = join(templateDir, `${templates.size}.img`);
    make(template);
    templates.set(key, template);
  }
  const path = join(dir, name);
  run('cp', ['--sparse=always', template, path]);
  return path;
}

/** Runs sgdisk with `args` on a new sparse file. */
export function sgdiskImage(dir: string, name: string, size: number, args: readonly string[]): string {
  return fromTemplate(JSON.stringify(['sgdisk', size, args]), dir, name, (path) => {
    run('truncate', ['-s', String(size), path]);
    run('sgdisk', [...args, path]);
  });
}

/** Runs an sfdisk script on a new sparse file. */
export function sfdiskImage(dir: string, name: string, size: number, script: string): string {
  return fromTemplate(JSON.stringify(['sfdisk', size, script]), dir, name, (path) => {
    run('truncate', ['-s', String(size), path]);
    run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', path], { input: script });
  });
}

export interface SfdiskPartition {
  node: string;
  start: number;
  size: number;
  type: string;
  uuid?: string;
  name?: string;
  attrs?: string;
  bootable?: boolean;
}
export interface SfdiskTable {
  label: 'gpt' | 'dos';
  id: string;
  firstlba?: number;
  lastlba?: number;
  sectorsize?: number;
  partitions: SfdiskPartition[];
}

/** `sfdisk --json` of a file or device. */
export function sfdiskJson(path: string): SfdiskTable {
  return (JSON.parse(run('sfdisk', ['--json', path])) as { partitiontable: SfdiskTable }).partitiontable;
}

/** The partition number at the end of an sfdisk node name ("disk.img5" → 5, "/dev/loop0p2" → 2). */
export function nodeNumber(node: string): number {
  return Number(/(\d+)$/.exec(node)?.[1]);
}

/** `sgdisk -v` output; "No problems found" means the GPT is sound. */
export function sgdiskVerify(path: string): string {
  const result = runStatus('sgdisk', ['-v', path]);
  return result.stdout + result.stderr;
}

/** `sfdisk --verify` output (stdout and stderr: the complaints go to both). */
export function sfdiskVerify(path: string): string {
  const result = runStatus('sfdisk', ['--verify', path]);
  return result.stdout + result.stderr;
}

/** A file opened as a DiskIO, closed when the test ends. */
export async function fileDisk(t: TestContext, path: string, sectorSize = 512, readOnly = false): Promise<DiskIO> {
  const disk = await openDisk(path, { fileSectorSize: sectorSize, readOnly });
  t.after(() => disk.close());
  return disk;
}

/**
 * Attaches `file` to a loop device with 4096-byte logical sectors, runs `action` on the device, detaches it.
 * Returns false (and skips the test with the reason) when loop devices with 4096-byte sectors are not available.
 */
export function withLoop4k(t: TestContext, file: string, action: (device: string) => void): boolean {
  const attach = runStatus('losetup', ['--find', '--show', '--sector-size', '4096', file]);
  if (attach.status !== 0) {
    t.skip(`no loop device with 4096-byte sectors: ${attach.stderr.trim()}`);
    return false;
  }
  const device = attach.stdout.trim();
  try {
    action(device);
  } finally {
    runStatus('losetup', ['-d', device]);
  }
  return true;
}

/** Reads `length` bytes at `offset` of a file. */
export function readBytes(path: string, offset: number, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

/** Writes bytes at `offset` of a file. */
export function writeBytes(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Changes a file's size (sparse when growing). */
export function resize(path: string, size: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** Parsed `sgdisk -p`: the header facts and one row per partition. */
export interface SgdiskPrint {
  diskGuid: string;
  firstUsable: number;
  lastUsable: number;
  partitions: { number: number; start: number; end: number; code: string; name: string }[];
}

export function sgdiskPrint(path: string): SgdiskPrint {
  const text = run('sgdisk', ['-p', path]);
  const usable = /First usable sector is (\d+), last usable sector is (\d+)/.exec(text);
  const partitions: SgdiskPrint['partitions'] = [];
  for (const line of text.split('\n')) {
    const row = /^\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+ \S+\s+([0-9A-F]{4})\s{2}(.*)$/.exec(line);
    if (row) partitions.push({ number: Number(row[1]), start: Number(row[2]), end: Number(row[3]), code: row[4] as string, name: (row[5] as string).trimEnd() });
  }
  return {
    diskGuid: /Disk identifier \(GUID\): (\S+)/.exec(text)?.[1] ?? '',
    firstUsable: Number(usable?.[1]),
    lastUsable: Number(usable?.[2]),
    partitions,
  };
}

/** Parsed `fdisk -l -t dos`: the MBR's own view of a disk (the hybrid MBR of a GPT disk, say). */
export function fdiskDosPrint(path: string): { number: number; boot: boolean; start: number; sectors: number; id: number }[] {
  const text = run('fdisk', ['-l', '-t', 'dos', path]);
  const rows: { number: number; boot: boolean; start: number; sectors: number; id: number }[] = [];
  for (const line of text.split('\n')) {
    const row = /^\S*?(\d+)\s+(\*?)\s*(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+([0-9a-f]{1,2})\s/.exec(line);
    if (row) rows.push({ number: Number(row[1]), boot: row[2] === '*', start: Number(row[3]), sectors: Number(row[5]), id: Number.parseInt(row[6] as string, 16) });
  }
  return rows;
}
