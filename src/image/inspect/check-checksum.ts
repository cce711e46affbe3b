import type { ChecksumType, ImageChecksum } from '../../contract/request/install-request.ts';
import type { ChecksumCheck, ImageProblem } from '../inspect-result.ts';
import type { StepRunner } from './create-step-runner.ts';
import { imageProblem } from './image-problem.ts';

/** Computes the digest of the whole image file; given only when that is cheap enough (a local file). */
export type DigestImage = (algorithm: ChecksumType) => Promise<string>;

/**
 * The verdict on the user's checksum: compared with the file's digest when `digest` is given
 * (BYOI_CHECKSUM_MISMATCH, "Bad checkSumType for downloaded file, got: n while expecting m."), else `deferred`:
 * the deploy hashes every byte as it downloads them, so inspecting never downloads a whole image for it.
 */
export async function checkChecksum(expected: ImageChecksum, digest: DigestImage | undefined, steps: StepRunner): Promise<{ check: ChecksumCheck; problems: ImageProblem[] }> {
  const check: ChecksumCheck = { type: expected.type, expected: expected.value, actual: null, status: 'deferred' };
  if (digest === undefined) return { check, problems: [] };
  const actual = await steps.attempt(`${expected.type} checksum`, () => digest(expected.type));
  if (actual === null) return { check, problems: [] };
  check.actual = actual.toLowerCase();
  check.status = check.actual === expected.value ? 'match' : 'mismatch';
  const problems = check.status === 'match' ? [] : [imageProblem('BYOI_CHECKSUM_MISMATCH', { got: check.actual, expected: expected.value }, 'error')];
  return { check, problems };
}
