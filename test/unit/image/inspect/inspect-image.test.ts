import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, test, type TestContext } from 'node:test';
import { ByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { cachedReadAt } from '../../../../src/image/cached-read-at.ts';
import { inspectImage, type InspectExpectations } from '../../../../src/image/inspect/inspect-image.ts';
import { digestReadAt } from '../../../../src/image/inspect/digest-read-at.ts';
import type { ReadAt } from '../../../../src/image/read-at.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';
import { loadImage } from '../fat/_fat-fixtures.ts';
import { nodeNumber, sfdiskJson } from '../partition-table/_fixtures.ts';
import { assertAgreesWithOracles, copyImage, INSPECT_TOOLS, makeGptEspDisk, makeInspectFixtures, makeMbrLogicalDisk, MiB, patch, type InspectFixture } from './_fixtures.ts';

const dir = tempDir({ after }, 'byoi-inspect-');

function fixtures(t: TestContext): InspectFixture[] | null {
  if (!needTools(t, ...INSPECT_TOOLS)) return null;
  return makeInspectFixtures(dir);
}

function fixture(all: InspectFixture[], name: string): InspectFixture {
  const found = all.find((f) => f.name === name);
  assert.ok(found, `no fixture ${name}`);
  return found;
}

function open(path: string): ReadAt {
  return cachedReadAt(loadImage(path));
}

test('inspectImage() agrees with qemu-img info, sfdisk, sgdisk, blkid and mdir on every fixture', { timeout: 300_000 }, async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  for (const item of all) {
    const inspection = await inspectImage(open(item.path));
    assertAgreesWithOracles(inspection, item);
  }
});

test('inspectImage() flags a fixed VHD, which qemu-img and byoi read as raw', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  for (const item of all.filter((f) => f.name.startsWith('container: vpc fixed'))) {
    const inspection = await inspectImage(open(item.path));
    assert.equal(inspection.format, 'raw', item.name);
    assert.equal(inspection.fixedVhdFooter, true, item.name);
  }
  assert.equal((await inspectImage(open(fixture(all, 'container: vpc dynamic (CHS geometry)').path))).fixedVhdFooter, false);
});

test('inspectImage() gives the guest to read further: the file for raw, the guest disk for qcow2, else null', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const raw = fixture(all, 'raw GPT disk (512-byte sectors) with an ESP');
  const qcow2 = fixture(all, 'qcow2 compressed zstd holding the GPT disk');
  const rawGuest = (await inspectImage(open(raw.path))).guest;
  const qcowGuest = (await inspectImage(open(qcow2.path))).guest;
  assert.ok(rawGuest !== null && qcowGuest !== null);
  assert.equal(qcowGuest.size, rawGuest.size);
  const offset = 73728 * 512; // the ext4 superblock region of the root partition
  assert.deepEqual(await qcowGuest.readAt(offset, 4096), await rawGuest.readAt(offset, 4096));
  assert.equal((await inspectImage(open(fixture(all, 'qcow2 with a backing file').path))).guest, null);
});

test('inspectImage() reports a raw filesystem without a table with the seed message and what it seems to contain', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const inspection = await inspectImage(open(fixture(all, 'raw ext4 without a partition table').path), { imageType: 'raw' });
  assert.equal(inspection.contents, 'an ext4 filesystem (label cloudimg-rootfs)');
  assert.deepEqual(inspection.problems.map((p) => [p.code, p.severity, p.message]), [
    [
      'BYOI_IMAGE_NO_PARTITION_TABLE',
      'error',
      'image provided format is not of type raw because no partition table was found. It seems to contain: an ext4 filesystem (label cloudimg-rootfs)',
    ],
  ]);
  assert.equal(inspection.problems[0]?.solution, 'Check that your image contains a partition table.');
});

test('inspectImage() measures the format against imageType, or against what the image must become', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const vmdk = fixture(all, 'container: vmdk monolithicSparse');
  const expectMismatch = async (path: string, expectations: InspectExpectations, message: string): Promise<void> => {
    const problems = (await inspectImage(open(path), expectations)).problems;
    assert.deepEqual(problems.map((p) => p.message), [message]);
  };
  await expectMismatch(vmdk.path, { imageType: 'qcow2' }, 'image provided format is vmdk which does not match expected qcow2 format');
  await expectMismatch(vmdk.path, {}, 'image provided format is vmdk which does not match expected qcow2 format');
  await expectMismatch(vmdk.path, { imageType: 'raw' }, 'image provided format is vmdk which does not match expected raw format');
  const gzip = all.find((f) => f.format === 'gzip');
  if (gzip !== undefined) await expectMismatch(gzip.path, {}, 'image provided format is gzip which does not match expected raw format');
  const raw = fixture(all, 'raw GPT disk (512-byte sectors) with an ESP').path;
  await expectMismatch(raw, { imageType: 'qcow2' }, 'image provided format is raw which does not match expected qcow2 format');
  const qcow2 = fixture(all, 'qcow2 v3 holding the GPT disk').path;
  const mismatch = (await inspectImage(open(qcow2), { imageType: 'raw' })).problems[0];
  assert.equal(mismatch?.solution, 'Change the value of imageType to qcow2, or convert your image to raw.');
  assert.deepEqual((await inspectImage(open(qcow2), { imageType: 'qcow2' })).problems, []);
});

test('inspectImage() refuses a qcow2 backing file and encryption, naming them', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const backing = await inspectImage(open(fixture(all, 'qcow2 with a backing file').path));
  assert.equal(backing.qcow2?.backingFile, 'base.qcow2');
  assert.equal(backing.problems[0]?.message, 'image provided uses a qcow2 backing file (base.qcow2), which byoi does not deploy');
  const encrypted = await inspectImage(open(fixture(all, 'qcow2 with LUKS encryption').path));
  assert.equal(encrypted.qcow2?.encrypted, true);
  assert.equal(encrypted.problems[0]?.message, 'image provided uses qcow2 LUKS encryption, which byoi does not deploy');
});

test('inspectImage() says when the image is larger than the disk, with the seed message', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const qcow2 = fixture(all, 'qcow2 v3 holding the GPT disk').path;
  const inspection = await inspectImage(open(qcow2), { disk: { name: '/dev/sda', size: 64 * MiB, logicalSectorSize: 512 } });
  assert.deepEqual(inspection.problems.map((p) => p.message), [
    `image provided has a size of ${96 * MiB} bytes which is larger than /dev/sda of ${64 * MiB} bytes`,
  ]);
  assert.deepEqual((await inspectImage(open(qcow2), { disk: { name: '/dev/sda', size: 1024 * MiB } })).problems, []);
});

test('inspectImage() predicts the config drive: no room after the last GPT partition', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const raw = fixture(all, 'raw GPT disk (512-byte sectors) with an ESP').path;
  // 16 MiB more than the image: the root partition reaches into the last 64 MiB of the disk.
  const problems = (await inspectImage(open(raw), { disk: { name: '/dev/sdb', size: 112 * MiB, logicalSectorSize: 512 } })).problems;
  assert.deepEqual(problems.map((p) => [p.code, p.severity]), [['BYOI_CONFIGDRIVE_NO_SPACE', 'error']]);
  assert.match(problems[0]?.message ?? '', /^Could not create configdrive on disk: the last \d+ bytes of \/dev\/sdb are used by partition 3$/);
  // A smaller config drive fits; so does the default one on a bigger disk.
  assert.deepEqual((await inspectImage(open(raw), { disk: { name: '/dev/sdb', size: 112 * MiB }, configDriveBytes: 8 * MiB })).problems, []);
  assert.deepEqual((await inspectImage(open(raw), { disk: { name: '/dev/sdb', size: 200 * MiB } })).problems, []);
});

test('inspectImage() predicts the config drive on an MBR with 4 primary partitions', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const local = tempDir(t);
  const path = `${local}/mbr-full.raw`;
  run('truncate', ['-s', String(64 * MiB), path]);
  run('sfdisk', ['-q', '--no-reread', '--no-tell-kernel', path], { input: 'label: dos\n,8MiB,83\n,8MiB,83\n,8MiB,83\n,8MiB,83\n' });
  const problems = (await inspectImage(open(path), { disk: { name: '/dev/sdc', size: 1024 * MiB } })).problems;
  assert.deepEqual(problems.map((p) => p.message), [
    'Could not create configdrive on disk: the MBR partition table of /dev/sdc already has 4 primary partitions',
  ]);
});

test('inspectImage() predicts the config drive below the MBR limit of a disk larger than 2 TiB', async (t) => {
  if (!needTools(t, 'sfdisk')) return;
  const local = tempDir(t);
  const path = `${local}/mbr-big.raw`;
  // The image is small; its one partition claims (nearly) all an MBR can address, as an image grown in place would.
  run('truncate', ['-s', String(8 * MiB), path]);
  const entry = new Uint8Array(16);
  const view = new DataView(entry.buffer);
  entry[4] = 0x83;
  view.setUint32(8, 2048, true);
  view.setUint32(12, 0xffff_ffff - 2048, true);
  patch(path, 446, entry);
  patch(path, 510, Uint8Array.of(0x55, 0xaa));
  const problems = (await inspectImage(open(path), { disk: { name: '/dev/sdd', size: 3 * 1024 ** 4, logicalSectorSize: 512 } })).problems;
  assert.deepEqual(problems.filter((p) => p.severity === 'error').map((p) => p.message), [
    `Could not create configdrive on disk: an MBR partition table addresses only the first ${0xffff_ffff * 512} bytes of /dev/sdd, and the end of that space is used by partition 1`,
  ]);
});

test('inspectImage() compares the partition table\'s sector size with the disk\'s', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const raw = fixture(all, 'raw GPT disk (512-byte sectors) with an ESP').path;
  const problems = (await inspectImage(open(raw), { disk: { name: '/dev/nvme0n1', size: 1024 * MiB, logicalSectorSize: 4096 } })).problems;
  assert.deepEqual(problems.map((p) => p.message), [
    'image provided has a partition table for 512-byte sectors but /dev/nvme0n1 has 4096-byte logical sectors',
  ]);
  const gpt4k = all.find((f) => f.name === 'qcow2 holding the 4096-byte GPT disk');
  if (gpt4k !== undefined) {
    assert.deepEqual((await inspectImage(open(gpt4k.path), { disk: { name: '/dev/nvme0n1', size: 1024 * MiB, logicalSectorSize: 4096 } })).problems, []);
  }
});

test('inspectImage() checks the boot mode and the efiBootloaderPath against the ESP', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const gpt = fixture(all, 'qcow2 v3 holding the GPT disk').path;
  const mbr = fixture(all, 'raw MBR disk with logical partitions').path;
  assert.deepEqual((await inspectImage(open(gpt), { bootMode: 'uefi', efiBootloaderPath: '\\efi\\DEBIAN\\grubx64.efi' })).problems, []);
  assert.deepEqual((await inspectImage(open(gpt), { bootMode: 'legacy' })).problems, []);

  const noEsp = (await inspectImage(open(mbr), { bootMode: 'uefi' })).problems;
  assert.deepEqual(noEsp.map((p) => [p.code, p.severity, p.message]), [
    ['BYOI_IMAGE_NO_ESP', 'error', 'image provided has no EFI System Partition, so it cannot boot in uefi mode'],
  ]);

  const wrongPath = (await inspectImage(open(gpt), { efiBootloaderPath: '/EFI/ubuntu/shimx64.efi' })).problems;
  assert.equal(wrongPath.length, 1);
  assert.equal(wrongPath[0]?.code, 'BYOI_EFI_PATH_NOT_FOUND');
  assert.equal(wrongPath[0]?.severity, 'warning');
  assert.match(wrongPath[0]?.message ?? '', /^efiBootloaderPath \\EFI\\ubuntu\\shimx64\.efi does not exist on the EFI System Partition; it holds: .*\\EFI\\debian\\shimx64\.efi/);
  assert.equal(wrongPath[0]?.detail, 'byoi suggests \\EFI\\debian\\shimx64.efi');
});

test('inspectImage() reports an ESP without loaders and a disk without BIOS boot code', async (t) => {
  if (!needTools(t, ...INSPECT_TOOLS)) return;
  const local = tempDir(t);
  const disk = makeGptEspDisk(local, 'esp.raw');
  run('mdel', ['-i', `${disk.path}@@${disk.espOffset}`, '::EFI/BOOT/BOOTX64.EFI', '::EFI/BOOT/fbx64.efi', '::EFI/debian/shimx64.efi', '::EFI/debian/grubx64.efi', '::EFI/debian/mmx64.efi', '::EFI/Linux/debian-6.1.0-unified-kernel-image.efi']);
  patch(disk.path, 0, new Uint8Array(440));
  const problems = (await inspectImage(open(disk.path), { bootMode: 'uefi' })).problems;
  assert.deepEqual(problems.map((p) => [p.code, p.severity]), [['BYOI_IMAGE_NO_EFI_LOADER', 'error']]);
  const legacy = (await inspectImage(open(disk.path), { bootMode: 'legacy' })).problems;
  assert.deepEqual(legacy.map((p) => [p.code, p.severity, p.message]), [
    ['BYOI_IMAGE_NO_LEGACY_BOOT', 'warning', 'image provided shows no legacy BIOS boot code (the MBR boot code area is empty), so it may not boot in legacy mode'],
  ]);
});

test('inspectImage() verifies a checksum when it may hash the file, and defers it otherwise', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const path = fixture(all, 'qcow2 compressed deflate holding the GPT disk').path;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  const file = loadImage(path);
  const digest = (algorithm: 'md5' | 'sha1' | 'sha256' | 'sha512'): Promise<string> => digestReadAt(file, algorithm, { chunkBytes: 65536 });

  const match = await inspectImage(open(path), { checksum: { type: 'sha256', value: sha256.toUpperCase() } }, { digest });
  assert.deepEqual(match.checksum, { type: 'sha256', expected: sha256, actual: sha256, status: 'match' });
  assert.deepEqual(match.problems, []);

  const wrong = '0'.repeat(64);
  const mismatch = await inspectImage(open(path), { checksum: { type: 'sha256', value: wrong } }, { digest });
  assert.equal(mismatch.checksum?.status, 'mismatch');
  assert.deepEqual(mismatch.problems.map((p) => p.message), [`Bad checkSumType for downloaded file, got: ${sha256} while expecting ${wrong}.`]);

  const deferred = await inspectImage(open(path), { checksum: { type: 'sha256', value: wrong } });
  assert.deepEqual(deferred.checksum, { type: 'sha256', expected: wrong, actual: null, status: 'deferred' });
  assert.deepEqual(deferred.problems, []);
});

test('inspectImage() refuses bad expectations with the contract\'s errors before reading', async () => {
  const never: ReadAt = { size: 1, readAt: () => Promise.reject(new Error('read')) };
  await assert.rejects(inspectImage(never, { imageType: 'vmdk' as 'raw' }), { code: 'BYOI_REQUEST_IMAGE_TYPE' });
  await assert.rejects(inspectImage(never, { efiBootloaderPath: 'EFI/boot.txt' }), { code: 'BYOI_REQUEST_INVALID_FORMAT' });
  await assert.rejects(inspectImage(never, { checksum: { type: 'sha256', value: 'abc' } }), { code: 'BYOI_REQUEST_INVALID_FORMAT' });
  await assert.rejects(inspectImage(never, { disk: { name: 'x', logicalSectorSize: 520 } }), RangeError);
  await assert.rejects(inspectImage(never, { configDriveBytes: 1000 }), RangeError);
});

test('inspectImage() lists what it cannot check when only the head of the image can be read', async (t) => {
  const all = fixtures(t);
  if (all === null) return;
  const path = fixture(all, 'raw MBR disk with logical partitions').path;
  const whole = await inspectImage(open(path));
  const head = await inspectImage(open(path), {}, { readableBytes: 8 * MiB });
  assert.equal(head.format, 'raw');
  assert.deepEqual(head.problems, []);
  assert.ok(head.unchecked.length > 0, JSON.stringify(head.unchecked));
  assert.match(head.unchecked.join('\n'), /needs bytes past those that can be read before the download/);
  assert.deepEqual(whole.unchecked, []);
});

test('inspectImage() keeps going when one partition cannot be read, and reports it', async (t) => {
  if (!needTools(t, ...INSPECT_TOOLS)) return;
  const local = tempDir(t);
  const path = makeMbrLogicalDisk(local);
  const file = loadImage(copyImage(path, local, 'flaky.raw'));
  const logical = sfdiskJson(path).partitions.find((p) => nodeNumber(p.node) === 5);
  assert.ok(logical);
  const superblock = logical.start * 512 + 1024;
  // A source that fails for the logical partition's superblock only, as a server may fail one Range request.
  const flaky: ReadAt = {
    size: file.size,
    async readAt(offset, length) {
      if (offset <= superblock && offset + length > superblock) throw new ByoiError('BYOI_DOWNLOAD_FAILED', { reason: 'HTTP 500 Internal Server Error' });
      return file.readAt(offset, length);
    },
  };
  const inspection = await inspectImage(flaky);
  assert.ok(inspection.partitionTable !== null);
  assert.deepEqual(inspection.problems.map((p) => [p.code, p.severity, p.message]), [
    ['BYOI_DOWNLOAD_FAILED', 'error', 'Could not download image: HTTP 500 Internal Server Error'],
  ]);
  assert.equal(inspection.partitionTable.partitions.find((p) => p.number === 1)?.filesystem, 'ext4');
  assert.equal(inspection.partitionTable.partitions.find((p) => p.number === 5)?.filesystem, null);
});
