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

  // ── Install request validation, continued (appended; see docs/CONTRACT.md) ───────────────────────────────
  BYOI_REQUEST_DISK_GROUP_MULTIPLE: {
    class: 'Server::NotImplemented::DiskGroupMultipleConfigs',
    status: 501,
    fault: 'customer',
    message: 'Multiple ({diskgroupsNumber}) disk groups customization not implemented',
    solution: 'Give at most one storage entry: the disk group that receives the image.',
  },
  BYOI_REQUEST_NOT_APPLICABLE: {
    class: 'Client::BadRequest::NotApplicable',
    status: 400,
    fault: 'customer',
    message: '{name} is not applicable to operating system {operatingSystem}: {reason}',
    solution: 'Remove {name} from the request.',
  },

  // ── Partition edits after the write (config drive placement) ──────────────────────────────────────────────
  BYOI_CONFIGDRIVE_NO_SPACE: {
    class: 'Server::InternalServerError::Deploy',
    status: 500,
    fault: 'customer',
    message: 'Could not create configdrive on disk: the last {sizeBytes} bytes of {device} are used by partition {number}',
    solution: 'Use an image at least 64 MiB smaller than the disk, so that the end of the disk is free for the config drive.',
  },
  BYOI_CONFIGDRIVE_MBR_FULL: {
    class: 'Server::InternalServerError::Deploy',
    status: 500,
    fault: 'customer',
    message: 'Could not create configdrive on disk: the MBR partition table of {device} already has 4 primary partitions',
    solution: 'Use an image with a GPT partition table, or with at most 3 primary partitions.',
  },
  BYOI_CONFIGDRIVE_MBR_LIMIT: {
    class: 'Server::InternalServerError::Deploy',
    status: 500,
    fault: 'customer',
    message:
      'Could not create configdrive on disk: an MBR partition table addresses only the first {limitBytes} bytes of {device}, and the end of that space is used by partition {number}',
    solution: 'Use an image with a GPT partition table, or leave 64 MiB free below the MBR limit.',
  },

  // ── Deploy pipeline (appended) ─────────────────────────────────────────────────────────────────────────────
  BYOI_IMAGE_NO_EFI_LOADER: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'image provided has no EFI bootloader under \\EFI on its EFI System Partition, so it cannot boot in uefi mode',
    solution: 'Install a bootloader on the EFI System Partition of your image (for example \\EFI\\BOOT\\BOOTX64.EFI), or boot the server in legacy mode.',
  },
  BYOI_INTERNAL: {
    class: 'Server::InternalServerError',
    status: 500,
    fault: 'provider',
    message: 'An internal error occurred while {phase}',
  },

  // ── Control plane: authentication (OVH's errorCode of each: src/control/http/ovh-error-code.ts) ───────────
  BYOI_AUTH_INVALID_KEY: {
    class: 'Client::Forbidden',
    status: 403,
    fault: 'none',
    message: 'This application key is invalid',
  },
  BYOI_AUTH_INVALID_SIGNATURE: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'Invalid signature',
  },
  BYOI_AUTH_QUERY_TIME_OUT: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'Query out of time',
    solution: 'Sign with the server time: read GET /auth/time and add the difference to your clock.',
  },
  BYOI_AUTH_NOT_CREDENTIAL: {
    class: 'Client::Forbidden',
    status: 403,
    fault: 'none',
    message: 'This credential does not exist',
  },
  BYOI_AUTH_INVALID_CREDENTIAL: {
    class: 'Client::Forbidden',
    status: 403,
    fault: 'none',
    message: 'This credential is not valid',
  },
  BYOI_AUTH_NOT_GRANTED: {
    class: 'Client::Forbidden',
    status: 403,
    fault: 'none',
    message: 'This call has not been granted',
  },
  BYOI_AUTH_NOT_AUTHENTICATED: {
    class: 'Client::Unauthorized',
    status: 401,
    fault: 'none',
    message: 'You must login first',
  },
  BYOI_AUTH_REPLAYED: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'This signed query was already received',
    solution: 'Sign each query again with a fresh X-Ovh-Timestamp; byoi refuses a repeated signature on a call that changes something.',
  },
  BYOI_AUTH_SESSION: {
    class: 'Client::Unauthorized',
    status: 401,
    fault: 'none',
    message: 'The session is missing, expired or not valid for this call',
    solution: 'Open a new session with a signed POST /1.0/byoi/session.',
  },

  // ── Control plane: API requests ────────────────────────────────────────────────────────────────────────────
  BYOI_API_ROUTE_NOT_FOUND: {
    class: 'Client::NotFound',
    status: 404,
    fault: 'none',
    message: 'Got an invalid (or empty) URL',
  },
  BYOI_API_INVALID_PARAMETER: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'Invalid parameter {name}: {reason}',
  },
  BYOI_API_BODY_TOO_LARGE: {
    class: 'Client::BadRequest',
    status: 413,
    fault: 'none',
    message: 'Request body is larger than {limit} bytes',
  },
  BYOI_API_MEDIA_TYPE: {
    class: 'Client::BadRequest',
    status: 415,
    fault: 'none',
    message: 'Unsupported content type {contentType}: send application/json',
  },
  BYOI_API_INTERNAL: {
    class: 'Server::InternalServerError',
    status: 500,
    fault: 'provider',
    message: 'Internal server error (query {queryId})',
  },
  BYOI_API_SERVICE_NOT_FOUND: {
    class: 'Client::NotFound',
    status: 404,
    fault: 'none',
    message: 'The requested object (serviceName = {serviceName}) does not exist',
  },
  BYOI_API_TASK_NOT_FOUND: {
    class: 'Client::NotFound',
    status: 404,
    fault: 'none',
    message: 'The requested object (taskId = {taskId}) does not exist',
  },
  BYOI_API_BOOT_NOT_FOUND: {
    class: 'Client::NotFound',
    status: 404,
    fault: 'none',
    message: 'The requested object (bootId = {bootId}) does not exist',
  },
  BYOI_API_NOT_INSTALLING: {
    class: 'Client::NotFound',
    status: 404,
    fault: 'none',
    message: 'Server is not being installed or reinstalled at the moment',
  },
  BYOI_API_INVALID_VALUE: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'Invalid value for {name}: {reason}',
  },

  // ── Control plane: tasks ──────────────────────────────────────────────────────────────────────────────────
  BYOI_TASK_ALREADY_EXISTS: {
    class: 'Client::BadRequest::TaskAlreadyExists',
    status: 400,
    fault: 'none',
    message: 'Task {taskId} of type {taskFunction} with status {taskStatus} is already running on server {serverName}',
  },
  BYOI_TASK_NOT_CANCELLABLE: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'Task {taskId} cannot be cancelled: its status is {taskStatus}',
  },
  BYOI_TASK_TRANSITION: {
    class: 'Server::InternalServerError',
    status: 500,
    fault: 'provider',
    message: 'Task {taskId} cannot go from {from} to {to}',
  },
  BYOI_TASK_AGENT_LOST: {
    class: 'Server::InternalServerError::AgentLost',
    status: 500,
    fault: 'provider',
    message: 'The installer of server {serverName} stopped reporting: no heartbeat for {seconds} seconds',
  },
  BYOI_TASK_CREATE_FAILED: {
    class: 'Server::InternalServerError::TaskCreate',
    status: 500,
    fault: 'provider',
    message: 'An error has occurred while creating installation task on server {serverName}',
  },

  // ── Control plane: operators (admin API and `byoi admin`) ───────────────────────────────────────────────────
  BYOI_ADMIN_CONFLICT: {
    class: 'Client::Conflict',
    status: 409,
    fault: 'none',
    message: '{what} {name} already exists',
  },
  BYOI_ADMIN_NOT_FOUND: {
    class: 'Client::NotFound',
    status: 404,
    fault: 'none',
    message: '{what} {name} does not exist',
  },
  BYOI_ADMIN_STATE: {
    class: 'Client::BadRequest',
    status: 400,
    fault: 'none',
    message: 'Cannot {action} {what} {name}: {reason}',
  },

  // ── Control plane: start-up ─────────────────────────────────────────────────────────────────────────────────
  BYOI_CONFIG_INVALID: {
    class: 'Server::InternalServerError::Configuration',
    status: 500,
    fault: 'provider',
    message: 'Invalid configuration: {key} (from {source}) {reason}',
  },
  BYOI_CONFIG_SECRET_KEY: {
    class: 'Server::InternalServerError::Configuration',
    status: 500,
    fault: 'provider',
    message: 'Cannot use the secret key: {reason}',
  },
  BYOI_STORE_UNAVAILABLE: {
    class: 'Server::InternalServerError::Database',
    status: 500,
    fault: 'provider',
    message: 'Cannot open the database {database}: {reason}',
  },
  // ── Image: boot facts (`byoi inspect` and the deploy preflight; appended) ────────────────────────────────────
  BYOI_IMAGE_NO_LEGACY_BOOT: {
    class: 'Client::BadRequest::ImageFormat',
    status: 400,
    fault: 'customer',
    message: 'image provided shows no legacy BIOS boot code ({reason}), so it may not boot in legacy mode',
    solution: 'Install a BIOS boot loader in your image (for example grub-install --target=i386-pc), or boot the server in uefi mode.',
  },
  // ── Control plane: agent protocol and task runner (appended) ────────────────────────────────────────────────
  BYOI_AGENT_TOKEN_INVALID: {
    class: 'Client::Unauthorized',
    status: 401,
    fault: 'none',
    message: 'The installer token is missing, unknown or replaced by a newer one',
  },
  BYOI_AGENT_TASK_ENDED: {
    class: 'Client::Gone',
    status: 410,
    fault: 'none',
    message: 'Task {taskId} takes no more reports from this installer: {reason}',
  },
  BYOI_FIRST_BOOT_TOKEN: {
    class: 'Client::Forbidden',
    status: 403,
    fault: 'none',
    message: 'This first boot confirmation is not valid: {reason}',
  },
  BYOI_INSTALLER_NOT_STARTED: {
    class: 'Server::InternalServerError::AgentLost',
    status: 500,
    fault: 'provider',
    message: 'The installer of server {serverName} did not start within {seconds} seconds',
  },
  BYOI_AGENT_DISK_NOT_FOUND: {
    class: 'Server::InternalServerError::Disk',
    status: 500,
    fault: 'provider',
    message: 'Cannot find the target disk of disk group {diskGroupId} on server {serverName}: {reason}',
  },
  BYOI_POWER_NO_DRIVER: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'Cannot {action} server {serverName}: its power driver {driver} is not available in this control plane ({reason})',
  },
  // ── Control plane: power drivers (qemu, redfish, ipmi; appended) ─────────────────────────────────────────────
  BYOI_POWER_UNREACHABLE: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'Cannot reach the {driver} controller of server {serverName} at {address}: {reason}',
  },
  BYOI_POWER_AUTH: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'The {driver} controller of server {serverName} at {address} refused the credentials of user {user}',
  },
  BYOI_POWER_TIMEOUT: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'The {driver} controller of server {serverName} at {address} did not answer within {seconds} seconds ({action})',
  },
  BYOI_POWER_TLS: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'Cannot trust the TLS certificate of the {driver} controller of server {serverName} at {address}: {reason}',
  },
  BYOI_POWER_REFUSED: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'The {driver} controller of server {serverName} refused to {action}: {reason}',
  },
  BYOI_POWER_BOOT_OVERRIDE: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'The BMC of server {serverName} accepted a one-time {target} boot but reads back {found}: the override did not hold',
  },
  BYOI_POWER_TOOL_MISSING: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'Cannot run {tool} to control server {serverName}: {reason}',
  },
  BYOI_POWER_NOT_RUNNING: {
    class: 'Server::InternalServerError::Power',
    status: 500,
    fault: 'provider',
    message: 'The virtual server {serverName} is not running: nothing answers on its QMP socket {socket}',
  },
  // ── Control plane: boot service (appended) ───────────────────────────────────────────────────────────────────
  BYOI_BOOT_DISK_FAILED: {
    class: 'Client::BadRequest::EfiBootloaderPath',
    status: 400,
    fault: 'customer',
    message: 'Server {serverName} did not boot from its disk: {reason}',
    solution:
      'Check that efiBootloaderPath names the EFI loader on the EFI System Partition of your image (a PUT on the server changes it for the next boot), or that a legacy image has boot code on its first sector.',
  },
  BYOI_BOOT_NO_CHAIN_LOADER: {
    class: 'Server::InternalServerError::Boot',
    status: 500,
    fault: 'provider',
    message: 'Server {serverName} could not boot {path} from its disk: its iPXE cannot start a loader from a local disk under UEFI and the control plane has no GRUB EFI chain loader ({reason})',
  },
  // ── QEMU lab and rescue builder (appended; operator tools, never a task's error) ──────────────────────────────
  BYOI_LAB_TOOL_FAILED: {
    class: 'Server::InternalServerError::Lab',
    status: 500,
    fault: 'none',
    message: 'Cannot run {command}: {reason}',
  },
  BYOI_RESCUE_BUILD_FAILED: {
    class: 'Server::InternalServerError::Lab',
    status: 500,
    fault: 'none',
    message: 'Cannot build the rescue system: {reason}',
  },
  BYOI_LAB_FAILED: {
    class: 'Server::InternalServerError::Lab',
    status: 500,
    fault: 'none',
    message: 'Cannot {action} the QEMU lab: {reason}',
  },
  // ── Control plane: image inspection for the web panel (appended) ─────────────────────────────────────────
  BYOI_API_TOO_MANY_REQUESTS: {
    class: 'Client::TooManyRequests',
    status: 429,
    fault: 'none',
    message: 'Too many requests: {reason}',
    solution: 'Wait a few seconds and try again.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof catalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(catalogue, code);
}
