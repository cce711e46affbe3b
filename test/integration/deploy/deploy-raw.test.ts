import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployEvent } from '../../../src/contract/deploy-events.ts';
import { deployImage } from '../../../src/deploy/pipeline/deploy-image.ts';
import { startMisbehavingServer } from '../../helpers/misbehaving-http-server.ts';
import { needTools, run, tempDir } from '../../helpers/tools.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertDeployedDisk, assertEventOrder, sshKey, userDataBytes } from './_deploy-helpers.ts';
import {
  MiB,
  allocatedBytes,
  assertImageRegionEqual,
  changedRanges,
  deployTools,
  makeFileDisk,
  makeRawGpt,
  makeRawMbr,
  readConfigDriveFile,
  sha256File,
  writeAt,
  type RawFixture,
} from './_fixtures.ts';
import { pseudoRandomBytes } from '../../helpers/misbehaving-http-server.ts';

const fixtures: { name: string; make: (dir: string) => RawFixture }[] = [
  { name: 'raw GPT', make: (dir) => makeRawGpt(dir, { sizeMiB: 40 }) },
  { name: 'raw MBR', make: (dir) => makeRawMbr(dir, { sizeMiB: 24 }) },
  { name: 'raw GPT with an ESP', make: (dir) => makeRawGpt(dir, { sizeMiB: 48, esp: true }) },
];

for (const fixture of fixtures) {
  for (const via of ['http', 'file'] as const) {
    test(`deployImage() writes a ${fixture.name} image from ${via} bit-exact, with the GPT fixed and a config drive`, async (t) => {
      if (!needTools(t, ...deployTools, 'openssl')) return;
      const dir = tempDir(t);
      const image = fixture.make(dir);
      const disk = makeFileDisk(dir, 160);
      let location = image.path;
      if (via === 'http') {
        const server = await startMisbehavingServer({ body: readFileSync(image.path) });
        t.after(() => server.close());
        location = server.url('/image.raw');
      }
      const events: DeployEvent[] = [];
      const meta = { role: 'web', 'with space': 'ünïcode' };
      const result = await deployImage({
        image: location,
        imageType: 'raw',
        disk,
        checksum: { type: 'sha256', value: sha256File(image.path).toUpperCase() },
        configDrive: { hostname: 'web1.example.net', sshKeys: [sshKey], userData: userDataBytes, metadata: meta },
        efiBootloaderPath: image.loaders.length > 0 ? '\\efi\\DEBIAN\\GRUBX64.EFI' : null,
        bootMode: image.loaders.length > 0 ? 'uefi' : null,
        onEvent: (event) => events.push(event),
      });

      assertEventOrder(events, 'end');
      assert.equal(result.ok, true);
      assert.equal(result.checksumVerified, true);
      assert.equal(result.format, 'raw');
      assert.equal(result.virtualSize, image.size);
      assert.equal(result.bytesDownloaded, image.size);
      assert.ok(result.bytesWritten < image.size, 'zero runs are not written');
      assert.equal(result.partitionTable.type, image.table);
      assert.equal(result.configDrive?.filesystem, 'vfat');
      assert.equal(result.configDrive?.partition, image.table === 'gpt' ? (image.loaders.length > 0 ? 3 : 2) : 2);
      assert.equal(result.configDrive?.start, 160 * MiB - (image.table === 'gpt' ? 65 : 64) * MiB);
      assert.equal(result.efiBootloaderPath, image.loaders.length > 0 ? '\\EFI\\debian\\grubx64.efi' : null);
      assert.deepEqual(result.efiBootloaderPaths, image.loaders);
      assert.deepEqual(result.warnings, []);
      assert.equal(result.download.requests, 1);

      assertImageRegionEqual(disk, image.path, image.size, changedRanges(image));
      assertDeployedDisk(disk, image, result, { hostname: 'web1.example.net', userData: userDataBytes, meta });
      const metaData = JSON.parse(readConfigDriveFile(disk, result.configDrive?.start ?? 0, 'openstack/latest/meta_data.json').toString()) as {
        public_keys: Record<string, string>;
      };
      assert.equal(metaData.public_keys.default, sshKey);
      if (image.table === 'gpt') {
        // The backup GPT moved to the disk's last LBA, and sgdisk agrees on the config drive's place.
        const info = run('sgdisk', ['-i', String(result.configDrive?.partition), disk]);
        assert.match(info, /Partition name: 'config-2'/);
      }
    });
  }
}

test('deployImage() reports a missing efiBootloaderPath as a warning with the paths that exist, and uses the suggested one', async (t) => {
  if (!needTools(t, ...deployTools)) return;
  const dir = tempDir(t);
  const image = makeRawGpt(dir, { sizeMiB: 48, esp: true });
  const disk = makeFileDisk(dir, 128);
  const events: DeployEvent[] = [];
  const result = await deployImage({
    image: image.path,
    imageType: 'raw',
    disk,
    efiBootloaderPath: '\\EFI\\ubuntu\\shimx64.efi',
    onEvent: (event) => events.push(event),
  });
  assert.equal(result.efiBootloaderPath, '\\EFI\\debian\\grubx64.efi');
  assert.equal(result.checksumVerified, false);
  assert.equal(result.digest.algorithm, 'sha256');
  assert.equal(result.warnings.length, 1);
  assert.equal(result.warnings[0]?.code, 'BYOI_EFI_PATH_NOT_FOUND');
  assert.equal(
    result.warnings[0]?.message,
    'efiBootloaderPath \\EFI\\ubuntu\\shimx64.efi does not exist on the EFI System Partition; it holds: \\EFI\\debian\\grubx64.efi, \\EFI\\BOOT\\BOOTX64.EFI',
  );
  assert.equal(result.warnings[0]?.detail, 'byoi suggests \\EFI\\debian\\grubx64.efi');
  assert.ok(events.some((e) => e.type === 'warning' && e.warning.code === 'BYOI_EFI_PATH_NOT_FOUND'));
});

test('deployImage() refuses uefi boot for an image without an ESP, before the commit (no partition table left)', async (t) => {
  if (!needTools(t, ...deployTools)) return;
  const dir = tempDir(t);
  const image = makeRawGpt(dir, { sizeMiB: 24 });
  const disk = makeFileDisk(dir, 128);
  await assert.rejects(deployImage({ image: image.path, imageType: 'raw', disk, bootMode: 'uefi' }), {
    code: 'BYOI_IMAGE_NO_ESP',
    message: 'image provided has no EFI System Partition, so it cannot boot in uefi mode',
  });
});

test('deployImage() deploys a 4 GiB sparse raw image and the disk stays sparse', async (t) => {
  if (!needTools(t, ...deployTools)) return;
  const dir = tempDir(t);
  const image = makeRawGpt(dir, { sizeMiB: 4096, name: 'big.raw' });
  writeAt(image.path, 2 * 1024 * MiB, pseudoRandomBytes(MiB, 99));
  const disk = join(dir, 'big-disk.img');
  run('truncate', ['-s', String(6 * 1024 * MiB), disk]);
  const started = performance.now();
  const result = await deployImage({ image: image.path, imageType: 'raw', disk, checksum: { type: 'sha1', value: run('sha1sum', [image.path]).slice(0, 40) } });
  t.diagnostic(`4 GiB sparse raw deployed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(result.bytesDownloaded, 4096 * MiB);
  assert.ok(result.bytesWritten < 16 * MiB, `only the data is written (${result.bytesWritten} bytes)`);
  const allocated = allocatedBytes(disk);
  assert.ok(allocated < 96 * MiB, `the disk stays sparse: ${allocated} bytes allocated`);
  assertImageRegionEqual(disk, image.path, image.size, changedRanges(image));
  assertDeployedDisk(disk, image, result, { hostname: null, userData: null, meta: {} });
});
