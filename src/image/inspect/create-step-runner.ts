import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import type { ImageProblem, ProblemSeverity } from '../inspect-result.ts';
import { problemFromError } from './image-problem.ts';

/** Runs the steps of one inspection and collects what they found. */
export interface StepRunner {
  /** Problems in the order they were found. */
  readonly problems: ImageProblem[];
  /** Checks not made because they need bytes that cannot be read yet. */
  readonly unchecked: string[];
  /**
   * Runs one step. A catalogue error becomes a problem of `severity` (or an `unchecked` sentence naming `step`
   * when it comes from a read past the readable bytes) and null is returned, so the steps that do not depend on
   * this one still run. Cancellation (BYOI_DEPLOY_CANCELLED) and errors that are not catalogue errors (bugs)
   * are thrown.
   */
  attempt<T>(step: string, run: () => Promise<T>, severity?: ProblemSeverity): Promise<T | null>;
  add(...problems: ImageProblem[]): void;
  /** Throws BYOI_DEPLOY_CANCELLED once the signal fired. */
  checkCancelled(): void;
}

/**
 * Makes the StepRunner of one inspection: the one place that decides which failures end an inspection (none
 * but cancellation and bugs) and which become problems.
 *
 * @param isPastLimit recognises the errors of reads past the readable bytes (limitReadAt())
 */
export function createStepRunner(signal: AbortSignal | undefined, isPastLimit: (error: unknown) => boolean): StepRunner {
  const problems: ImageProblem[] = [];
  const unchecked: string[] = [];
  function checkCancelled(): void {
    if (signal?.aborted) throw new ByoiError('BYOI_DEPLOY_CANCELLED', {}, { cause: signal.reason });
  }
  return {
    problems,
    unchecked,
    checkCancelled,
    add(...found: ImageProblem[]): void {
      problems.push(...found);
    },
    async attempt<T>(step: string, run: () => Promise<T>, severity: ProblemSeverity = 'error'): Promise<T | null> {
      checkCancelled();
      try {
        return await run();
      } catch (error) {
        checkCancelled();
        if (isPastLimit(error)) {
          unchecked.push(`${step}: needs bytes past those that can be read before the download`);
          return null;
        }
        if (!isByoiError(error) || error.code === 'BYOI_DEPLOY_CANCELLED') throw error;
        problems.push(problemFromError(error, severity));
        return null;
      }
    },
  };
}
