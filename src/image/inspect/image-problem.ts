import { ByoiError, type ErrorParams } from '../../contract/errors/byoi-error.ts';
import type { ErrorCode } from '../../contract/errors/catalogue.ts';
import type { ImageProblem, Problem, ProblemSeverity } from '../inspect-result.ts';

/**
 * An ImageProblem from a catalogue error: its code, filled message, solution, params and detail.
 *
 * @example
 * ```ts
 * problemFromError(new ByoiError('BYOI_IMAGE_NO_ESP'), 'error');
 * // { code: 'BYOI_IMAGE_NO_ESP', message: 'image provided has no EFI System Partition, ...', severity: 'error', ... }
 * ```
 */
export function problemFromError(error: ByoiError, severity: ProblemSeverity): ImageProblem {
  const problem: ImageProblem = {
    code: error.code,
    message: error.message,
    severity,
    solution: error.solution ?? null,
    params: { ...error.params },
  };
  if (error.detail !== undefined) problem.detail = error.detail;
  return problem;
}

/** An ImageProblem for `code` filled with `params`. */
export function imageProblem(code: ErrorCode, params: ErrorParams, severity: ProblemSeverity, detail?: string): ImageProblem {
  return problemFromError(new ByoiError(code, params, detail === undefined ? {} : { detail }), severity);
}

/**
 * A problem a reader reported without throwing (damage it read around), with its severity. Those Problems carry
 * only code and message; their params are gone, so `params` stays empty.
 */
export function problemFromReport(problem: Problem, severity: ProblemSeverity): ImageProblem {
  const solution = new ByoiError(problem.code).solution;
  return { code: problem.code, message: problem.message, severity, solution: solution ?? null, params: {} };
}

/**
 * The catalogue error an ImageProblem stands for, to throw it (the deploy preflight stops on the first
 * error-severity problem). The message is the one the problem carries.
 */
export function problemToError(problem: ImageProblem): ByoiError {
  const error = new ByoiError(problem.code, problem.params, problem.detail === undefined ? {} : { detail: problem.detail });
  // A problem from a reader's report has no params to fill the template again: keep its message.
  error.message = problem.message;
  return error;
}
