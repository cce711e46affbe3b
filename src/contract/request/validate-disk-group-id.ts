import { ByoiError } from '../errors/byoi-error.ts';

/**
 * Checks a diskGroupId: a non-negative integer, or null/undefined for "not given". 0 is OVH's "automatic" and
 * becomes null, so later layers have one spelling of "choose for me". `field` names it in the message.
 *
 * @throws ByoiError BYOI_REQUEST_BODY
 */
export function validateDiskGroupId(value: unknown, field = 'diskGroupId'): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ByoiError('BYOI_REQUEST_BODY', { reason: `${field} must be a non-negative integer` });
  }
  return value === 0 ? null : value;
}
