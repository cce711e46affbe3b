// Images for the inspect tests, made with the real tools in a temporary directory, and the oracles' answers about
// them: `qemu-img info` (format, virtual size), `sfdisk --json` and `sgdisk -p` (partitions), `blkid -p` (the
// filesystem in each partition), `mdir` (the ESP's loaders). Used by the unit tests of inspectImage() and by the
// integration tests that run `byoi inspect --json` as a process. Every image is small and sparse.
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool, run, runStatus } from '../../../helpers/tools.ts';
import { makeCompressedRaws, makeQemuContainers } from '../../../fixtures/container-fixtures.ts';
import { runLuksCreate, type QemuImgInfo } from '../../../fixtures/qcow2-fixtures.ts';
import { blkidProbe } from '../filesystem/_blkid.ts';
import { mdirPaths, mkdirs, putFile, someBytes } from '../fat/_fat-fixtures.ts';
import { nodeNumber, sfdiskJson, sgdiskPrint, type SfdiskTable } from '../partition-table/_fixtures.ts';
import type { ImageFormat, InspectResult } from '../../../../src/image/inspect-result.ts';

export const MiB = 1024 * 1024;

/** Tools the full set needs; a test that lacks one is skipped (or fails under CI), see needTools(). */
export const INSPECT_TOOLS = ['qemu-img', 'sfdisk', 'sgdisk', 'blkid', 'mkfs.vfat', 'mkfs.ext4', 'mdir', 'mmd', 'mcopy'];

export interface InspectFixture {
  /** What the image shows, for test names. */
  name: string;
  path: string;
  /** byoi's format name (qemu-img says raw for whole-file compressions). */
  format: ImageFormat;
  /**
   * A raw file holding the same guest disk, for the partition, filesystem and ESP oracles; null when byoi cannot
   * read the guest (a container, a compressed file, a qcow2 with a backing file or encryption).
   */
  guestRaw: string | null;
  /** sfdisk's answer for the guest when it needs a loop device (4096-byte sectors); else asked from guestRaw. */
  sfdisk?: SfdiskTable;
  /** Offset of the ESP's FAT in guestRaw, for mdir. */
  espOffset?: number;
  /** Codes inspect reports with no expectation given. */
  problems: string[];
}

// mtools checks the geometry of an image against floppies it knows; images made by mkfs.vfat need not match.
process.env.MTOOLS_SKIP_CHECK = '1';

const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const BIOS_BOOT_TYPE = '21686148-6449-6E6F-744E-656564454649';
const LINUX_TYPE = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';

/** Boot code that is not zeros, where GRUB's boot.img would be (detectLegacyBoot() only looks for code). */
function bootCode(): Uint8Array {
  const code = new Uint8Array(440);
  code.set([0xeb, 0x63, 0x90, 0xfa, 0x31, 0xc0, 0x8e, 0xd8]);
  return code;
}

export function patch(path: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/** The ext4 mkfs writes at `offset` bytes of `path`, `bytes` long. */
function mkfsExt4At(path: string, offset: number, bytes: number, label: string): void {
  run('mkfs.ext4', ['-q', '-F', '-L', label, '-E', `offset=${offset}`, path, `${bytes / 1024}k`]);
}

/**
 * A 96 MiB GPT disk like a cloud image's: an ESP (FAT32, a Debian-like set of loaders, one long name), a BIOS
 * boot partition holding data, an ext4 root labelled "rootfs", and boot code in the protective MBR.
 */
export function makeGptEspDisk(dir: string, name = 'gpt-esp.raw'): { path: string; espOffset: number } {
  const path = join(dir, name);
  run('truncate', ['-s', String(96 * MiB), path]);
  const script = [
    'label: gpt',
    `start=2048, size=69632, type=${ESP_TYPE}, name="EFI System"`,
    `size=2048, type=${BIOS_BOOT_TYPE}, name=bios`,
    `type=${LINUX_TYPE}, name=root`,
    '',
  ].join('\n');
  run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', path], { input: script });
  const table = sfdiskJson(path);
  const [esp, bios, root] = table.partitions;
  assert.ok(esp !== undefined && bios !== undefined && root !== undefined);
  run('mkfs.vfat', ['-F', '32', '-n', 'ESP', '--offset', String(esp.start), path, String((esp.size * 512) / 1024)]);
  const espOffset = esp.start * 512;
  mkdirs(path, ['\\EFI', '\\EFI\\BOOT', '\\EFI\\debian', '\\EFI\\Linux'], espOffset);
  for (const file of ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\BOOT\\fbx64.efi', '\\EFI\\debian\\shimx64.efi', '\\EFI\\debian\\grubx64.efi', '\\EFI\\debian\\mmx64.efi', '\\EFI\\debian\\grub.cfg', '\\EFI\\Linux\\debian-6.1.0-unified-kernel-image.efi']) {
    putFile(path, file, someBytes(1500), dir, espOffset);
  }
  patch(path, bios.start * 512, someBytes(4096));
  mkfsExt4At(path, root.start * 512, root.size * 512, 'rootfs');
  patch(path, 0, bootCode());
  return { path, espOffset };
}

/** An MBR disk: a bootable ext4 primary, a swap-less extended partition with two logicals (one ext4), boot code. */
export function makeMbrLogicalDisk(dir: string): string {
  const path = join(dir, 'mbr-logical.raw');
  run('truncate', ['-s', String(64 * MiB), path]);
  run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', path], { input: 'label: dos\nlabel-id: 0x1badcafe\n,16MiB,83,*\n,,E\n,8MiB,83\n,,8e\n' });
  const table = sfdiskJson(path);
  const first = table.partitions.find((p) => nodeNumber(p.node) === 1);
  const logical = table.partitions.find((p) => nodeNumber(p.node) === 5);
  assert.ok(first !== undefined && logical !== undefined);
  mkfsExt4At(path, first.start * 512, first.size * 512, 'boot');
  mkfsExt4At(path, logical.start * 512, logical.size * 512, 'data');
  patch(path, 0, bootCode());
  return path;
}

/** A raw ext4 filesystem without a partition table: the seed's "It seems to contain: ext4" case. */
export function makeRawExt4(dir: string): string {
  const path = join(dir, 'rootfs-only.raw');
  run('truncate', ['-s', String(16 * MiB), path]);
  run('mkfs.ext4', ['-q', '-F', '-L', 'cloudimg-rootfs', path]);
  return path;
}

/**
 * A GPT disk with 4096-byte sectors, made through a loop device with 4096-byte logical sectors (sfdisk takes its
 * sector size from the device), with an ext4 in its second partition. Null when loop devices are not available.
 */
export function makeGpt4kDisk(dir: string): { path: string; sfdisk: SfdiskTable } | null {
  const path = join(dir, 'gpt-4k.raw');
  run('truncate', ['-s', String(64 * MiB), path]);
  const attach = runStatus('losetup', ['--find', '--show', '--sector-size', '4096', path]);
  if (attach.status !== 0) return null;
  const device = attach.stdout.trim();
  let table: SfdiskTable;
  try {
    run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', device], { input: `label: gpt\n,8MiB,${ESP_TYPE}\n,,${LINUX_TYPE}\n` });
    table = sfdiskJson(device);
  } finally {
    run('losetup', ['-d', device]);
  }
  const root = table.partitions[1];
  assert.ok(root !== undefined);
  mkfsExt4At(path, root.start * 4096, root.size * 4096, 'root4k');
  return { path, sfdisk: table };
}

let made: { dir: string; fixtures: InspectFixture[] } | null = null;

/**
 * Every fixture, made once per process in `dir`: raw disks (GPT 512 and 4096, MBR with logicals, ext4 without a
 * table), the GPT disk in qcow2 of every kind qemu-img makes (v2, v3, compressed with deflate and zstd, extended
 * L2, clusters of 512 B and 2 MiB, a backing file, LUKS encryption), every other container format qemu-img
 * creates, and whole-file compressions.
 */
export function makeInspectFixtures(dir: string): InspectFixture[] {
  if (made !== null && made.dir === dir) return made.fixtures;
  const fixtures: InspectFixture[] = [];
  const gpt = makeGptEspDisk(dir);
  fixtures.push({ name: 'raw GPT disk (512-byte sectors) with an ESP', path: gpt.path, format: 'raw', guestRaw: gpt.path, espOffset: gpt.espOffset, problems: [] });

  const qcow2 = (name: string, options: string, compress = false): void => {
    const path = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.qcow2`);
    const args = ['convert', '-O', 'qcow2'];
    if (options !== '') args.push('-o', options);
    if (compress) args.push('-c');
    run('qemu-img', [...args, gpt.path, path]);
    fixtures.push({ name: `qcow2 ${name} holding the GPT disk`, path, format: 'qcow2', guestRaw: gpt.path, espOffset: gpt.espOffset, problems: [] });
  };
  qcow2('v3', '');
  qcow2('v2 (compat=0.10)', 'compat=0.10');
  qcow2('compressed deflate', '', true);
  qcow2('compressed zstd', 'compression_type=zstd', true);
  qcow2('extended L2', 'extended_l2=on,cluster_size=128k');
  qcow2('512-byte clusters', 'cluster_size=512');
  qcow2('2 MiB clusters', 'cluster_size=2M');

  const base = join(dir, 'base.qcow2');
  run('qemu-img', ['convert', '-O', 'qcow2', gpt.path, base]);
  const overlay = join(dir, 'overlay.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', overlay]);
  fixtures.push({ name: 'qcow2 with a backing file', path: overlay, format: 'qcow2', guestRaw: null, problems: ['BYOI_IMAGE_UNSUPPORTED_FEATURE'] });
  const encrypted = join(dir, 'encrypted.qcow2');
  runLuksCreate(['create', '-q', '-f', 'qcow2', '--object', 'secret,id=s0,data=x', '-o', 'encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10', encrypted, String(16 * MiB)]);
  fixtures.push({ name: 'qcow2 with LUKS encryption', path: encrypted, format: 'qcow2', guestRaw: null, problems: ['BYOI_IMAGE_UNSUPPORTED_FEATURE'] });

  const mbr = makeMbrLogicalDisk(dir);
  fixtures.push({ name: 'raw MBR disk with logical partitions', path: mbr, format: 'raw', guestRaw: mbr, problems: [] });
  const mbrQcow2 = join(dir, 'mbr-logical.qcow2');
  run('qemu-img', ['convert', '-O', 'qcow2', mbr, mbrQcow2]);
  fixtures.push({ name: 'qcow2 holding the MBR disk', path: mbrQcow2, format: 'qcow2', guestRaw: mbr, problems: [] });

  const ext4 = makeRawExt4(dir);
  fixtures.push({ name: 'raw ext4 without a partition table', path: ext4, format: 'raw', guestRaw: ext4, problems: ['BYOI_IMAGE_NO_PARTITION_TABLE'] });

  const gpt4k = hasTool('losetup') ? makeGpt4kDisk(dir) : null;
  if (gpt4k !== null) {
    fixtures.push({ name: 'raw GPT disk with 4096-byte sectors', path: gpt4k.path, format: 'raw', guestRaw: gpt4k.path, sfdisk: gpt4k.sfdisk, problems: [] });
    const qcow4k = join(dir, 'gpt-4k.qcow2');
    run('qemu-img', ['convert', '-O', 'qcow2', gpt4k.path, qcow4k]);
    fixtures.push({ name: 'qcow2 holding the 4096-byte GPT disk', path: qcow4k, format: 'qcow2', guestRaw: gpt4k.path, sfdisk: gpt4k.sfdisk, problems: [] });
  }

  for (const container of makeQemuContainers(dir)) {
    const qemuFormat = (JSON.parse(run('qemu-img', ['info', '--output=json', container.path])) as QemuImgInfo).format;
    // qemu-img's own qcow2 fixtures are empty disks: no partition table, like the raw files qemu-img probes.
    const format = qemuFormat as ImageFormat;
    const problems = format === 'qcow2' ? ['BYOI_IMAGE_NO_PARTITION_TABLE'] : format === 'raw' ? ['BYOI_IMAGE_NO_PARTITION_TABLE'] : ['BYOI_IMAGE_FORMAT_MISMATCH'];
    fixtures.push({ name: `container: ${container.name}`, path: container.path, format, guestRaw: null, problems });
  }
  for (const compressed of makeCompressedRaws(dir)) {
    fixtures.push({ name: `${compressed.format}-compressed raw`, path: compressed.path, format: compressed.format, guestRaw: null, problems: ['BYOI_IMAGE_FORMAT_MISMATCH'] });
  }
  made = { dir, fixtures };
  return fixtures;
}

/** The same bytes in a new file (tests that patch an image must not spoil the shared one). */
export function copyImage(path: string, dir: string, name: string): string {
  const copy = join(dir, name);
  copyFileSync(path, copy);
  return copy;
}

/** `qemu-img info --output=json` of a file, probing its format as byoi does. */
export function qemuInfo(path: string): QemuImgInfo {
  return JSON.parse(run('qemu-img', ['info', '--output=json', path])) as QemuImgInfo;
}

const compressions = new Set(['gzip', 'xz', 'zstd', 'bzip2']);

/**
 * Asserts that an inspection (from inspectImage() or `byoi inspect --json`) agrees with every oracle that applies
 * to the fixture: qemu-img info for the format and virtual size; sfdisk --json (and sgdisk -p for GPT on
 * 512-byte sectors) for the partitions; blkid -p for each partition's filesystem, label and UUID (or the whole
 * disk's, without a table); mdir for the .efi files of the ESP.
 */
export function assertAgreesWithOracles(result: Pick<InspectResult, 'format' | 'virtualSize' | 'partitionTable' | 'contents' | 'boot' | 'problems' | 'fileSize'>, fixture: InspectFixture): void {
  const info = qemuInfo(fixture.path);
  // qemu-img reads whole-file compressions as raw, and so does its virtual size.
  assert.equal(result.format, fixture.format, `${fixture.name}: format`);
  assert.equal(compressions.has(result.format) ? 'raw' : result.format, info.format, `${fixture.name}: format against qemu-img`);
  assert.equal(result.virtualSize, info['virtual-size'], `${fixture.name}: virtual size against qemu-img`);
  assert.deepEqual(result.problems.map((p) => p.code), fixture.problems, `${fixture.name}: problems ${JSON.stringify(result.problems)}`);

  if (fixture.guestRaw === null) {
    assert.equal(result.partitionTable, null, `${fixture.name}: no guest, no table`);
    return;
  }
  const sfdiskResult = fixture.sfdisk !== undefined ? { status: 0 } : runStatus('sfdisk', ['--json', fixture.guestRaw]);
  if (sfdiskResult.status !== 0) {
    assert.equal(result.partitionTable, null, `${fixture.name}: sfdisk finds no table`);
    const whole = blkidProbe(fixture.guestRaw);
    assert.ok(whole !== null && result.contents !== null && result.contents.includes(whole.type), `${fixture.name}: contents ${result.contents}`);
    return;
  }
  const oracle = fixture.sfdisk ?? sfdiskJson(fixture.guestRaw);
  const table = result.partitionTable;
  assert.ok(table !== null, `${fixture.name}: a partition table`);
  const sector = oracle.sectorsize ?? 512;
  assert.equal(table.type, oracle.label === 'dos' ? 'mbr' : 'gpt');
  assert.equal(table.sectorSize, sector);
  assert.equal(table.type === 'mbr' ? `0x${table.id}` : table.id, oracle.id);
  assert.deepEqual(
    table.partitions.map((p) => ({ number: p.number, start: p.start, size: p.size, type: table.type === 'mbr' ? Number.parseInt(p.type, 16) : p.type, name: p.name ?? undefined })),
    oracle.partitions.map((p) => ({
      number: nodeNumber(p.node),
      start: p.start * sector,
      size: p.size * sector,
      type: oracle.label === 'dos' ? Number.parseInt(p.type, 16) : p.type,
      name: oracle.label === 'dos' ? undefined : (p.name ?? ''),
    })),
    `${fixture.name}: partitions against sfdisk --json`,
  );
  if (table.type === 'gpt' && sector === 512) {
    const print = sgdiskPrint(fixture.guestRaw);
    assert.equal(table.id, print.diskGuid);
    assert.deepEqual(
      table.partitions.map((p) => [p.number, p.start / 512, (p.start + p.size) / 512 - 1, p.name]),
      print.partitions.map((p) => [p.number, p.start, p.end, p.name]),
      `${fixture.name}: partitions against sgdisk -p`,
    );
  }
  for (const partition of table.partitions) {
    if (table.type === 'mbr' && ['05', '0f', '85'].includes(partition.type)) continue;
    const found = blkidProbe(fixture.guestRaw, { offset: partition.start, size: partition.size });
    assert.deepEqual(
      { type: partition.filesystem, label: partition.label, uuid: partition.uuid },
      { type: found?.type ?? null, label: found?.label ?? null, uuid: found?.uuid ?? null },
      `${fixture.name}: partition ${partition.number} against blkid -p`,
    );
  }
  if (fixture.espOffset !== undefined) {
    const loaders = mdirPaths(fixture.guestRaw, fixture.espOffset).filter((path) => /^\\EFI\\.*\.efi$/i.test(path));
    assert.deepEqual([...result.boot.efiBootloaderPaths].sort(), loaders, `${fixture.name}: ESP loaders against mdir`);
    assert.equal(result.boot.suggestedEfiBootloaderPath, '\\EFI\\debian\\shimx64.efi');
  }
}

/** Reads a file's bytes (fixtures are a few MiB at most). */
export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Writes bytes to a new file in `dir`. */
export function writeImage(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}
