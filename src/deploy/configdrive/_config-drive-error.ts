import { ByoiError } from '../../contract/errors/byoi-error.ts';

/** BYOI_CONFIGDRIVE_FAILED with a technical `detail` (the customer sees the catalogue message only). */
export function configDriveError(detail: string, cause?: unknown): ByoiError {
  return new ByoiError('BYOI_CONFIGDRIVE_FAILED', {}, cause === undefined ? { detail } : { detail, cause });
}
