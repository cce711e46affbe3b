import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DeployEvent } from '../../../src/contract/deploy-events.ts';
import { deployImage } from '../../../src/deploy/pipeline/deploy-image.ts';
import { startMisbehavingServer } from '../../helpers/misbehaving-http-server.ts';
import { needTools, run, tempDir } from '../../helpers/tools.ts';
import { assertDeployedDisk, assertEventOrder, sshKey, userDataBytes } from './_deploy-helpers.ts';
import { MiB, assertImageRegionEqual, changedRanges, deployTools, makeFileDisk, makeRawGpt, sha256File, type RawFixture } from './_fixtures.ts';


interface Qcow2Variant {
  name: string;
  /** qemu-img convert -o options. */
  options: string;
  compress?: boolean;
  /** qemu-io commands run on the qcow2 afterwards (zero clusters). */
  io?: string[];
}

const variants: Qcow2Variant[] = [
  { name: 'qcow2 v2', options: 'compat=0.10' },
  { name: 'qcow2 v3', options: 'compat=1.1' },
  { name: 'qcow2 deflate-compressed', options: 'compat=1.1', compress: true },
  { name: 'qcow2 zstd-compressed', options: 'compat=1.1,compression_type=zstd', compress: true },
  { name: 'qcow2 extended L2', options: 'compat=1.1,extended_l2=on,cluster_size=128k' },
  { name: 'qcow2 512-byte clusters', options: 'compat=1.1,cluster_size=512' },
  { name: 'qcow2 2 MiB clusters', options: 'compat=1.1,cluster_size=2M' },
  { name: 'qcow2 zero clusters', options: 'compat=1.1', io: ['write -z 20M 2M', 'write -z -u 24M 1M'] },
];

/** The raw fixture converted to a qcow2 variant, and qemu-img's raw of that qcow2 (the oracle). */
function makeQcow2(dir: string, raw: RawFixture, variant: Qcow2Variant, index: number): { qcow2: string; oracle: RawFixture } {
  const qcow2 = join(dir, `v${index}.qcow2`);
  const args = ['convert', '-O', 'qcow2', '-o', variant.options];
  if (variant.compress === true) args.push('-c');
  run('qemu-img', [...args, raw.path, qcow2]);
  if (variant.io !== undefined) for (const command of variant.io) run('qemu-io', ['-f', 'qcow2', '-c', command, qcow2]);
  const oracle = join(dir, `v${index}.oracle.raw`);
  run('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, oracle]);
  return { qcow2, oracle: { ...raw, path: oracle } };
}

for (const [index, variant] of variants.entries()) {
  for (const via of ['http', 'file'] as const) {
    test(`deployImage() writes a ${variant.name} image from ${via} equal to qemu-img convert -O raw`, async (t) => {
      if (!needTools(t, ...deployTools, 'qemu-img', 'qemu-io', 'openssl')) return;
      const dir = tempDir(t);
      const raw = makeRawGpt(dir, { sizeMiB: 40, esp: true });
      const { qcow2, oracle } = makeQcow2(dir, raw, variant, index);
      const disk = makeFileDisk(dir, 160);
      let location = qcow2;
      if (via === 'http') {
        const server = await startMisbehavingServer({ body: readFileSync(qcow2) });
        t.after(() => server.close());
        location = server.url('/image.qcow2');
      }
      const events: DeployEvent[] = [];
      const result = await deployImage({
        image: location,
        imageType: 'qcow2',
        disk,
        checksum: { type: 'sha256', value: sha256File(qcow2) },
        configDrive: { hostname: 'web1', sshKeys: [sshKey], userData: userDataBytes, metadata: { k: 'v' } },
        efiBootloaderPath: '\\EFI\\debian\\grubx64.efi',
        bootMode: 'uefi',
        onEvent: (event) => events.push(event),
      });
      assertEventOrder(events, 'end');
      assert.equal(result.format, 'qcow2');
      assert.equal(result.virtualSize, raw.size);
      assert.equal(result.efiBootloaderPath, '\\EFI\\debian\\grubx64.efi');
      assertImageRegionEqual(disk, oracle.path, raw.size, changedRanges(oracle));
      assertDeployedDisk(disk, oracle, result, { hostname: 'web1', userData: userDataBytes, meta: { k: 'v' } });
    });
  }
}

test('deployImage() refuses a qcow2 image with a backing file before touching the disk', async (t) => {
  if (!needTools(t, ...deployTools, 'qemu-img', 'openssl')) return;
  const dir = tempDir(t);
  const base = join(dir, 'base.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', base, '32M']);
  const overlay = join(dir, 'overlay.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', overlay]);
  const disk = makeFileDisk(dir, 96);
  const before = sha256File(disk);
  await assert.rejects(deployImage({ image: overlay, imageType: 'qcow2', disk }), { code: 'BYOI_IMAGE_UNSUPPORTED_FEATURE' });
  assert.equal(sha256File(disk), before);
});

/**
 * The GPT fixture as a qcow2 whose active L2 table lies after the data clusters it maps: a snapshot makes the L2
 * table shared, a write after it copies the table to the end of the file, deleting the snapshot keeps that layout
 * (the decoder engineer's trick, test/unit/deploy/decode/qcow2/out-of-order-qcow2.test.ts).
 */
function makeOutOfOrderQcow2(dir: string, raw: RawFixture): { qcow2: string; oracle: RawFixture } {
  const qcow2 = join(dir, 'l2-after-data.qcow2');
  run('qemu-img', ['convert', '-O', 'qcow2', '-o', 'cluster_size=65536', raw.path, qcow2]);
  run('qemu-img', ['snapshot', '-c', 's1', qcow2]);
  run('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x22 30M 64k', qcow2]);
  run('qemu-img', ['snapshot', '-d', 's1', qcow2]);
  const oracle = join(dir, 'l2-after-data.oracle.raw');
  run('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, oracle]);
  return { qcow2, oracle: { ...raw, path: oracle } };
}

for (const via of ['http with Range', 'http without Range', 'file'] as const) {
  test(`deployImage() streams a qcow2 whose L2 table sits after its data clusters (${via}), re-reading what its memory could not hold`, async (t) => {
    if (!needTools(t, ...deployTools, 'qemu-img', 'qemu-io', 'openssl')) return;
    const dir = tempDir(t);
    const raw = makeRawGpt(dir, { sizeMiB: 40, esp: true });
    const { qcow2, oracle } = makeOutOfOrderQcow2(dir, raw);
    const disk = makeFileDisk(dir, 160);
    let location = qcow2;
    if (via !== 'file') {
      const server = await startMisbehavingServer({ body: readFileSync(qcow2), ranges: via === 'http with Range' });
      t.after(() => server.close());
      location = server.url('/image.qcow2');
    }
    const events: DeployEvent[] = [];
    const result = await deployImage({
      image: location,
      imageType: 'qcow2',
      disk,
      checksum: { type: 'sha256', value: sha256File(qcow2) },
      memoryBudgetBytes: MiB,
      onEvent: (event) => events.push(event),
    });
    assertEventOrder(events, 'end');
    const refetches = events.filter((e) => e.type === 'download.notice' && e.what === 'refetch');
    assert.ok(refetches.length > 0, 'the decoder re-read clusters it could not keep');
    if (via === 'http without Range') {
      assert.ok(refetches.some((e) => e.type === 'download.notice' && /second time/.test(e.message)), 'a second streaming pass, said so');
    }
    assertImageRegionEqual(disk, oracle.path, raw.size, changedRanges(oracle));
    assertDeployedDisk(disk, oracle, result, { hostname: null, userData: null, meta: {} });
  });
}

test('deployImage() streams a qcow2 image of unknown size (chunked, no Range support)', async (t) => {
  if (!needTools(t, ...deployTools, 'qemu-img', 'qemu-io', 'openssl')) return;
  const dir = tempDir(t);
  const raw = makeRawGpt(dir, { sizeMiB: 40 });
  const { qcow2, oracle } = makeQcow2(dir, raw, { name: 'v3', options: 'compat=1.1' }, 99);
  const disk = makeFileDisk(dir, 160);
  const server = await startMisbehavingServer({ body: readFileSync(qcow2), framing: 'chunked', headSize: null, ranges: false });
  t.after(() => server.close());
  const result = await deployImage({ image: server.url('/image.qcow2'), imageType: 'qcow2', disk, checksum: { type: 'sha256', value: sha256File(qcow2) } });
  assert.equal(result.virtualSize, raw.size);
  assertImageRegionEqual(disk, oracle.path, raw.size, changedRanges(oracle));
  assertDeployedDisk(disk, oracle, result, { hostname: null, userData: null, meta: {} });
});
