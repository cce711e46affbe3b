import { ByoiError } from '../errors/byoi-error.ts';
import { imageTypes, type ImageType } from './install-request.ts';

/**
 * Checks imageType: exactly `qcow2` or `raw`, as in OVH's enum (no case folding).
 *
 * @throws ByoiError BYOI_REQUEST_IMAGE_TYPE ("Bad format image, expected: qcow2, raw.")
 */
export function validateImageType(value: string): ImageType {
  const found = imageTypes.find((type) => type === value);
  if (found === undefined) throw new ByoiError('BYOI_REQUEST_IMAGE_TYPE', {}, { detail: `imageType was ${JSON.stringify(value.slice(0, 32))}` });
  return found;
}
