import { encodeBase64 } from '../encoding/decode-strict-base64.ts';
import type { InstallRequest } from './install-request.ts';
import type { ReinstallBody } from './reinstall-body-schema.ts';

/**
 * Turns an install request back into the `/reinstall` body that produces it (for the CLI and the panel's
 * payload preview): parseReinstallBody(toReinstallBody(r)) deep-equals r. Values are the normalised ones
 * (lower-case checksum, single-backslash EFI path, 0 disk group dropped). User data goes back the way it came:
 * clear text as text, everything else (base64, gzip) as base64. The body carries the secrets; redact before
 * logging it.
 */
export function toReinstallBody(request: InstallRequest): ReinstallBody {
  const customizations: ReinstallBody['customizations'] = {
    imageURL: request.image.url,
    imageType: request.image.type,
  };
  if (request.efiBootloaderPath !== null) customizations.efiBootloaderPath = request.efiBootloaderPath;
  if (request.image.checksum !== null) {
    customizations.imageCheckSum = request.image.checksum.value;
    customizations.imageCheckSumType = request.image.checksum.type;
  }
  if (request.image.httpHeaders.length > 0) {
    customizations.httpHeaders = Object.fromEntries(request.image.httpHeaders.map(({ name, value }) => [name, value]));
  }
  if (request.userData !== null) {
    const { bytes, encoding } = request.userData;
    customizations.configDriveUserData = encoding === 'text' ? new TextDecoder().decode(bytes) : encodeBase64(bytes);
  }
  if (Object.keys(request.metadata).length > 0) customizations.configDriveMetadata = { ...request.metadata };
  if (request.hostname !== null) customizations.hostname = request.hostname;
  if (request.sshKey !== null) customizations.sshKey = request.sshKey.authorizedKey;

  const body: ReinstallBody = { operatingSystem: request.operatingSystem, customizations };
  if (request.diskGroupId !== null) body.storage = [{ diskGroupId: request.diskGroupId }];
  return body;
}
