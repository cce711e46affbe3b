import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeployEvent } from '../../../../src/contract/deploy-events.ts';
import { deployImage } from '../../../../src/deploy/pipeline/deploy-image.ts';
import { resolveDeployOptions } from '../../../../src/deploy/pipeline/deploy-options.ts';

const base = { image: '/nonexistent/image.raw', imageType: 'raw' as const, disk: '/nonexistent/disk.img' };

test('resolveDeployOptions() applies the defaults', () => {
  const resolved = resolveDeployOptions(base);
  assert.equal(resolved.checksum, null);
  assert.equal(resolved.configDriveFilesystem, 'vfat');
  assert.equal(resolved.bootMode, null);
  assert.match(resolved.configDrive.instanceUuid, /^[0-9a-f-]{36}$/);
  assert.deepEqual(resolved.configDrive.publicKeys, []);
  assert.equal(resolved.configDrive.availabilityZone, 'byoi');
});

test('resolveDeployOptions() checks values with the contract validators (the API messages)', () => {
  assert.throws(() => resolveDeployOptions({ ...base, imageType: 'vmdk' as 'raw' }), { code: 'BYOI_REQUEST_IMAGE_TYPE' });
  assert.throws(() => resolveDeployOptions({ ...base, checksum: { type: 'sha256', value: 'abc' } }), { code: 'BYOI_REQUEST_INVALID_FORMAT' });
  assert.throws(() => resolveDeployOptions({ ...base, checksum: { type: 'crc32' as 'md5', value: 'abc' } }), { code: 'BYOI_REQUEST_CHECKSUM_TYPE' });
  assert.throws(() => resolveDeployOptions({ ...base, httpHeaders: [{ name: 'Host', value: 'x' }] }), { code: 'BYOI_REQUEST_INVALID_FORMAT' });
  assert.throws(() => resolveDeployOptions({ ...base, configDrive: { hostname: '1bad' } }), { code: 'BYOI_REQUEST_HOSTNAME_FORMAT' });
  assert.throws(() => resolveDeployOptions({ ...base, configDrive: { sshKeys: ['nope'] } }), { code: 'BYOI_REQUEST_INVALID_FORMAT' });
  assert.throws(() => resolveDeployOptions({ ...base, efiBootloaderPath: 'EFI/x' }), { code: 'BYOI_REQUEST_INVALID_FORMAT' });
  assert.throws(() => resolveDeployOptions({ ...base, configDrive: { metadata: { dsmode: 'pass' } } }), { code: 'BYOI_REQUEST_INVALID_FORMAT' });
  assert.throws(() => resolveDeployOptions({ ...base, progressIntervalMs: -1 }), RangeError);
});

test('deployImage() refuses bad options with a lone deploy.error before any I/O', async () => {
  const events: DeployEvent[] = [];
  await assert.rejects(deployImage({ ...base, imageType: 'vhd' as 'raw', onEvent: (e) => events.push(e) }), { code: 'BYOI_REQUEST_IMAGE_TYPE' });
  assert.deepEqual(events.map((e) => e.type), ['deploy.error']);
  assert.equal(events[0]?.type === 'deploy.error' ? events[0].phase : 'x', null);
});

test('deployImage() reports a missing disk as BYOI_DISK_IO, and a cancelled signal as BYOI_DEPLOY_CANCELLED', async () => {
  await assert.rejects(deployImage(base), { code: 'BYOI_DISK_IO', message: 'Cannot use disk /nonexistent/disk.img: it does not exist' });
  await assert.rejects(deployImage({ ...base, signal: AbortSignal.abort() }), { code: 'BYOI_DEPLOY_CANCELLED' });
});
