// qemu-img as the oracle for the decoder tests: what the guest disk must read, and where qemu put things.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bufferReadAt } from '../../../../../src/image/read-at.ts';
import { openQcow2, type Qcow2Image } from '../../../../../src/image/qcow2/open-qcow2.ts';
import { qemuImgInfo, qemuRaw } from '../../../../fixtures/qcow2-fixtures.ts';
import { chunkings, decodeToDisk, fixedChunks, KiB, type Chunking } from './_decoder-harness.ts';

const oracles = new Map<string, Buffer>();

/** `qemu-img convert -O raw` of an image, converted once per path (fixtures are not rewritten in place). */
export function qemuGuest(imagePath: string, dir: string): Buffer {
  let guest = oracles.get(imagePath);
  if (guest === undefined) {
    guest = Buffer.from(qemuRaw(imagePath, dir));
    oracles.set(imagePath, guest);
  }
  return guest;
}

/** Compares a disk file with `qemu-img convert -O raw` of the image: the guest region byte for byte. */
export function assertDiskMatchesQemu(diskPath: string, imagePath: string, dir: string, label: string): void {
  const expected = qemuGuest(imagePath, dir);
  const disk = readFileSync(diskPath);
  assert.ok(disk.length >= expected.length, `${label}: the disk is smaller than the guest`);
  const actual = disk.subarray(0, expected.length);
  if (!actual.equals(expected)) {
    let first = 0;
    while (actual[first] === expected[first]) first++;
    assert.fail(`${label}: the disk differs from qemu-img's guest at offset 0x${first.toString(16)}`);
  }
}

/** The image opened with the random-access reader, to look at its layout (table offsets). */
export async function layoutOf(imagePath: string): Promise<Qcow2Image> {
  return openQcow2(bufferReadAt(new Uint8Array(readFileSync(imagePath))));
}

/**
 * Decodes `imagePath` in every chunking (and once with the file size unknown) onto fresh disks in `dir`, and
 * compares each with qemu-img's guest.
 */
export async function assertDecodesAsQemu(
  dir: string,
  imagePath: string,
  ways: readonly { name: string; chunking: Chunking }[] = chunkings,
): Promise<void> {
  const image = new Uint8Array(readFileSync(imagePath));
  const virtualSize = qemuImgInfo(imagePath)['virtual-size'];
  for (const way of ways) {
    const { decoder, diskPath } = await decodeToDisk(dir, image, virtualSize, { chunking: way.chunking });
    assert.equal(decoder.virtualSize, virtualSize, `${way.name}: virtual size`);
    assertDiskMatchesQemu(diskPath, imagePath, dir, way.name);
    assert.equal(decoder.stats.refetchRequests, 0);
  }
  const { diskPath } = await decodeToDisk(dir, image, virtualSize, { chunking: fixedChunks(64 * KiB), knownSize: false });
  assertDiskMatchesQemu(diskPath, imagePath, dir, 'file size unknown');
}
