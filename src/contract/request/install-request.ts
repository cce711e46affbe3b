import type { SshPublicKey } from '../ssh-key/parse-ssh-key.ts';
import type { UserData } from '../user-data/parse-user-data.ts';

/** The only operating system byoi installs. */
export const byoiOperatingSystem = 'byoi_64';

/** Image formats byoi writes (OVH `imageType`). */
export const imageTypes = ['qcow2', 'raw'] as const;
/** One of imageTypes. */
export type ImageType = (typeof imageTypes)[number];

/** Checksum algorithms (OVH `imageCheckSumType`) with the length of their hex digest. */
export const checksumHexLength = { md5: 32, sha1: 40, sha256: 64, sha512: 128 } as const;
/** One of the keys of checksumHexLength. */
export type ChecksumType = keyof typeof checksumHexLength;
/** The checksum types in OVH's order. */
export const checksumTypes = ['md5', 'sha1', 'sha256', 'sha512'] as const satisfies readonly ChecksumType[];

/** The expected digest of the downloaded image file (before any qcow2 decoding). */
export interface ImageChecksum {
  type: ChecksumType;
  /** Lower-case hex, exactly checksumHexLength[type] digits. */
  value: string;
}

/** One HTTP header sent with the image download. `value` is a secret (it usually carries credentials). */
export interface HttpHeader {
  name: string;
  value: string;
}

/** Where the image comes from and how to check it. */
export interface ImageSource {
  /** http(s) URL without user:password@; its query may still hold a presigned token, so redact it in logs. */
  url: string;
  type: ImageType;
  checksum: ImageChecksum | null;
  /** In request order; names are unique ignoring case. Values are secrets. */
  httpHeaders: HttpHeader[];
}

/**
 * One install request, whichever OVH route it came through (`/reinstall` or `/install/start`), validated and
 * normalised. Secrets are the header values and the user data; installRequestSecretPaths lists them for
 * log redaction and redactInstallRequest() masks them.
 */
export interface InstallRequest {
  operatingSystem: typeof byoiOperatingSystem;
  image: ImageSource;
  /** One backslash per separator, e.g. `\efi\debian\grubx64.efi`; null lets byoi find the loader on the ESP. */
  efiBootloaderPath: string | null;
  /** Checked per RFC 1035 as OVH does; may be fully qualified. */
  hostname: string | null;
  sshKey: SshPublicKey | null;
  userData: UserData | null;
  /** configDriveMetadata, written under "meta" in meta_data.json. Keys in request order. */
  metadata: Record<string, string>;
  /** The disk group to install on; null means automatic (OVH's 0, or nothing given). */
  diskGroupId: number | null;
}

/** Paths of the secret fields of an InstallRequest, in pino `redact` syntax. */
export const installRequestSecretPaths = ['image.httpHeaders[*].value', 'userData.bytes'] as const;
