import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { needTools, run, runStatus, tempDir } from '../../../helpers/tools.ts';
import { bufferReadAt } from '../../../../src/image/read-at.ts';
import { detectFilesystem } from '../../../../src/image/filesystem/detect-filesystem.ts';
import { blkidProbe } from './_blkid.ts';

/** Makes an image with `build`, then checks detectFilesystem() says what blkid says, and that it found something. */
async function compareWithBlkid(t: TestContext, tools: string[], build: (dir: string) => string, expectedType: string): Promise<void> {
  if (!needTools(t, 'blkid', ...tools)) return;
  const image = build(tempDir(t));
  const bytes = new Uint8Array(readFileSync(image));
  const found = await detectFilesystem(bufferReadAt(bytes), 0, bytes.length);
  const oracle = blkidProbe(image);
  assert.equal(oracle?.type, expectedType, 'blkid sees the expected type');
  assert.deepEqual(found, oracle);
}

function sparse(dir: string, name: string, size: string): string {
  const path = join(dir, name);
  run('truncate', ['-s', size, path]);
  return path;
}

const extCases = [
  { tool: 'mkfs.ext2', extra: [], type: 'ext2' },
  { tool: 'mkfs.ext3', extra: [], type: 'ext3' },
  { tool: 'mkfs.ext4', extra: [], type: 'ext4' },
  { tool: 'mkfs.ext4', extra: ['-O', '^has_journal'], type: 'ext4' },
];
for (const c of extCases) {
  test(`detectFilesystem() names ${c.tool} ${c.extra.join(' ')} like blkid`, (t) =>
    compareWithBlkid(t, [c.tool], (dir) => {
      const image = sparse(dir, 'ext.img', '8M');
      run(c.tool, ['-q', '-F', '-L', 'cloudimg-rootfs', ...c.extra, image]);
      return image;
    }, c.type));
}

test('detectFilesystem() names XFS like blkid', (t) =>
  compareWithBlkid(t, ['mkfs.xfs'], (dir) => {
    const image = sparse(dir, 'xfs.img', '300M');
    run('mkfs.xfs', ['-q', '-L', 'xfsroot', image]);
    return image;
  }, 'xfs'));

test('detectFilesystem() names Btrfs like blkid', (t) =>
  compareWithBlkid(t, ['mkfs.btrfs'], (dir) => {
    const image = sparse(dir, 'btrfs.img', '120M');
    run('mkfs.btrfs', ['-q', '-L', 'fedora', image]);
    return image;
  }, 'btrfs'));

const fatCases = [
  { bits: '12', size: '1M', label: ['-n', 'SMALL'] },
  { bits: '16', size: '64M', label: ['-n', 'config-2'] }, // the config drive's lower-case label
  { bits: '32', size: '40M', label: ['-n', 'EFI SYSTEM'] },
  { bits: '32', size: '40M', label: [] }, // "NO NAME": no LABEL
];
for (const c of fatCases) {
  test(`detectFilesystem() names FAT${c.bits} ${c.label[1] ?? 'without a label'} like blkid`, (t) =>
    compareWithBlkid(t, ['mkfs.vfat'], (dir) => {
      const image = sparse(dir, 'fat.img', c.size);
      run('mkfs.vfat', ['-F', c.bits, ...c.label, image]);
      return image;
    }, 'vfat'));
}

test('detectFilesystem() takes the FAT label from the root directory before the boot sector, like blkid', (t) =>
  compareWithBlkid(t, ['mkfs.vfat'], (dir) => {
    const image = sparse(dir, 'fat.img', '4M');
    run('mkfs.vfat', ['-n', 'BOOTSECTOR', image]);
    // Change only the root directory's volume-label entry; the boot sector keeps BOOTSECTOR.
    const bytes = readFileSync(image);
    const reserved = bytes.readUInt16LE(14);
    const fats = bytes[16] ?? 0;
    const fatSize = bytes.readUInt16LE(22);
    const root = (reserved + fats * fatSize) * 512;
    assert.equal(bytes.subarray(root, root + 11).toString('latin1'), 'BOOTSECTOR ');
    bytes.write('ROOTDIR    ', root, 'latin1');
    writeFileSync(image, bytes);
    return image;
  }, 'vfat'));

for (const label of ['Win Lab', null]) {
  test(`detectFilesystem() names NTFS ${label === null ? 'without a label' : 'with a label'} like blkid`, (t) =>
    compareWithBlkid(t, ['mkfs.ntfs'], (dir) => {
      const image = sparse(dir, 'ntfs.img', '8M');
      run('mkfs.ntfs', ['-q', '-F', '-f', ...(label === null ? [] : ['-L', label]), image]);
      return image;
    }, 'ntfs'));
}

for (const joliet of [false, true]) {
  test(`detectFilesystem() names ISO 9660 ${joliet ? 'with Joliet and El Torito' : ''} like blkid`, (t) =>
    compareWithBlkid(t, ['xorriso'], (dir) => {
      const root = join(dir, 'root');
      mkdirSync(root);
      writeFileSync(join(root, 'boot.img'), new Uint8Array(2048));
      writeFileSync(join(root, 'README'), 'hello\n');
      const image = join(dir, 'image.iso');
      const args = joliet ? ['-J', '-V', 'Mixed Case', '-b', 'boot.img', '-no-emul-boot'] : ['-V', 'DEBIAN'];
      run('xorriso', ['-as', 'mkisofs', ...args, '-o', image, root]);
      return image;
    }, 'iso9660'));
}

for (const version of ['luks1', 'luks2'] as const) {
  test(`detectFilesystem() names ${version} like blkid`, (t) =>
    compareWithBlkid(t, ['cryptsetup'], (dir) => {
      const image = sparse(dir, 'luks.img', '20M');
      const key = join(dir, 'key');
      writeFileSync(key, 'not a secret, only a test key');
      const label = version === 'luks2' ? ['--label', 'cryptroot'] : [];
      run('cryptsetup', ['luksFormat', '--batch-mode', '--type', version, '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file', key, ...label, image]);
      return image;
    }, 'crypto_LUKS'));
}

test('detectFilesystem() finds LUKS2 by its secondary header when the first is wiped, like blkid', (t) =>
  compareWithBlkid(t, ['cryptsetup'], (dir) => {
    const image = sparse(dir, 'luks.img', '20M');
    const key = join(dir, 'key');
    writeFileSync(key, 'key');
    run('cryptsetup', ['luksFormat', '--batch-mode', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file', key, '--label', 'second', image]);
    const bytes = readFileSync(image);
    bytes.fill(0, 0, 4096);
    writeFileSync(image, bytes);
    return image;
  }, 'crypto_LUKS'));

for (const label of ['swaplabel', null]) {
  test(`detectFilesystem() names swap ${label === null ? 'without a label' : 'with a label'} like blkid`, (t) =>
    compareWithBlkid(t, ['mkswap'], (dir) => {
      const image = sparse(dir, 'swap.img', '1M');
      run('mkswap', [...(label === null ? [] : ['-L', label]), image]);
      return image;
    }, 'swap'));
}

test('detectFilesystem() names squashfs like blkid', (t) =>
  compareWithBlkid(t, ['mksquashfs'], (dir) => {
    const root = join(dir, 'root');
    mkdirSync(root);
    writeFileSync(join(root, 'file'), 'squash me\n');
    const image = join(dir, 'image.squashfs');
    run('mksquashfs', [root, image, '-quiet', '-noappend', '-no-progress']);
    return image;
  }, 'squashfs'));

test('detectFilesystem() names an LVM2 physical volume made by pvcreate like blkid', async (t) => {
  if (!needTools(t, 'pvcreate', 'losetup')) return;
  await compareWithBlkid(t, [], (dir) => {
    const image = sparse(dir, 'pv.img', '8M');
    const attach = runStatus('losetup', ['-f', '--show', image]);
    if (attach.status !== 0) {
      t.skip(`no loop device: ${attach.stderr.trim()}`);
      return image;
    }
    const loop = attach.stdout.trim();
    try {
      run('pvcreate', ['-ff', '-y', loop]);
    } finally {
      run('losetup', ['-d', loop]);
    }
    return image;
  }, 'LVM2_member');
});

test('detectFilesystem() finds a filesystem inside a partition like blkid -O -S', async (t) => {
  if (!needTools(t, 'blkid', 'mkfs.ext4')) return;
  const image = sparse(tempDir(t), 'disk.img', '24M');
  const offset = 2048 * 512;
  const size = 16 * 1024 * 1024;
  run('mkfs.ext4', ['-q', '-F', '-L', 'inner', '-E', `offset=${offset}`, image, `${size / 1024}k`]);
  const bytes = new Uint8Array(readFileSync(image));
  const found = await detectFilesystem(bufferReadAt(bytes), offset, size);
  assert.deepEqual(found, blkidProbe(image, { offset, size }));
  assert.equal(found?.label, 'inner');
  assert.equal(await detectFilesystem(bufferReadAt(bytes), 0, offset), null, 'nothing before the partition');
});

test('detectFilesystem() finds nothing in zeros or random bytes, and says a region past the end is truncated', async () => {
  const zeros = new Uint8Array(1024 * 1024);
  assert.equal(await detectFilesystem(bufferReadAt(zeros), 0, zeros.length), null);
  const noise = new Uint8Array(256 * 1024);
  let seed = 1;
  for (let i = 0; i < noise.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    noise[i] = seed >> 16;
  }
  assert.equal(await detectFilesystem(bufferReadAt(noise), 0, noise.length), null);
  await assert.rejects(detectFilesystem(bufferReadAt(zeros), 512 * 1024, 1024 * 1024), { code: 'BYOI_IMAGE_TRUNCATED' });
  assert.equal(await detectFilesystem(bufferReadAt(zeros), 0, 0), null, 'an empty region holds nothing');
});

test('detectFilesystem() applies the NTFS update sequence fixups that blkid skips', async (t) => {
  if (!needTools(t, 'blkid', 'mkfs.ntfs')) return;
  // A 124-character label crosses byte 510 of the $Volume record, where NTFS stores the update sequence
  // number on disk. blkid 2.38 prints that number in the middle of the label; the fixed-up record has the truth.
  const label = `${'L'.repeat(60)}abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ01`;
  const image = sparse(tempDir(t), 'ntfs.img', '8M');
  run('mkfs.ntfs', ['-q', '-F', '-f', '-L', label, image]);
  const bytes = new Uint8Array(readFileSync(image));
  const found = await detectFilesystem(bufferReadAt(bytes), 0, bytes.length);
  assert.equal(found?.label, label);
  const oracle = blkidProbe(image);
  assert.equal(oracle?.uuid, found?.uuid);
  // Character 63 ('d', bytes 510-511 of the record) is where blkid shows the update sequence number.
  assert.notEqual(oracle?.label, label);
  assert.ok(oracle?.label?.startsWith(label.slice(0, 63)), `blkid says ${oracle?.label}`);
  assert.ok(oracle?.label?.endsWith(label.slice(64)), `blkid says ${oracle?.label}`);
});
