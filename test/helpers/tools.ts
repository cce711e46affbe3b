import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Debian package that provides each oracle tool, for the skip message. */
const packageOf: Record<string, string> = {
  'qemu-img': 'qemu-utils',
  sgdisk: 'gdisk',
  sfdisk: 'fdisk',
  blkid: 'util-linux',
  'mkfs.vfat': 'dosfstools',
  'fsck.vfat': 'dosfstools',
  mdir: 'mtools',
  mcopy: 'mtools',
  mmd: 'mtools',
  mtype: 'mtools',
  xorriso: 'xorriso',
  'mkfs.ext4': 'e2fsprogs',
  'mkfs.xfs': 'xfsprogs',
  'mkfs.btrfs': 'btrfs-progs',
  'mkfs.ntfs': 'ntfs-3g',
  mkswap: 'util-linux',
  mksquashfs: 'squashfs-tools',
  cryptsetup: 'cryptsetup-bin',
  pvcreate: 'lvm2',
  'ssh-keygen': 'openssh-client',
  openssl: 'openssl',
  curl: 'curl',
  zstd: 'zstd',
  xz: 'xz-utils',
  gzip: 'gzip',
  bzip2: 'bzip2',
  'qemu-system-x86_64': 'qemu-system-x86',
  debootstrap: 'debootstrap',
  busybox: 'busybox-static',
  'grub-mkimage': 'grub-common',
  'dpkg-deb': 'dpkg',
  'apt-get': 'apt',
  ssh: 'openssh-client',
  partx: 'util-linux',
  losetup: 'mount',
  flock: 'util-linux',
  fstrim: 'util-linux',
  chromium: 'chromium',
};

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v "${name}"`], { stdio: 'ignore' }).status === 0;
}

/**
 * Returns the tools that are missing. Outside CI the test is skipped with the exact reason; under CI=true a
 * missing tool is a failure, because `.ci/run` must install every oracle.
 */
export function needTools(t: TestContext, ...names: string[]): boolean {
  const missing = names.filter((name) => !hasTool(name));
  if (missing.length === 0) return true;
  const reason = `missing ${missing.map((m) => `${m} (Debian package ${packageOf[m] ?? 'unknown'})`).join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`CI must install the test oracles: ${reason}`);
  t.skip(reason);
  return false;
}

/** Runs a command and returns its stdout; throws with stderr on a non-zero exit. */
export function run(command: string, args: readonly string[], options: { input?: string | Uint8Array; cwd?: string } = {}): string {
  return execFileSync(command, args, {
    encoding: 'utf8',
    input: options.input,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Runs a command and returns exit status, stdout and stderr without throwing. */
export function runStatus(command: string, args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A fresh temporary directory, removed when the test (or suite) ends. */
export function tempDir(t: { after: (fn: () => void) => void }, prefix = 'byoi-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
