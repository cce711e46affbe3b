import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ImageChecksum } from '../../contract/request/install-request.ts';

/**
 * Compares the digest of the downloaded file with the user's checksum, ignoring case.
 *
 * @throws ByoiError BYOI_CHECKSUM_MISMATCH "Bad checkSumType for downloaded file, got: <hex> while expecting <hex>."
 */
export function verifyDigest(digestHex: string, checksum: ImageChecksum | null): boolean {
  if (checksum === null) return false;
  if (digestHex.toLowerCase() !== checksum.value.toLowerCase()) {
    throw new ByoiError('BYOI_CHECKSUM_MISMATCH', { got: digestHex.toLowerCase(), expected: checksum.value.toLowerCase() }, {
      detail: `${checksum.type} of the downloaded file`,
    });
  }
  return true;
}
