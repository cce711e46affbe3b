import type { InspectResult } from '../inspect-result.ts';
import type { ReadAt } from '../read-at.ts';
import { checkBoot } from './check-boot.ts';
import { checkChecksum, type DigestImage } from './check-checksum.ts';
import { checkDiskFit } from './check-disk-fit.ts';
import { checkImageFormat } from './check-image-format.ts';
import { checkPartitionEdits } from './check-partition-edits.ts';
import { createStepRunner } from './create-step-runner.ts';
import { identifyImage } from './identify-image.ts';
import { imageProblem } from './image-problem.ts';
import { checkExpectations, type InspectExpectations } from './inspect-expectations.ts';
import { inspectGuest, noBootInfo } from './inspect-guest.ts';
import { limitReadAt } from './limit-read-at.ts';

export type { InspectExpectations } from './inspect-expectations.ts';

export interface InspectOptions {
  /**
   * Only the first `readableBytes` of the file can be read (an HTTP server without Range support, read from its
   * head): checks that need more are listed in `unchecked` instead of becoming problems. @default file.size
   */
  readableBytes?: number;
  /**
   * Computes the digest of the whole file for the checksum check. Give it only when that is cheap (a local file,
   * or one already downloaded); without it the checksum is `deferred` to the deploy.
   */
  digest?: DigestImage;
  /** Ends the inspection with BYOI_DEPLOY_CANCELLED. */
  signal?: AbortSignal;
}

/**
 * What an image is and whether it fits a request: InspectResult without `source` and `access` (which only the
 * caller knows), plus the guest disk to read further.
 */
export interface ImageInspection extends Omit<InspectResult, 'source' | 'access'> {
  /**
   * The disk the deploy would write, for further reads: the file for raw, the guest view of a deployable qcow2
   * image, else null. Not part of the JSON: build it with toInspectResult().
   */
  guest: ReadAt | null;
}

/**
 * THE place that decides, from an image's own bytes, whether it fits a request: `byoi inspect` and the deploy
 * preflight both call it, with the same expectations, before anything is erased. Steps, in the deploy's order:
 *
 * 1. identify: sniff the head and tail as qemu-img probes; qcow2 header facts and, if deployable (no backing
 *    file, external data file or encryption: BYOI_IMAGE_UNSUPPORTED_FEATURE otherwise), the guest disk; other
 *    containers' virtual size; compressions and containers have no guest; format against imageType
 *    (BYOI_IMAGE_FORMAT_MISMATCH);
 * 2. on the guest: the partition table (its damage as warnings), every partition's filesystem, the contents when
 *    there is no table (BYOI_IMAGE_NO_PARTITION_TABLE), the boot facts;
 * 3. against the disk: BYOI_IMAGE_TOO_LARGE, BYOI_IMAGE_SECTOR_SIZE, then the partition edits the deploy makes
 *    after writing (GPT backup move, config drive: BYOI_GPT_MOVE_FAILED, BYOI_CONFIGDRIVE_*);
 * 4. boot: BYOI_IMAGE_NO_ESP, BYOI_IMAGE_NO_EFI_LOADER, BYOI_IMAGE_NO_LEGACY_BOOT (warning),
 *    BYOI_EFI_PATH_NOT_FOUND (warning);
 * 5. checksum: BYOI_CHECKSUM_MISMATCH when `options.digest` is given, else deferred.
 *
 * A reader failure (BYOI_IMAGE_INVALID, BYOI_IMAGE_TRUNCATED, a failed download range) becomes an error-severity
 * problem and the steps that do not need its result still run; readers read only what they need, and every
 * reader bounds its loops, so hostile images end quickly. Severity `error` means the deploy would fail (or the
 * server would not boot as asked); `warning` is worth knowing.
 *
 * @param file the image file as stored (for qcow2, the qcow2 file): wrap an HTTP source in cachedReadAt()
 * @throws the contract's request errors for bad expectations (checkExpectations()); what reading the first bytes
 *   throws (nothing else can be reported then); BYOI_DEPLOY_CANCELLED
 *
 * @example
 * ```ts
 * const inspection = await inspectImage(cachedReadAt(file), { imageType: 'qcow2', disk: { name: '/dev/sda', size, logicalSectorSize: 512 } });
 * inspection.problems.filter((p) => p.severity === 'error'); // [] when the deploy can go on
 * inspection.boot.suggestedEfiBootloaderPath;                // "\\EFI\\debian\\shimx64.efi"
 * ```
 */
export async function inspectImage(file: ReadAt, expectations: InspectExpectations = {}, options: InspectOptions = {}): Promise<ImageInspection> {
  const expected = checkExpectations(expectations);
  const readableBytes = options.readableBytes ?? file.size;
  if (!Number.isSafeInteger(readableBytes) || readableBytes < 0) {
    throw new RangeError(`Cannot inspect the image: readableBytes is ${String(readableBytes)}, expected a non-negative integer`);
  }
  const limited = readableBytes < file.size ? limitReadAt(file, readableBytes) : { file, isPastLimit: () => false };
  const steps = createStepRunner(options.signal, limited.isPastLimit);
  steps.checkCancelled();

  const identity = await identifyImage(limited.file, steps, readableBytes);
  steps.add(...checkImageFormat(identity.format, expected.imageType));

  const guest = identity.guest === null ? null : await inspectGuest(identity.guest, steps);
  if (guest !== null && guest.tableRead && guest.partitionTable === null && guest.contents !== null) {
    steps.add(imageProblem('BYOI_IMAGE_NO_PARTITION_TABLE', { contents: guest.contents }, 'error'));
  }

  const disk = expected.disk;
  const table = guest?.partitionTable ?? null;
  const report = guest?.report ?? null;
  let editsChecked = false;
  if (disk !== null) {
    const problems = checkDiskFit(identity.virtualSizeKnown ? identity.virtualSize : null, table, disk);
    steps.add(...problems);
    // The edits are predicted only where the size and sector checks passed: they report the other cases.
    const sectorSize = disk.logicalSectorSize ?? 512;
    if (report !== null && problems.length === 0 && disk.size !== null && identity.virtualSizeKnown && report.table.sectorSize === sectorSize) {
      steps.add(...checkPartitionEdits(report, { name: disk.name, size: disk.size, logicalSectorSize: sectorSize }, expected.configDriveBytes));
      editsChecked = true;
    }
  }
  if (!editsChecked && report?.gpt?.headerSource === 'backup') {
    // The GPT backup is moved from the primary on every disk, whatever its size: that refusal needs no disk.
    const sectorSize = report.table.sectorSize;
    steps.add(...checkPartitionEdits(report, { name: disk?.name ?? 'the disk', size: identity.virtualSize, logicalSectorSize: sectorSize }, 0));
  }

  const boot = guest?.boot ?? noBootInfo();
  if (guest !== null && guest.tableRead) {
    steps.add(...checkBoot(boot, guest.report, { bootMode: expected.bootMode, efiBootloaderPath: expected.efiBootloaderPath }));
  }

  let checksum: ImageInspection['checksum'] = null;
  if (expected.checksum !== null) {
    const verdict = await checkChecksum(expected.checksum, options.digest, steps);
    checksum = verdict.check;
    steps.add(...verdict.problems);
  }

  return {
    fileSize: file.size,
    format: identity.format,
    virtualSize: identity.virtualSize,
    qcow2: identity.qcow2,
    partitionTable: table,
    contents: guest?.partitionTable === null ? guest.contents : null,
    boot,
    problems: steps.problems,
    unchecked: steps.unchecked,
    fixedVhdFooter: identity.fixedVhdFooter,
    checksum,
    guest: identity.guest,
  };
}
