import { installSteps, type InstallStepId } from '../../../src/contract/task/install-steps.ts';
import type { StepStatus } from '../../../src/contract/task/step-status.ts';

/** One install step as the panel shows it. */
export interface StepView {
  id: InstallStepId;
  comment: string;
  status: StepStatus;
  error: string | null;
}

/** Every install step, `todo`, in order (the contract's list, as install/status lists them from the start). */
export function initialSteps(): StepView[] {
  return installSteps.map((step) => ({ id: step.id, comment: step.comment, status: 'todo', error: null }));
}

/**
 * How far an install is, from 0 to 1: finished steps, plus the share of the image file received while the
 * download-write step runs (the image is written as it arrives; bytes written skip zero runs, so they are not a
 * measure). The first-boot step is left out: an install is done before it (docs/API.md §11.4).
 */
export function installFraction(steps: ReadonlyArray<{ status: StepStatus }>, bytes: { downloaded: number | null; total: number | null }): number {
  const counted = steps.slice(0, installSteps.length - 1);
  let done = 0;
  counted.forEach((step, index) => {
    if (step.status === 'done') done += 1;
    else if (step.status === 'doing' && installSteps[index]?.id === 'download-write' && bytes.total !== null && bytes.total > 0 && bytes.downloaded !== null) {
      done += Math.min(1, bytes.downloaded / bytes.total);
    }
  });
  return counted.length === 0 ? 0 : done / counted.length;
}

/** The running step (or the failed one), for one-line summaries. */
export function currentStep<T extends { status: StepStatus; comment: string }>(steps: readonly T[]): T | undefined {
  return steps.find((step) => step.status === 'error') ?? steps.find((step) => step.status === 'doing');
}
