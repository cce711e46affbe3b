import { ByoiError } from '../../contract/errors/byoi-error.ts';

/** BYOI_IMAGE_INVALID for a container structure: "Cannot read vhdx header: ...". */
export function invalid(structure: string, reason: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_INVALID', { structure, reason });
}

/** BYOI_IMAGE_UNSUPPORTED_FEATURE: "image provided uses {feature}, which byoi does not deploy". */
export function unsupported(feature: string): ByoiError {
  return new ByoiError('BYOI_IMAGE_UNSUPPORTED_FEATURE', { feature });
}

export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
