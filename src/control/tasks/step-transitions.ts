import type { StepStatus } from '../../contract/task/step-status.ts';

/** The statuses a step can be moved to. `todo` is not one: only resetSteps() puts a step back (the installer starts over). */
export type StepAdvance = 'doing' | 'done' | 'error';

/**
 * A step moves forward only: todo → doing → done | error, and done and error are final for that attempt. The
 * statuses a step may be in to move to each status; the store applies it in the UPDATE's WHERE clause, so two
 * writers racing (the runner's `doing` after the agent's enrolment made the step `done`) cannot move it back.
 */
export const stepStatusesBefore: Readonly<Record<StepAdvance, readonly StepStatus[]>> = {
  doing: ['todo'],
  done: ['todo', 'doing'],
  error: ['todo', 'doing'],
};
