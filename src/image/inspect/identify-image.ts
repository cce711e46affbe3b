import { readContainerVirtualSize } from '../containers/read-container-virtual-size.ts';
import type { ImageFormat, Qcow2Info } from '../inspect-result.ts';
import { assertQcow2Deployable } from '../qcow2/assert-qcow2-deployable.ts';
import { openQcow2 } from '../qcow2/open-qcow2.ts';
import { qcow2Info } from '../qcow2/qcow2-info.ts';
import { readQcow2Header } from '../qcow2/read-qcow2-header.ts';
import { readAtMost, type ReadAt } from '../read-at.ts';
import { hasFixedVhdFooter } from '../sniff/has-fixed-vhd-footer.ts';
import { sniffFormat } from '../sniff/sniff-format.ts';
import { imageProblem } from './image-problem.ts';
import type { StepRunner } from './create-step-runner.ts';

/** What the file is, and the guest disk to read further when byoi can deploy it. */
export interface ImageIdentity {
  format: ImageFormat;
  /** As `qemu-img info` says virtual-size (a raw file's size rounded up to 512); 0 when a container header cannot be read. */
  virtualSize: number;
  /** False when virtualSize is 0 because the header could not be read. */
  virtualSizeKnown: boolean;
  qcow2: Qcow2Info | null;
  fixedVhdFooter: boolean;
  /** raw: the file; deployable qcow2: its guest disk; anything else: null. */
  guest: ReadAt | null;
}

/**
 * Bytes read first. Sniffing needs 512, but the partition table, the first filesystem superblocks and a qcow2
 * header with its L1 table usually lie in the first MiB: one read there saves requests over HTTP.
 */
const HEAD_BYTES = 1024 * 1024;

const compressions: readonly ImageFormat[] = ['gzip', 'xz', 'zstd', 'bzip2'];

/**
 * Names the format from the head and tail of the file, as qemu-img probes it, and opens what byoi deploys:
 * the file itself for raw, the guest disk for a qcow2 image without backing file, external data file or
 * encryption. Other containers get their virtual size; whole-file compressions get the file size (qemu-img
 * reads them as raw). Failures of the readers become problems through `steps`.
 *
 * @throws whatever reading the first bytes throws: without them there is nothing to report
 */
export async function identifyImage(file: ReadAt, steps: StepRunner, readableBytes: number): Promise<ImageIdentity> {
  const head = await readAtMost(file, 0, Math.min(HEAD_BYTES, readableBytes));
  let tail: Uint8Array | undefined;
  if (file.size > head.length) {
    tail = (await steps.attempt('the last 512 bytes (dmg trailer, VHD footer)', () => readAtMost(file, Math.max(0, file.size - 512), 512))) ?? undefined;
  } else {
    tail = head.subarray(Math.max(0, head.length - 512));
  }
  const format = sniffFormat(head, tail);
  const identity: ImageIdentity = {
    format,
    // qemu-img reads a raw file (and a compressed one, which it takes for raw) as whole 512-byte sectors.
    virtualSize: Math.ceil(file.size / 512) * 512,
    virtualSizeKnown: true,
    qcow2: null,
    fixedVhdFooter: tail !== undefined && hasFixedVhdFooter(tail),
    guest: null,
  };

  if (format === 'raw') {
    identity.guest = file;
    return identity;
  }
  if (compressions.includes(format)) return identity;

  if (format !== 'qcow2') {
    const size = await steps.attempt(`${format} header`, () => readContainerVirtualSize(format, file));
    identity.virtualSize = size ?? 0;
    identity.virtualSizeKnown = size !== null;
    return identity;
  }

  const header = await steps.attempt('qcow2 header', () => readQcow2Header(file));
  if (header === null) {
    identity.virtualSize = 0;
    identity.virtualSizeKnown = false;
    return identity;
  }
  identity.qcow2 = qcow2Info(header);
  // qemu-img info reports the header's size rounded down to whole 512-byte sectors.
  identity.virtualSize = header.size - (header.size % 512);
  if (header.corrupt) {
    steps.add(
      imageProblem('BYOI_IMAGE_INVALID', { structure: 'qcow2 header', reason: 'the corrupt bit is set: qemu found inconsistent metadata in this image' }, 'warning', 'qemu-img check -r all repairs what it can; qemu reads such an image only read-only'),
    );
  }
  const deployable = await steps.attempt('qcow2 features', async () => {
    assertQcow2Deployable(header);
    return true;
  });
  if (deployable === null) return identity;
  const image = await steps.attempt('qcow2 L1 table', () => openQcow2(file));
  if (image !== null) identity.guest = image.guest;
  return identity;
}
