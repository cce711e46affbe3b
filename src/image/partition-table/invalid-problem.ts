import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Problem } from '../inspect-result.ts';

/**
 * A BYOI_IMAGE_INVALID problem that is reported rather than thrown: damage the readers can read around
 * (an entry past the end of the image, a broken backup header, an EBR chain that loops).
 */
export function invalidProblem(structure: string, reason: string): Problem {
  return { code: 'BYOI_IMAGE_INVALID', message: new ByoiError('BYOI_IMAGE_INVALID', { structure, reason }).message };
}
