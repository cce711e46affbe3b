import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { analyzeBoot } from '../../../../src/image/boot/analyze-boot.ts';
import { findEfiBootloaderPath } from '../../../../src/image/boot/find-efi-bootloader-path.ts';
import { loadImage, mdirPaths, mkdirs, patchFile, putFile, someBytes } from '../fat/_fat-fixtures.ts';
import { sfdiskTable } from './_sfdisk-table.ts';

const TOOLS = ['sfdisk', 'mkfs.vfat', 'mdir', 'mcopy', 'mmd'];
const ESP_START_SECTOR = 2048;
const ESP_KIB = 34 * 1024;
const ESP_OFFSET = ESP_START_SECTOR * 512;
/** GRUB's real MBR boot code when grub-pc-bin is installed, else a stand-in that is not zeros. */
const GRUB_BOOT_IMG = '/usr/lib/grub/i386-pc/boot.img';

function bootCode(): Uint8Array {
  if (existsSync(GRUB_BOOT_IMG)) return new Uint8Array(readFileSync(GRUB_BOOT_IMG)).subarray(0, 440);
  const code = new Uint8Array(440);
  code.set([0xeb, 0x63, 0x90, 0xfa, 0x31, 0xc0]);
  return code;
}


/** A 64 MiB GPT disk made by sfdisk: ESP (1), BIOS boot (2), Linux root (3). */
function gptDisk(dir: string): string {
  const image = join(dir, 'disk.img');
  run('truncate', ['-s', '64M', image]);
  const script = [
    'label: gpt',
    `start=${ESP_START_SECTOR}, size=${ESP_KIB * 2}, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=EFI`,
    'size=2048, type=21686148-6449-6E6F-744E-656564454649',
    'type=0FC63DAF-8483-4772-8E79-3D69D8477DE4',
  ].join('\n');
  run('sfdisk', ['-q', image], { input: `${script}\n` });
  return image;
}

function formatEsp(image: string, fatBits: 16 | 32): void {
  run('mkfs.vfat', ['-F', String(fatBits), '-n', 'EFI', '--offset', String(ESP_START_SECTOR), image, String(ESP_KIB)]);
}

/** The loaders a Debian 12 cloud image has on its ESP. */
function fillDebianEsp(image: string, dir: string): void {
  mkdirs(image, ['\\EFI', '\\EFI\\BOOT', '\\EFI\\debian'], ESP_OFFSET);
  for (const name of ['BOOTX64.EFI', 'fbx64.efi', 'grubx64.efi', 'mmx64.efi']) putFile(image, `\\EFI\\BOOT\\${name}`, someBytes(900), dir, ESP_OFFSET);
  for (const name of ['grubx64.efi', 'mmx64.efi', 'shimx64.efi', 'fbx64.efi', 'grub.cfg', 'BOOTX64.CSV']) {
    putFile(image, `\\EFI\\debian\\${name}`, someBytes(700), dir, ESP_OFFSET);
  }
}

const load = loadImage;

function ready(t: TestContext): boolean {
  process.env.MTOOLS_SKIP_CHECK = '1';
  return needTools(t, ...TOOLS);
}

test('analyzeBoot() finds a GPT disk that boots both ways, and lists the ESP like mdir', async (t) => {
  if (!ready(t)) return;
  const dir = tempDir(t);
  const image = gptDisk(dir);
  formatEsp(image, 32);
  fillDebianEsp(image, dir);
  patchFile(image, 0, bootCode());
  const table = sfdiskTable(image);
  const biosBoot = table.partitions.find((p) => p.number === 2);
  assert.ok(biosBoot);
  patchFile(image, biosBoot.start, someBytes(4096)); // grub-install writes core.img here

  const boot = await analyzeBoot(load(image), table);
  const expected = mdirPaths(image, ESP_OFFSET).filter((p) => /^\\EFI\\.*\.efi$/i.test(p));
  assert.deepEqual([...boot.efiBootloaderPaths].sort(), expected);
  assert.equal(boot.uefi, true);
  assert.equal(boot.legacy, true);
  assert.equal(boot.espPartition, 1);
  assert.equal(boot.suggestedEfiBootloaderPath, '\\EFI\\debian\\shimx64.efi');
  assert.equal(findEfiBootloaderPath(boot.efiBootloaderPaths, '\\efi\\debian\\grubx64.efi'), '\\EFI\\debian\\grubx64.efi');
});

test('analyzeBoot() needs both MBR boot code and a BIOS boot partition with data on GPT', async (t) => {
  if (!ready(t)) return;
  const dir = tempDir(t);
  const image = gptDisk(dir);
  formatEsp(image, 16);
  const table = sfdiskTable(image);
  assert.equal((await analyzeBoot(load(image), table)).legacy, false, 'no boot code');
  patchFile(image, 0, bootCode());
  assert.equal((await analyzeBoot(load(image), table)).legacy, false, 'boot code, but the BIOS boot partition is empty');
  const biosBoot = table.partitions.find((p) => p.number === 2);
  assert.ok(biosBoot);
  patchFile(image, biosBoot.start + 512, new Uint8Array([1, 2, 3]));
  assert.equal((await analyzeBoot(load(image), table)).legacy, true);
});

test('analyzeBoot() trusts boot code in a protective MBR when there is no BIOS boot partition', async (t) => {
  if (!ready(t)) return;
  const image = join(tempDir(t), 'disk.img');
  run('truncate', ['-s', '32M', image]);
  run('sfdisk', ['-q', image], { input: 'label: gpt\nstart=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, attrs=LegacyBIOSBootable\n' });
  const table = sfdiskTable(image);
  assert.equal((await analyzeBoot(load(image), table)).legacy, false);
  patchFile(image, 0, bootCode());
  const boot = await analyzeBoot(load(image), table);
  assert.deepEqual(boot, { uefi: false, legacy: true, efiBootloaderPaths: [], suggestedEfiBootloaderPath: null, espPartition: null });
});

test('analyzeBoot() reads an ESP of MBR type 0xEF and MBR legacy boot', async (t) => {
  if (!ready(t)) return;
  const dir = tempDir(t);
  const image = join(dir, 'disk.img');
  run('truncate', ['-s', '64M', image]);
  const script = `label: dos\nstart=${ESP_START_SECTOR}, size=${ESP_KIB * 2}, type=ef, bootable\nstart=${ESP_START_SECTOR + ESP_KIB * 2}, type=83\n`;
  run('sfdisk', ['-q', image], { input: script });
  formatEsp(image, 32);
  mkdirs(image, ['\\EFI', '\\EFI\\BOOT'], ESP_OFFSET);
  putFile(image, '\\EFI\\BOOT\\BOOTX64.EFI', someBytes(2000), dir, ESP_OFFSET);
  putFile(image, '\\EFI\\BOOT\\BOOTIA32.EFI', someBytes(2000), dir, ESP_OFFSET);
  const table = sfdiskTable(image);
  assert.equal(table.type, 'mbr');

  const withoutCode = await analyzeBoot(load(image), table);
  assert.equal(withoutCode.uefi, true);
  assert.equal(withoutCode.legacy, false);
  assert.equal(withoutCode.espPartition, 1);
  assert.equal(withoutCode.suggestedEfiBootloaderPath, '\\EFI\\BOOT\\BOOTX64.EFI');
  patchFile(image, 0, bootCode());
  assert.equal((await analyzeBoot(load(image), table)).legacy, true);
});

test('analyzeBoot() reports an image without an ESP, or without a partition table', async (t) => {
  if (!ready(t)) return;
  const dir = tempDir(t);
  const image = join(dir, 'disk.img');
  run('truncate', ['-s', '16M', image]);
  run('sfdisk', ['-q', image], { input: 'label: dos\nstart=2048, type=83\n' });
  const none = { uefi: false, legacy: false, efiBootloaderPaths: [], suggestedEfiBootloaderPath: null, espPartition: null };
  assert.deepEqual(await analyzeBoot(load(image), sfdiskTable(image)), none);
  assert.deepEqual(await analyzeBoot(load(image), null), none);
});

test('analyzeBoot() reports an ESP that is not formatted, or holds no loader, without loaders', async (t) => {
  if (!ready(t)) return;
  const dir = tempDir(t);
  const image = gptDisk(dir);
  const table = sfdiskTable(image);
  const unformatted = await analyzeBoot(load(image), table);
  assert.equal(unformatted.uefi, false);
  assert.equal(unformatted.espPartition, 1);
  formatEsp(image, 16);
  mkdirs(image, ['\\EFI', '\\EFI\\debian'], ESP_OFFSET);
  putFile(image, '\\EFI\\debian\\grub.cfg', someBytes(10), dir, ESP_OFFSET);
  putFile(image, '\\loader.efi', someBytes(10), dir, ESP_OFFSET); // not under \EFI
  const empty = await analyzeBoot(load(image), table);
  assert.deepEqual([empty.uefi, empty.espPartition, empty.efiBootloaderPaths], [false, 1, []]);
});

test('analyzeBoot() names the ESP when its FAT is broken', async (t) => {
  if (!ready(t)) return;
  const dir = tempDir(t);
  const image = gptDisk(dir);
  formatEsp(image, 16);
  fillDebianEsp(image, dir);
  // Point the first directory entry of the root (\EFI) at cluster 0xFFF0, outside the volume.
  const disk = loadImage(image);
  const bs = await disk.readAt(ESP_OFFSET, 512);
  const view = new DataView(bs.buffer, bs.byteOffset);
  const root = ESP_OFFSET + (view.getUint16(14, true) + (bs[16] ?? 0) * view.getUint16(22, true)) * 512;
  const entries = await disk.readAt(root, 512);
  let entry = 0;
  while (entries[entry + 11] !== 0x10) entry += 32;
  patchFile(image, root + entry + 26, new Uint8Array([0xf0, 0xff]));
  await assert.rejects(analyzeBoot(loadImage(image), sfdiskTable(image)), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_INVALID');
    assert.match(error.message, /^Cannot read EFI System Partition \(partition 1\) FAT directory \\EFI: the cluster chain points to cluster 65520/);
    return true;
  });
});

test('analyzeBoot() says which ESP runs past the end of a truncated image', async (t) => {
  if (!ready(t)) return;
  const dir = tempDir(t);
  const image = gptDisk(dir);
  formatEsp(image, 16);
  const table = sfdiskTable(image);
  run('truncate', ['-s', '10M', image]);
  await assert.rejects(analyzeBoot(loadImage(image), table), (error: { code: string; message: string }) => {
    assert.equal(error.code, 'BYOI_IMAGE_TRUNCATED');
    assert.match(error.message, /^Cannot read EFI System Partition \(partition 1\) filesystem: the image ends at byte 10485760, before byte 36700160$/);
    return true;
  });
});
