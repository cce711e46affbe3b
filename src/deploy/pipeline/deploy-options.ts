import { randomUUID } from 'node:crypto';
import type { DeployEventListener } from '../../contract/deploy-events.ts';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { imageTypes, type HttpHeader, type ImageChecksum, type ImageType } from '../../contract/request/install-request.ts';
import { validateChecksumValue } from '../../contract/request/validate-checksum.ts';
import { validateEfiBootloaderPath } from '../../contract/request/validate-efi-bootloader-path.ts';
import { validateHostname } from '../../contract/request/validate-hostname.ts';
import { validateHttpHeaders } from '../../contract/request/validate-http-headers.ts';
import { validateMetadata } from '../../contract/request/validate-metadata.ts';
import { parseSshKey } from '../../contract/ssh-key/parse-ssh-key.ts';
import type { ConfigDrivePublicKey } from '../configdrive/config-drive-input.ts';
import type { JsonValue } from '../configdrive/to-canonical-json.ts';
import type { ConfigDriveFilesystem } from '../configdrive/write-config-drive.ts';
import type { DiskIO } from '../disk/disk-io.ts';
import type { RetryPolicy } from '../source/retry-policy.ts';

/** How the server will boot the disk; null when the caller does not know (both are reported, neither required). */
export type BootMode = 'uefi' | 'legacy';

/** What goes on the config drive, as the caller has it. Every field is optional: a default drive is still made. */
export interface DeployConfigDriveOptions {
  /** cloud-init's local-hostname; null keeps the image's own. Checked like the API's hostname. */
  hostname?: string | null;
  /** OpenSSH public key lines; the first is named "default" in meta_data.json, the others "key2", "key3"... */
  sshKeys?: readonly string[];
  /** Written byte for byte as user_data (already decoded: see parseUserData()). A secret: never reported. */
  userData?: Uint8Array | null;
  /** configDriveMetadata: `meta` in meta_data.json. */
  metadata?: Readonly<Record<string, string>>;
  /** cloud-init's instance-id. @default a fresh random UUID */
  instanceUuid?: string;
  /** First-boot report (cloud-init phone_home). The token is a secret: never reported. */
  phoneHome?: { url: string; token: string };
  /** OpenStack network_data.json; absent: cloud-init falls back to DHCP. */
  networkData?: { [key: string]: JsonValue };
  /** @default "byoi" */
  availabilityZone?: string;
  /** Time stamped on the files; a fixed one makes the drive's bytes depend on the input only. @default now */
  timestamp?: Date;
}

/** Tuning knobs of the HTTP source, for tests and for slow links. Defaults are the source's own. */
export interface DeployHttpOptions {
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  stallTimeoutMs?: number;
  maxRedirects?: number;
  retry?: Partial<RetryPolicy>;
}

/** Options of deployImage(). Everything is checked before any I/O; a bad value rejects with its catalogue error. */
export interface DeployOptions {
  /** http(s) URL, file:// URL, or a local path. URL userinfo becomes Basic auth and is never shown. */
  image: string | URL;
  /** What the user says the image is; the bytes must agree (BYOI_IMAGE_FORMAT_MISMATCH). */
  imageType: ImageType;
  /** Block device or existing regular file (opened and closed by the deploy), or an open DiskIO (left open). */
  disk: string | DiskIO;
  /** Expected digest of the image file; null or absent: sha256 is computed and reported, not compared. */
  checksum?: ImageChecksum | null;
  /** Sent with every image request to the URL's origin only. Values are secrets: never reported. */
  httpHeaders?: readonly HttpHeader[];
  /** Extra CA certificates (PEM) trusted for https images. */
  extraCaPem?: string;
  configDrive?: DeployConfigDriveOptions;
  /** The loader the user expects on the ESP (`\efi\debian\grubx64.efi`); null: byoi reports the one it finds. */
  efiBootloaderPath?: string | null;
  /** uefi: an ESP with a loader is required; legacy or null: reported only. */
  bootMode?: BootMode | null;
  /** @default "vfat"; iso9660 on a disk with 4096-byte sectors falls back to vfat with a warning. */
  configDriveFilesystem?: ConfigDriveFilesystem;
  /** Cancels the deploy (BYOI_DEPLOY_CANCELLED) at any point before the commit starts. */
  signal?: AbortSignal;
  onEvent?: DeployEventListener;
  /** Memory the qcow2 decoder may use to hold data clusters that arrive before their tables. @default 64 MiB */
  memoryBudgetBytes?: number;
  /** Least time between two write.progress events. @default 250 */
  progressIntervalMs?: number;
  http?: DeployHttpOptions;
}

/** DeployOptions once checked, with defaults applied. */
export interface ResolvedDeployOptions {
  image: string | URL;
  imageType: ImageType;
  disk: string | DiskIO;
  checksum: ImageChecksum | null;
  httpHeaders: HttpHeader[];
  extraCaPem: string | undefined;
  configDrive: {
    hostname: string | null;
    publicKeys: ConfigDrivePublicKey[];
    userData: Uint8Array | null;
    metadata: Record<string, string>;
    instanceUuid: string;
    phoneHome: { url: string; token: string } | undefined;
    networkData: { [key: string]: JsonValue } | undefined;
    availabilityZone: string;
    timestamp: Date | undefined;
  };
  efiBootloaderPath: string | null;
  bootMode: BootMode | null;
  configDriveFilesystem: ConfigDriveFilesystem;
  signal: AbortSignal | undefined;
  onEvent: DeployEventListener | undefined;
  memoryBudgetBytes: number;
  progressIntervalMs: number;
  http: DeployHttpOptions;
}

const MiB = 1024 * 1024;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks deployImage()'s options with the contract's validators (the messages the API gives for the same
 * values) and applies the defaults. Runs before any I/O.
 *
 * @throws ByoiError BYOI_REQUEST_* for a value the API would refuse; TypeError for a value of the wrong shape
 */
export function resolveDeployOptions(options: DeployOptions): ResolvedDeployOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('Cannot deploy: options must be an object');
  const { image, disk } = options;
  if (!(image instanceof URL) && (typeof image !== 'string' || image === '')) {
    throw new TypeError('Cannot deploy: image must be a URL or a non-empty path');
  }
  if (typeof disk === 'string' ? disk === '' : typeof disk !== 'object' || disk === null) {
    throw new TypeError('Cannot deploy: disk must be a path or a DiskIO');
  }
  if (!imageTypes.includes(options.imageType)) {
    throw new ByoiError('BYOI_REQUEST_IMAGE_TYPE', {}, { detail: `imageType was ${JSON.stringify(String(options.imageType).slice(0, 32))}` });
  }
  let checksum: ImageChecksum | null = null;
  if (options.checksum !== undefined && options.checksum !== null) {
    const { type, value } = options.checksum;
    if (!['md5', 'sha1', 'sha256', 'sha512'].includes(type)) throw new ByoiError('BYOI_REQUEST_CHECKSUM_TYPE');
    checksum = { type, value: validateChecksumValue(value, type) };
  }
  const httpHeaders = validateHttpHeaders(options.httpHeaders ?? []);
  if (options.extraCaPem !== undefined && typeof options.extraCaPem !== 'string') throw new TypeError('Cannot deploy: extraCaPem must be PEM text');

  const drive = options.configDrive ?? {};
  const hostname = drive.hostname === undefined || drive.hostname === null ? null : validateHostname(drive.hostname);
  const publicKeys = (drive.sshKeys ?? []).map((line, index) => ({
    name: index === 0 ? 'default' : `key${index + 1}`,
    key: parseSshKey(line).authorizedKey,
  }));
  const userData = drive.userData ?? null;
  if (userData !== null && !(userData instanceof Uint8Array)) throw new TypeError('Cannot deploy: configDrive.userData must be bytes');
  const metadata = validateMetadata(Object.entries(drive.metadata ?? {}));
  const instanceUuid = drive.instanceUuid ?? randomUUID();
  if (!uuidPattern.test(instanceUuid)) {
    throw new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'instanceUuid', type: 'uuid', msg: 'it is not a UUID (8-4-4-4-12 hexadecimal digits)' });
  }
  if (drive.phoneHome !== undefined && !/^https?:\/\//i.test(drive.phoneHome.url)) {
    throw new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'phoneHome.url', type: 'url', msg: 'it must be an http or https URL' });
  }

  const efiBootloaderPath =
    options.efiBootloaderPath === undefined || options.efiBootloaderPath === null ? null : validateEfiBootloaderPath(options.efiBootloaderPath);
  const bootMode = options.bootMode ?? null;
  if (bootMode !== null && bootMode !== 'uefi' && bootMode !== 'legacy') {
    throw new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'bootMode', type: 'text', msg: 'it must be uefi or legacy' });
  }
  const configDriveFilesystem = options.configDriveFilesystem ?? 'vfat';
  if (configDriveFilesystem !== 'vfat' && configDriveFilesystem !== 'iso9660') {
    throw new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'configDriveFilesystem', type: 'text', msg: 'it must be vfat or iso9660' });
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new TypeError('Cannot deploy: signal must be an AbortSignal');
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new TypeError('Cannot deploy: onEvent must be a function');
  const memoryBudgetBytes = integer('memoryBudgetBytes', options.memoryBudgetBytes, 64 * MiB, MiB, 4096 * MiB);
  const progressIntervalMs = integer('progressIntervalMs', options.progressIntervalMs, 250, 0, 60_000);

  return {
    image,
    imageType: options.imageType,
    disk,
    checksum,
    httpHeaders,
    extraCaPem: options.extraCaPem,
    configDrive: {
      hostname,
      publicKeys,
      userData,
      metadata,
      instanceUuid: instanceUuid.toLowerCase(),
      phoneHome: drive.phoneHome,
      networkData: drive.networkData,
      availabilityZone: drive.availabilityZone ?? 'byoi',
      timestamp: drive.timestamp,
    },
    efiBootloaderPath,
    bootMode,
    configDriveFilesystem,
    signal: options.signal,
    onEvent: options.onEvent,
    memoryBudgetBytes,
    progressIntervalMs,
    http: { ...(options.http ?? {}) },
  };
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`Cannot deploy: ${name} is ${String(value)}, expected an integer from ${min} to ${max}`);
  }
  return value;
}
