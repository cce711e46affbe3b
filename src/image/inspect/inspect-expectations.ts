import type { ChecksumType, ImageChecksum, ImageType } from '../../contract/request/install-request.ts';
import { validateChecksum } from '../../contract/request/validate-checksum.ts';
import { validateEfiBootloaderPath } from '../../contract/request/validate-efi-bootloader-path.ts';
import { validateImageType } from '../../contract/request/validate-image-type.ts';
import { DEFAULT_CONFIG_DRIVE_BYTES } from '../partition-table/config-drive-defaults.ts';

/** The target disk, as far as it is known. */
export interface DiskExpectation {
  /** Name for messages: "/dev/sda", or "the disk" when inspecting without one. */
  name: string;
  /** Size in bytes; without it, the size and config-drive checks are left out. */
  size?: number;
  /** Logical sector size, 512 or 4096; without it, the sector-size check is left out. */
  logicalSectorSize?: number;
}

/**
 * What a request expects of an image: each field given adds its checks, each left out removes them. The deploy
 * preflight passes the install request and the disk; `byoi inspect` passes its options.
 */
export interface InspectExpectations {
  /** The request's imageType. Without it, a container is measured against qcow2 and a compressed file against raw. */
  imageType?: ImageType;
  disk?: DiskExpectation;
  /** How the server boots: uefi needs an ESP with a loader, legacy needs BIOS boot code. */
  bootMode?: 'uefi' | 'legacy';
  /** The request's efiBootloaderPath; null or absent lets byoi choose. */
  efiBootloaderPath?: string | null;
  /** Room the config drive needs at the end of the disk, a multiple of 4096; 0 leaves the check out. @default 67108864 */
  configDriveBytes?: number;
  /** The request's imageCheckSum and imageCheckSumType. */
  checksum?: { type: ChecksumType; value: string };
}

/** InspectExpectations checked, normalised and with defaults applied. */
export interface CheckedExpectations {
  imageType: ImageType | null;
  disk: { name: string; size: number | null; logicalSectorSize: number | null } | null;
  bootMode: 'uefi' | 'legacy' | null;
  /** One backslash per separator, as validateEfiBootloaderPath() returns it. */
  efiBootloaderPath: string | null;
  configDriveBytes: number;
  checksum: ImageChecksum | null;
}

const sectorSizes: readonly number[] = [512, 4096];

/**
 * Checks expectations before any read, with the contract's own validators, so that a bad request is refused the
 * same way here as by the API.
 *
 * @throws ByoiError BYOI_REQUEST_IMAGE_TYPE, BYOI_REQUEST_CHECKSUM_TYPE, BYOI_REQUEST_INVALID_FORMAT (checksum,
 *   efiBootloaderPath); RangeError for a disk size, sector size or config-drive size no disk can have
 *
 * @example
 * ```ts
 * checkExpectations({ imageType: 'qcow2', efiBootloaderPath: '/EFI/debian/shimx64.efi' }).efiBootloaderPath;
 * // "\\EFI\\debian\\shimx64.efi"
 * ```
 */
export function checkExpectations(expectations: InspectExpectations): CheckedExpectations {
  const { disk, bootMode } = expectations;
  if (disk !== undefined) {
    if (disk.size !== undefined && (!Number.isSafeInteger(disk.size) || disk.size <= 0)) {
      throw new RangeError(`Cannot inspect the image: disk size ${String(disk.size)} is not a positive number of bytes`);
    }
    if (disk.logicalSectorSize !== undefined && !sectorSizes.includes(disk.logicalSectorSize)) {
      throw new RangeError(`Cannot inspect the image: logical sector size ${String(disk.logicalSectorSize)} is not 512 or 4096`);
    }
  }
  if (bootMode !== undefined && bootMode !== 'uefi' && bootMode !== 'legacy') {
    throw new RangeError(`Cannot inspect the image: boot mode ${String(bootMode)} is not uefi or legacy`);
  }
  const configDriveBytes = expectations.configDriveBytes ?? DEFAULT_CONFIG_DRIVE_BYTES;
  if (!Number.isSafeInteger(configDriveBytes) || configDriveBytes < 0 || configDriveBytes % 4096 !== 0) {
    throw new RangeError(`Cannot inspect the image: config drive size ${String(configDriveBytes)} is not a multiple of 4096 bytes`);
  }
  const checksum = expectations.checksum;
  const efiPath = expectations.efiBootloaderPath;
  return {
    imageType: expectations.imageType === undefined ? null : validateImageType(expectations.imageType),
    disk: disk === undefined ? null : { name: disk.name, size: disk.size ?? null, logicalSectorSize: disk.logicalSectorSize ?? null },
    bootMode: bootMode ?? null,
    efiBootloaderPath: efiPath === undefined || efiPath === null ? null : validateEfiBootloaderPath(efiPath),
    configDriveBytes,
    checksum: checksum === undefined ? null : validateChecksum(checksum.value, checksum.type),
  };
}
