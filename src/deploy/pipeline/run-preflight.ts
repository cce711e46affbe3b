import type { DeployWarning } from '../../contract/deploy-events.ts';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ImageType } from '../../contract/request/install-request.ts';
import type { ConfigDriveFilesystem } from '../configdrive/write-config-drive.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import { CONFIG_DRIVE_SIZE_BYTES } from '../partition/add-config-drive-partition.ts';
import type { ImageSource, SourceFacts } from '../source/image-source.ts';
import { inspectImage } from '../../image/inspect/inspect-image.ts';
import { problemToError } from '../../image/inspect/image-problem.ts';
import type { BootMode } from './deploy-options.ts';
import { imageReadAt } from './image-read-at.ts';

export interface PreflightInput {
  source: ImageSource;
  disk: DiskIO;
  imageType: ImageType;
  bootMode: BootMode | null;
  efiBootloaderPath: string | null;
  configDriveFilesystem: ConfigDriveFilesystem;
  signal: AbortSignal | undefined;
}

export interface Preflight {
  facts: SourceFacts;
  format: string;
  virtualSize: number;
  /** Bytes of the guest disk image (null: a raw image of unknown size, known after the download). */
  guestSize: number | null;
  partitionTable: 'gpt' | 'mbr' | null;
  /** Checks the preflight could not make (no Range support); the verify phase makes those that matter. */
  unchecked: string[];
  /** The config drive's filesystem (iso9660 is refused on disks with 4096-byte sectors). */
  configDriveFilesystem: ConfigDriveFilesystem;
  warnings: DeployWarning[];
}

/**
 * The preflight phase: probe the source, look at the image through Range reads (or its head only), and let the
 * inspector decide whether it fits the request and the disk. Every error-severity problem stops the deploy here,
 * before the disk is touched; warnings are returned. Nothing is written.
 *
 * @throws ByoiError the first error-severity problem, or a source error (BYOI_DOWNLOAD_FAILED...)
 */
export async function runPreflight(input: PreflightInput): Promise<Preflight> {
  const { source, disk, signal } = input;
  const facts = await source.probe(signal === undefined ? {} : { signal });
  const view = await imageReadAt(source, facts, signal, disk.size);
  const inspected = await inspectImage(
    view.file,
    {
      imageType: input.imageType,
      // An image of unknown size is measured while streaming, and the config drive's room after the write.
      disk: facts.size === null ? { name: disk.name, logicalSectorSize: disk.logicalSectorSize } : { name: disk.name, size: disk.size, logicalSectorSize: disk.logicalSectorSize },
      ...(input.bootMode === null ? {} : { bootMode: input.bootMode }),
      efiBootloaderPath: input.efiBootloaderPath,
      configDriveBytes: CONFIG_DRIVE_SIZE_BYTES,
    },
    { readableBytes: view.readableBytes, ...(signal === undefined ? {} : { signal }) },
  );
  const warnings: DeployWarning[] = [];
  for (const problem of inspected.problems) {
    if (problem.severity === 'error') throw problemToError(problem);
  }
  for (const problem of inspected.problems) {
    const warning: DeployWarning = { code: problem.code, message: problem.message };
    const detail = problem.detail ?? problem.solution;
    if (detail !== undefined && detail !== null) warning.detail = detail;
    warnings.push(warning);
  }
  if (input.configDriveFilesystem === 'iso9660' && disk.logicalSectorSize !== 512) {
    throw new ByoiError('BYOI_REQUEST_INVALID_FORMAT', {
      name: 'configDriveFilesystem',
      type: 'text',
      msg: `${disk.name} has ${disk.logicalSectorSize}-byte logical sectors, where Linux does not mount iso9660; use vfat`,
    });
  }
  return {
    facts,
    format: inspected.format,
    virtualSize: inspected.virtualSize,
    guestSize: input.imageType === 'qcow2' ? inspected.virtualSize : facts.size,
    partitionTable: inspected.partitionTable?.type ?? null,
    unchecked: inspected.unchecked,
    configDriveFilesystem: input.configDriveFilesystem,
    warnings,
  };
}
