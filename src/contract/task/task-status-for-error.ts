import { catalogue, isErrorCode } from '../errors/catalogue.ts';
import type { TaskStatus } from './task-status.ts';

/** The terminal statuses a failed install can end in. */
export type FailedTaskStatus = Extract<TaskStatus, 'customerError' | 'ovhError' | 'cancelled'>;

/**
 * The terminal status of an install task that failed with this error: the catalogue's `fault` decides
 * (customer → customerError, provider → ovhError), a cancellation ends `cancelled`, and anything byoi cannot
 * classify (an unknown code, or a `none` fault that should never end a task) is byoi's fault: ovhError.
 * Takes anything with a `code`, so errors from another copy of contract/ (the agent's) work too.
 */
export function taskStatusForError(error: { code: string }): FailedTaskStatus {
  if (error.code === 'BYOI_DEPLOY_CANCELLED') return 'cancelled';
  if (!isErrorCode(error.code)) return 'ovhError';
  return catalogue[error.code].fault === 'customer' ? 'customerError' : 'ovhError';
}
