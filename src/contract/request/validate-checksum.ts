import { ByoiError } from '../errors/byoi-error.ts';
import { checksumHexLength, checksumTypes, type ChecksumType, type ImageChecksum } from './install-request.ts';

/**
 * Checks imageCheckSum and imageCheckSumType together: both or neither (null means not given), a known type,
 * and a digest of exactly the right number of hex digits for it (any case; returned in lower case).
 *
 * @throws ByoiError BYOI_REQUEST_CHECKSUM_PAIR, BYOI_REQUEST_CHECKSUM_TYPE, or BYOI_REQUEST_INVALID_FORMAT
 *   (name imageCheckSum, type text)
 * @example
 * validateChecksum('ABCD…', 'sha256') // { type: 'sha256', value: 'abcd…' }
 */
export function validateChecksum(checksum: string | null, checksumType: string | null): ImageChecksum | null {
  if (checksum === null && checksumType === null) return null;
  if (checksum === null || checksumType === null) throw new ByoiError('BYOI_REQUEST_CHECKSUM_PAIR');
  const type = checksumTypes.find((known) => known === checksumType);
  if (type === undefined) throw new ByoiError('BYOI_REQUEST_CHECKSUM_TYPE');
  return { type, value: validateChecksumValue(checksum, type) };
}

/** Checks one digest against its type and returns it in lower case. */
export function validateChecksumValue(checksum: string, type: ChecksumType): string {
  const expected = checksumHexLength[type];
  if (!/^[0-9A-Fa-f]*$/.test(checksum)) {
    const hint = /\s/.test(checksum) ? ' (give the digest alone, without the file name that sha256sum and friends print)' : '';
    throw invalid(`a ${type} checksum is ${expected} hexadecimal digits, and this one holds other characters${hint}`);
  }
  if (checksum.length !== expected) {
    const other = checksumTypes.find((candidate) => checksumHexLength[candidate] === checksum.length);
    const hint = other === undefined ? '' : `; it has the length of a ${other} checksum: check imageCheckSumType`;
    throw invalid(`a ${type} checksum is ${expected} hexadecimal digits, not ${checksum.length}${hint}`);
  }
  return checksum.toLowerCase();
}

function invalid(msg: string): ByoiError {
  return new ByoiError('BYOI_REQUEST_INVALID_FORMAT', { name: 'imageCheckSum', type: 'text', msg });
}
