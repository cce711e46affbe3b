import { ByoiError } from '../errors/byoi-error.ts';
import { requestLimits } from '../request-limits.ts';
import { printable } from './printable.ts';

// RFC 1035 2.3.1 <label>: a letter, then letters, digits or hyphens, ending with a letter or digit, at most
// 63 characters. OVH's message states this strict form (no leading digit, unlike RFC 1123), so byoi checks it.
const label = /^[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Checks a hostname as OVH does: at most requestLimits.hostnameMaxLength (253) characters in all (RFC 1035
 * 2.3.4's 255 octets, written with dots), and each dot-separated label per RFC 1035 2.3.1, so a fully
 * qualified name works. Returned unchanged (case kept).
 *
 * @throws ByoiError BYOI_REQUEST_HOSTNAME_SIZE, or BYOI_REQUEST_HOSTNAME_FORMAT naming the first bad label
 *   (the whole name when a label is empty, as in `a..b` or a trailing dot)
 */
export function validateHostname(value: string): string {
  if (value.length > requestLimits.hostnameMaxLength) {
    throw new ByoiError('BYOI_REQUEST_HOSTNAME_SIZE', { length: value.length, limit: requestLimits.hostnameMaxLength });
  }
  for (const part of value.split('.')) {
    if (!label.test(part)) {
      throw new ByoiError('BYOI_REQUEST_HOSTNAME_FORMAT', { label: printable(part === '' ? value : part, 80) });
    }
  }
  return value;
}
