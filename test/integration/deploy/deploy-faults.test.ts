import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { DeployEvent } from '../../../src/contract/deploy-events.ts';
import { deployImage, type DeployOptions } from '../../../src/deploy/pipeline/deploy-image.ts';
import { startMisbehavingServer, type MisbehavingServer, type ServerOptions } from '../../helpers/misbehaving-http-server.ts';
import { needTools, run, runStatus, tempDir } from '../../helpers/tools.ts';
import { assertDeployedDisk, assertEventOrder, headerMarker, sshKey } from './_deploy-helpers.ts';
import {
  MiB,
  assertImageRegionEqual,
  assertNoPartitionTable,
  changedRanges,
  deployTools,
  makeFileDisk,
  makeRawGpt,
  sha256File,
  type RawFixture,
} from './_fixtures.ts';

/** Small backoff so retry tests take milliseconds. */
const fastHttp = { retry: { baseDelayMs: 5, maxDelayMs: 20 }, stallTimeoutMs: 300 };

interface Setup {
  dir: string;
  image: RawFixture;
  disk: string;
  server: MisbehavingServer;
  events: DeployEvent[];
  options: DeployOptions;
}

async function setup(t: TestContext, server: Partial<ServerOptions> = {}, diskMiB = 96): Promise<Setup> {
  const dir = tempDir(t);
  const image = makeRawGpt(dir, { sizeMiB: 24 });
  const disk = makeFileDisk(dir, diskMiB);
  const started = await startMisbehavingServer({ body: readFileSync(image.path), ...server });
  t.after(() => started.close());
  const events: DeployEvent[] = [];
  return {
    dir,
    image,
    disk,
    server: started,
    events,
    options: {
      image: started.url('/image.raw'),
      imageType: 'raw',
      disk,
      checksum: { type: 'sha256', value: sha256File(image.path) },
      http: fastHttp,
      onEvent: (event) => events.push(event),
    },
  };
}

/** Plans faults for the download only: the preflight's Range reads are GETs of the image too. */
function planForWrite(s: Setup, apply: () => void): void {
  const onEvent = s.options.onEvent;
  s.options.onEvent = (event) => {
    if (event.type === 'phase.start' && event.phase === 'write') apply();
    onEvent?.(event);
  };
}

function assertGoodDeploy(s: Setup, result: Awaited<ReturnType<typeof deployImage>>): void {
  assert.equal(result.checksumVerified, true);
  assertEventOrder(s.events, 'end');
  assertImageRegionEqual(s.disk, s.image.path, s.image.size, changedRanges(s.image));
  assertDeployedDisk(s.disk, s.image, result, { hostname: null, userData: null, meta: {} });
}

function errorEvent(events: readonly DeployEvent[]): Extract<DeployEvent, { type: 'deploy.error' }> {
  const last = events.at(-1);
  assert.equal(last?.type, 'deploy.error');
  return last as Extract<DeployEvent, { type: 'deploy.error' }>;
}

test('deployImage() resumes after a connection cut mid-stream and still verifies', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t);
  planForWrite(s, () => s.server.plan({ cutAt: 5 * MiB + 17 }, { resetAt: 12 * MiB }));
  const result = await deployImage(s.options);
  assertGoodDeploy(s, result);
  assert.equal(result.download.resumes, 2);
  assert.equal(result.download.requests, 3);
  const gets = s.server.imageGets().filter((r) => r.range === undefined || !r.range.startsWith('bytes=0-0'));
  assert.ok(gets.some((r) => r.range === `bytes=${5 * MiB + 17}-`), 'the resume asks for the rest with Range');
  assert.ok(gets.every((r) => r.range === undefined || r.ifRange !== undefined), 'every resume is guarded by If-Range');
  assert.equal(s.events.filter((e) => e.type === 'download.notice' && e.what === 'resume').length, 2);
});

test('deployImage() retries after 5xx answers and succeeds', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t);
  planForWrite(s, () => s.server.plan({ status: 503, retryAfter: '0' }, { status: 502 }));
  const result = await deployImage(s.options);
  assertGoodDeploy(s, result);
  assert.equal(s.events.filter((e) => e.type === 'download.notice' && e.what === 'retry').length, 2);
});

test('deployImage() restarts from byte 0 on a server without Range support, says so, and verifies the prefix', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, { ranges: false });
  planForWrite(s, () => s.server.plan({ cutAt: 9 * MiB }));
  const result = await deployImage(s.options);
  assertGoodDeploy(s, result);
  assert.equal(result.download.restarts, 1);
  const restart = s.events.find((e) => e.type === 'download.notice' && e.what === 'restart');
  assert.ok(restart !== undefined && restart.type === 'download.notice');
  assert.match(restart.message, /does not resume \(no Range support\)/);
  const preflight = s.events.find((e) => e.type === 'preflight.result');
  assert.ok(preflight?.type === 'preflight.result' && preflight.acceptsRanges === false);
});

test('deployImage() resumes after a stall', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t);
  planForWrite(s, () => s.server.plan({ stallAt: 3 * MiB }));
  const result = await deployImage(s.options);
  assertGoodDeploy(s, result);
  assert.equal(result.download.resumes, 1);
});

test('deployImage() streams an image of unknown size (chunked, no Content-Length) and holds its tail back', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, { framing: 'chunked', headSize: null, ranges: false });
  const result = await deployImage(s.options);
  assertGoodDeploy(s, result);
  const preflight = s.events.find((e) => e.type === 'preflight.result');
  assert.ok(preflight?.type === 'preflight.result' && preflight.fileSize === null);
});

test('deployImage() fails a body that always ends short of its length, and leaves no partition table', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t);
  planForWrite(s, () => {
    s.server.always = { cutAt: s.image.size - 4096 };
  });
  await assert.rejects(deployImage(s.options), { code: 'BYOI_DOWNLOAD_TRUNCATED' });
  assert.equal(errorEvent(s.events).phase, 'write');
  assertNoPartitionTable(s.disk);
});

test('deployImage() fails a body longer than announced, never a success', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t);
  // HEAD and GET both announce 4 KiB less than the body holds.
  s.server.options.headSize = s.image.size - 4096;
  s.server.always = { contentLength: s.image.size - 4096 };
  await assert.rejects(deployImage(s.options), (error: { code?: string }) => {
    assert.ok(['BYOI_DOWNLOAD_FAILED', 'BYOI_CHECKSUM_MISMATCH', 'BYOI_DOWNLOAD_TRUNCATED'].includes(error.code ?? ''), String(error.code));
    return true;
  });
  assertNoPartitionTable(s.disk);
});

test('deployImage() refuses a wrong checksum with the seed message and leaves a disk without a partition table', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t);
  const wrong = 'ab'.repeat(32);
  const actual = sha256File(s.image.path);
  await assert.rejects(deployImage({ ...s.options, checksum: { type: 'sha256', value: wrong.toUpperCase() } }), {
    code: 'BYOI_CHECKSUM_MISMATCH',
    message: `Bad checkSumType for downloaded file, got: ${actual} while expecting ${wrong}.`,
  });
  const failure = errorEvent(s.events);
  assert.equal(failure.phase, 'verify');
  assert.equal(failure.error.message, `Bad checkSumType for downloaded file, got: ${actual} while expecting ${wrong}.`);
  // The image body is on the disk, but nothing that makes it bootable.
  assertNoPartitionTable(s.disk);
});

test('deployImage() reports a 401 as "Could not download image: HTTP 401 Unauthorized", disk untouched', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, { requireHeader: { name: 'Authorization', value: 'Bearer right' } });
  const before = sha256File(s.disk);
  await assert.rejects(deployImage({ ...s.options, httpHeaders: [{ name: 'Authorization', value: headerMarker }] }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BYOI_DOWNLOAD_FAILED');
    assert.match(error.message, /^Could not download image: HTTP 401 Unauthorized/);
    assert.ok(!error.message.includes(headerMarker));
    return true;
  });
  assert.equal(errorEvent(s.events).phase, 'preflight');
  assert.equal(sha256File(s.disk), before, 'the disk is untouched');
  assert.ok(!JSON.stringify(s.events).includes(headerMarker), 'the header value never appears in events');
  // The header went to the server (where it belongs).
  assert.ok(s.server.requests.some((r) => r.headers.authorization === headerMarker));
});

test('deployImage() refuses a redirect loop', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, { redirects: { '/a': { location: '/b' }, '/b': { location: '/a' } } });
  const before = sha256File(s.disk);
  await assert.rejects(deployImage({ ...s.options, image: s.server.url('/a') }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BYOI_DOWNLOAD_FAILED');
    assert.match(error.message, /^Could not download image: redirect loop/);
    return true;
  });
  assert.equal(sha256File(s.disk), before);
});

test('deployImage() refuses an image larger than the disk in the preflight, disk untouched', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, {}, 16);
  const before = sha256File(s.disk);
  await assert.rejects(deployImage(s.options), {
    code: 'BYOI_IMAGE_TOO_LARGE',
    message: `image provided has a size of ${s.image.size} bytes which is larger than ${s.disk} of ${16 * MiB} bytes`,
  });
  assert.equal(errorEvent(s.events).phase, 'preflight');
  assert.equal(sha256File(s.disk), before);
});

test('deployImage() refuses an image of unknown size that grows past the disk while streaming', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, { framing: 'chunked', headSize: null, ranges: false }, 16);
  // A table that fits the disk, in a file that does not: only the stream can tell.
  run('sgdisk', ['-Z', s.image.path]);
  run('sgdisk', ['-n', '1:2048:+4M', s.image.path]);
  s.server.options.body = readFileSync(s.image.path);
  await assert.rejects(deployImage({ ...s.options, checksum: null }), {
    code: 'BYOI_IMAGE_TOO_LARGE',
    message: `image provided has a size of more than ${16 * MiB} bytes which is larger than ${s.disk} of ${16 * MiB} bytes`,
  });
  assert.equal(errorEvent(s.events).phase, 'write');
  assertNoPartitionTable(s.disk);
});

test('deployImage() refuses a raw image without a partition table with the seed message, disk untouched', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const dir = tempDir(t);
  const image = join(dir, 'fs.raw');
  run('truncate', ['-s', String(8 * MiB), image]);
  run('mkfs.vfat', [image]);
  const disk = makeFileDisk(dir, 64);
  const before = sha256File(disk);
  await assert.rejects(deployImage({ image, imageType: 'raw', disk }), {
    code: 'BYOI_IMAGE_NO_PARTITION_TABLE',
    message: 'image provided format is not of type raw because no partition table was found. It seems to contain: a FAT filesystem',
  });
  assert.equal(sha256File(disk), before);
});

test('deployImage() refuses a qcow2 image given as raw, disk untouched', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl', 'qemu-img')) return;
  const dir = tempDir(t);
  const image = join(dir, 'image.qcow2');
  run('qemu-img', ['create', '-q', '-f', 'qcow2', image, '16M']);
  const disk = makeFileDisk(dir, 64);
  const before = sha256File(disk);
  await assert.rejects(deployImage({ image, imageType: 'raw', disk }), {
    code: 'BYOI_IMAGE_FORMAT_MISMATCH',
    message: 'image provided format is qcow2 which does not match expected raw format',
  });
  assert.equal(sha256File(disk), before);
});

test('deployImage() reports a read-only disk (a read-only loop device)', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl', 'losetup')) return;
  const s = await setup(t);
  const probe = runStatus('losetup', ['-r', '-f', '--show', s.disk]);
  if (probe.status !== 0) {
    t.skip(`cannot create a loop device here: ${probe.stderr.trim()}`);
    return;
  }
  const loop = probe.stdout.trim();
  t.after(() => {
    runStatus('losetup', ['-d', loop]);
  });
  const before = sha256File(s.disk);
  await assert.rejects(deployImage({ ...s.options, disk: loop }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'BYOI_DISK_IO');
    assert.equal(error.message, `Cannot use disk ${loop}: it is read-only`);
    return true;
  });
  assert.equal(sha256File(s.disk), before);
});

test('deployImage() stops promptly when cancelled mid-write, and leaves no partition table', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, { writeBytes: 16 * 1024 });
  const controller = new AbortController();
  let abortedAt = 0;
  const promise = deployImage({
    ...s.options,
    http: { ...fastHttp, stallTimeoutMs: 30_000 },
    progressIntervalMs: 0,
    signal: controller.signal,
    onEvent: (event) => {
      s.events.push(event);
      if (event.type === 'phase.start' && event.phase === 'write') s.server.plan({ stallAt: 6 * MiB });
      if (event.type === 'write.progress' && event.bytesDownloaded >= 2 * MiB && abortedAt === 0) {
        abortedAt = performance.now();
        controller.abort();
      }
    },
  });
  await assert.rejects(promise, { code: 'BYOI_DEPLOY_CANCELLED', message: 'The installation was cancelled' });
  assert.ok(performance.now() - abortedAt < 2000, 'cancelled within 2 s');
  assert.equal(errorEvent(s.events).phase, 'write');
  assertNoPartitionTable(s.disk);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(s.server.openConnections(), 0, 'the connection is dropped');
});

test('deployImage() never puts a header value or user data in events or errors', async (t) => {
  if (!needTools(t, ...deployTools, 'openssl')) return;
  const s = await setup(t, { requireHeader: { name: 'X-Token', value: headerMarker } });
  const userData = Buffer.from('#cloud-config\n# SECRET-USERDATA-MARKER-b41d\n');
  planForWrite(s, () => s.server.plan({ cutAt: 4 * MiB }));
  const result = await deployImage({
    ...s.options,
    httpHeaders: [{ name: 'X-Token', value: headerMarker }],
    configDrive: { sshKeys: [sshKey], userData },
  });
  const text = JSON.stringify(s.events) + JSON.stringify(result);
  assert.ok(!text.includes(headerMarker));
  assert.ok(!text.includes('SECRET-USERDATA-MARKER'));
  // A failure with the header in play: the message must not carry it either.
  const events: DeployEvent[] = [];
  await assert.rejects(
    deployImage({ ...s.options, checksum: { type: 'md5', value: '0'.repeat(32) }, httpHeaders: [{ name: 'X-Token', value: headerMarker }], onEvent: (e) => events.push(e) }),
    (error: Error) => !error.message.includes(headerMarker) && !String((error as { detail?: string }).detail).includes(headerMarker),
  );
  assert.ok(!JSON.stringify(events).includes(headerMarker));
});
