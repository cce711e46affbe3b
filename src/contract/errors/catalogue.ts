/**
 * The error catalogue: every error byoi reports to a person, with a stable code.
 *
 * Customer-facing messages of OVHcloud's BYOI guide ("Common customer errors") and of the OVH API are kept
 * word for word; `{name}` marks a placeholder filled from the error's params. Codes are never renamed or
 * reused: add a new entry instead. docs/ERRORS.md gives each code a sentence and a test keeps both in step.
 *
 * `fault` says whose fault a failed install is: `customer` ends a task as `customerError`, `provider` as
 * `ovhError` (OVH's name for "our side failed"), `none` is for errors that never end a task (API refusals).
 */

export type ErrorFault = 'customer' | 'provider' | 'none';

export interface CatalogueEntry {
  /** OVH API error class returned in `{class, message}`. */
  readonly class: string;
  /** HTTP status when the error answers an API request. */
  readonly status: number;
  readonly fault: ErrorFault;
  /** Message template; `{name}` is replaced by params.name. */
  readonly message: string;
  /** What the user can do about it, from the seed's "Solution(s)" column where it has one. */
  readonly solution?: string;
}

const seedSolutionDownload =
  'Check that a download with the curl command from your server works in rescue mode. If some HTTP specific headers are required, you can provide them with the httpHeaders argument.';

export const catalogue = {
  // ── Install request validation (answered before any task exists) ─────────────────────────────────────────
  BYOI_REQUEST_CHECKSUM_PAIR: {
    class: 'Client::BadRequest::IncompatibleParams',
    status: 400,
    fault: 'customer',
    message: 'Please provide checkSum AND checkSumType or none of them',
    solution: 'Either provide both arguments or none of them.',
  },
  BYOI_REQUEST_IMAGE_TYPE: {
    class: 'Client::BadRequest::CustomizationInvalidFormat',
    status: 400,
    fault: 'customer',
    message: 'Bad format image, expected: qcow2, raw.',
    solution: 'Set imageType to qcow2 or raw.',
  },
  BYOI_REQUEST_CHECKSUM_TYPE: {
    class: 'Client::BadRequest::CustomizationInvalidFormat',
    status: 400,
    fault: 'customer',
    message: 'Bad checkSumType, expected: md5, sha1, sha256, sha512.',
    solution: 'Set imageCheckSumType to md5, sha1, sha256 or sha512.',
  },
  BYOI_REQUEST_INVALID_FORMAT: {
    class: 'Client::BadRequest::CustomizationInvalidFormat',
    status: 400,
    fault: 'customer',
    message: 'Invalid customization format for {name} of type {type}: {msg}',
  },
  BYOI_REQUEST_SIZE_EXCEEDED: {
    class: 'Client::BadRequest::CustomizationSizeExceeded',
    status: 400,
    fault: 'customer',
    message: 'Customization is {length} big, which is exceeding limit of {limit}',
  },
  BYOI_REQUEST_UNKNOWN_CUSTOMIZATION: {
    class: 'Client::BadRequest::CustomizationName',
    status: 400,
    fault: 'customer',
    message: "Customization {customizationName} doesn't exist for operating system {operatingSystem}",
  },
  BYOI_REQUEST_MISSING_CUSTOMIZATION: {
    class: 'Client::BadRequest::CustomizationMissing',
    status: 400,
    fault: 'customer',
    message: 'Customization {customizationName} is mandatory for operating system {operatingSystem}',
  },
  BYOI_REQUEST_HOSTNAME_FORMAT: {
    class: 'Client::BadRequest::HostnameInvalidFormat',
    status: 400,
    fault: 'customer',
    message:
      'Invalid hostname {label}; must contain no more than 63 characters, start with a letter, end with a letter or a digit and contain only letters, digits and hyphens, see RFC 1035, section 2.3.1',
  },
  BYOI_REQUEST_HOSTNAME_SIZE: {
    class: 'Client::BadRequest::HostnameSizeExceeded',
    status: 400,
    fault: 'customer',
    message:
      'Hostname provided is {length} length. It shall not be longer than {limit} characters, see RFC 1035, section 2.3.4',
  },
  BYOI_REQUEST_INCOMPATIBLE_PARAMS: {
    class: 'Client::BadRequest::IncompatibleParams',
    status: 400,
    fault: 'customer',
    message: 'Incompatible {paramName1} and {paramName2} parameters',
  },
  BYOI_REQUEST_PROPERTY_NAME: {
    class: 'Client::BadRequest::PropertyName',
    status: 400,
    fault: 'customer',
    message: '{propertyName} is not a valid property name',
  },
  BYOI_REQUEST_OPERATING_SYSTEM: {
    class: 'Client::NotFound::OperatingSystem',
    status: 404,
    fault: 'customer',
    message: 'Operating system {operatingSystem} could not be found',
  },
  BYOI_REQUEST_DISK_GROUP: {
    class: 'Client::NotFound::DiskGroup',
    status: 404,
    fault: 'customer',
    message: '{diskGroupName} could not be found on server {serverName}',
  },
  BYOI_REQUEST_BODY: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'Invalid request body: {reason}',
  },

  // ── Image: what its bytes say (preflight and `byoi inspect`) ────────────────────────────────────────────
  BYOI_IMAGE_FORMAT_MISMATCH: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'image provided format is {found} which does not match expected {expected} format',
    solution: 'Change the value of imageType to {found}, or convert your image to {expected}.',
  },
  BYOI_IMAGE_TOO_LARGE: {
    class: 'Client::BadRequest::ImageSize',
    status: 400,
    fault: 'customer',
    message: 'image provided has a size of {imageSize} bytes which is larger than {device} of {deviceSize} bytes',
    solution:
      'If your server has several disk groups, you can try to reinstall the OS on another disk group by specifying the diskgroupid argument. You need to reduce the size of your image.',
  },
  BYOI_IMAGE_NO_PARTITION_TABLE: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'image provided format is not of type raw because no partition table was found. It seems to contain: {contents}',
    solution: 'Check that your image contains a partition table.',
  },
  BYOI_IMAGE_INVALID: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'Cannot read {structure}: {reason}',
    solution:
      'Modify your image so that the command qemu-img convert -f "$imageType" -O raw $pathToImageFile "$device" works.',
  },
  BYOI_IMAGE_TRUNCATED: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'Cannot read {structure}: the image ends at byte {size}, before byte {needed}',
    solution: 'Check that the image file is complete.',
  },
  BYOI_IMAGE_UNSUPPORTED_FEATURE: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'image provided uses {feature}, which byoi does not deploy',
    solution: 'Convert your image to a self-contained one: qemu-img convert -O qcow2 "$image" standalone.qcow2',
  },
  BYOI_IMAGE_SECTOR_SIZE: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message:
      'image provided has a partition table for {imageSectorSize}-byte sectors but {device} has {diskSectorSize}-byte logical sectors',
    solution: 'Build the image for the disk\'s logical sector size, or choose another disk group.',
  },
  BYOI_IMAGE_NO_ESP: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'image provided has no EFI System Partition, so it cannot boot in uefi mode',
    solution: 'If your server has a uefi boot type, be sure to add an EFI partition to your image.',
  },

  // ── Download ────────────────────────────────────────────────────────────────────────────────────────────
  BYOI_DOWNLOAD_FAILED: {
    class: 'Client::BadRequest::Download',
    status: 400,
    fault: 'customer',
    message: 'Could not download image: {reason}',
    solution: seedSolutionDownload,
  },
  BYOI_DOWNLOAD_TRUNCATED: {
    class: 'Client::BadRequest::Download',
    status: 400,
    fault: 'customer',
    message: 'Could not download image: {reason}',
    solution: seedSolutionDownload,
  },
  BYOI_DOWNLOAD_TOO_BIG_FOR_MEMORY: {
    class: 'Client::BadRequest::Download',
    status: 400,
    fault: 'customer',
    message: 'Could not download, {imageType} image is too big to download in memory.',
    solution: 'You need to reduce the size of your image.',
  },
  BYOI_CHECKSUM_MISMATCH: {
    class: 'Client::BadRequest::Checksum',
    status: 400,
    fault: 'customer',
    message: 'Bad checkSumType for downloaded file, got: {got} while expecting {expected}.',
    solution:
      'Please ensure that you have specified the correct checksum. Check that a download with the curl command from your server works in rescue mode.',
  },

  // ── Writing to the disk ───────────────────────────────────────────────────────────────────────────────────
  BYOI_DEPLOY_WRITE_FAILED: {
    class: 'Server::InternalServerError::Deploy',
    status: 500,
    fault: 'customer',
    message: "Can't write {imageType} on disk",
    solution:
      'Modify your image so that the command qemu-img convert -f "$imageType" -O raw $pathToImageFile "$device" works.',
  },
  BYOI_DISK_IO: {
    class: 'Server::InternalServerError::Disk',
    status: 500,
    fault: 'provider',
    message: 'Cannot use disk {device}: {reason}',
  },
  BYOI_GPT_MOVE_FAILED: {
    class: 'Server::InternalServerError::Deploy',
    status: 500,
    fault: 'customer',
    message: 'Can not move backup GPT data structures to the end of disk.',
  },
  BYOI_CONFIGDRIVE_FAILED: {
    class: 'Server::InternalServerError::Deploy',
    status: 500,
    fault: 'customer',
    message: 'Could not create configdrive on disk.',
  },
  BYOI_EFI_PATH_NOT_FOUND: {
    class: 'Client::BadRequest::EfiBootloaderPath',
    status: 400,
    fault: 'customer',
    message: 'efiBootloaderPath {path} does not exist on the EFI System Partition; it holds: {found}',
    solution: 'Set efiBootloaderPath to one of the paths found on the EFI System Partition.',
  },
  BYOI_DEPLOY_CANCELLED: {
    class: 'Client::BadRequest::Cancelled',
    status: 400,
    fault: 'none',
    message: 'The installation was cancelled',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(catalogue, code);
}
