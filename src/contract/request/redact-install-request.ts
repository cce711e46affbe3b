import type { SshKeyType } from '../ssh-key/parse-ssh-key.ts';
import type { UserDataKind } from '../user-data/detect-user-data-kind.ts';
import type { ImageChecksum, ImageType, InstallRequest } from './install-request.ts';

/** The mask that replaces a secret. */
export const redacted = '[redacted]';

/** An install request safe for logs and previews: JSON-friendly, secrets replaced by facts about them. */
export interface RedactedInstallRequest {
  operatingSystem: InstallRequest['operatingSystem'];
  image: {
    /** The URL with its query string masked (presigned URLs carry their token there). */
    url: string;
    type: ImageType;
    checksum: ImageChecksum | null;
    httpHeaders: Array<{ name: string; value: typeof redacted }>;
  };
  efiBootloaderPath: string | null;
  hostname: string | null;
  sshKey: { type: SshKeyType; bits: number; fingerprint: string; comment: string | null } | null;
  userData: { kind: UserDataKind; sizeBytes: number; encoding: 'base64' | 'text'; gzip: boolean } | null;
  metadata: Record<string, string>;
  diskGroupId: number | null;
}

/**
 * Masks the secrets of an install request: header values, the user data (only its kind, size and encoding
 * remain) and the URL's query string. Header names, metadata and the SSH key (public by nature, summarised
 * by its fingerprint) stay readable.
 */
export function redactInstallRequest(request: InstallRequest): RedactedInstallRequest {
  const { image, sshKey, userData } = request;
  return {
    operatingSystem: request.operatingSystem,
    image: {
      url: redactQuery(image.url),
      type: image.type,
      checksum: image.checksum === null ? null : { ...image.checksum },
      httpHeaders: image.httpHeaders.map(({ name }) => ({ name, value: redacted })),
    },
    efiBootloaderPath: request.efiBootloaderPath,
    hostname: request.hostname,
    sshKey: sshKey === null ? null : { type: sshKey.type, bits: sshKey.bits, fingerprint: sshKey.fingerprint, comment: sshKey.comment },
    userData:
      userData === null
        ? null
        : { kind: userData.kind, sizeBytes: userData.bytes.length, encoding: userData.encoding, gzip: userData.gzip },
    metadata: { ...request.metadata },
    diskGroupId: request.diskGroupId,
  };
}

function redactQuery(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return url;
  const fragment = url.indexOf('#', query);
  return `${url.slice(0, query)}?${redacted}${fragment === -1 ? '' : url.slice(fragment)}`;
}
