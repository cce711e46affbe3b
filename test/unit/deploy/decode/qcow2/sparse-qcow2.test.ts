import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, test } from 'node:test';
import { needTools, runStatus, tempDir } from '../../../../helpers/tools.ts';
import { createQcow2 } from '../../../../fixtures/qcow2-fixtures.ts';
import { decodeToDisk, fixedChunks, MiB } from './_decoder-harness.ts';

const dir = tempDir({ after }, 'byoi-qcow2-sparse-');
const GiB = 1024 * MiB;

test('createQcow2Decoder() decodes a 16 GiB sparse qcow2 with a few scattered clusters quickly, keeping the disk sparse', { timeout: 60_000 }, async (t) => {
  if (!needTools(t, 'qemu-img', 'qemu-io')) return;
  const virtualSize = 16 * GiB;
  const path = createQcow2(dir, 'sparse-16g', '', virtualSize, [
    'write -P 0x11 0 64k',
    'write -P 0x22 5G 1M',
    'write -P 0x33 10737541120 70000',
    'write -z 12G 1M',
    'write -P 0x44 17179803648 65536',
  ]);
  const image = new Uint8Array(readFileSync(path));
  assert.ok(image.length < 4 * MiB, 'the file holds only the scattered clusters');

  const started = performance.now();
  const { decoder, diskPath, writer } = await decodeToDisk(dir, image, virtualSize, { chunking: fixedChunks(MiB) });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(decoder.virtualSize, virtualSize);
  assert.ok(seconds < 10, `decoding took ${seconds.toFixed(1)} s`);
  // Only the data was written: zero ranges were skipped on a disk that already reads zero.
  assert.ok(writer.bytesWritten <= 2 * MiB + 256 * 1024, `wrote ${writer.bytesWritten} bytes`);
  const allocated = statSync(diskPath).blocks * 512;
  assert.ok(allocated < 8 * MiB, `the disk file has ${allocated} bytes allocated`);

  // qemu-img compares the raw disk with the image's guest, using the holes of both.
  const compare = runStatus('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', diskPath, path]);
  assert.equal(compare.status, 0, compare.stdout + compare.stderr);
});
