import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { CRYPT_AES, CRYPT_LUKS } from './qcow2-layout.ts';
import type { Qcow2Header } from './read-qcow2-header.ts';

/**
 * Refuses what byoi does not deploy: a backing file, an external data file, encryption. Each of these makes the
 * image's bytes only part of the disk (or unreadable without a key), and following a backing file or data file
 * name from an untrusted image is how CVE-2024-44082 read host files. readQcow2Header() reports them; this refuses.
 *
 * @throws BYOI_IMAGE_UNSUPPORTED_FEATURE naming the feature
 *
 * @example
 * ```ts
 * assertQcow2Deployable(header); // throws 'image provided uses a qcow2 backing file (base.qcow2), which byoi does not deploy'
 * ```
 */
export function assertQcow2Deployable(header: Qcow2Header): void {
  if (header.backingFile !== null) {
    throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: `a qcow2 backing file (${header.backingFile})` });
  }
  if (header.externalDataFile) {
    const name = header.extensions.dataFile ?? 'no name given';
    throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: `a qcow2 external data file (${name})` });
  }
  if (header.cryptMethod === CRYPT_AES) {
    throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: 'qcow2 AES encryption' });
  }
  if (header.cryptMethod === CRYPT_LUKS) {
    throw new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature: 'qcow2 LUKS encryption' });
  }
}
