import type { DeployPhase } from '../../contract/deploy-events.ts';
import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { cancelledError } from '../source/download-error.ts';
import type { Redactor } from '../source/redactor.ts';

/** How BYOI_INTERNAL names each phase: "An internal error occurred while {phase}". */
const phaseWords: Record<DeployPhase, string> = {
  preflight: 'checking the image',
  wipe: 'wiping the disk',
  write: 'writing the image',
  verify: 'verifying the image',
  gpt: 'moving the backup GPT',
  'config-drive': 'creating the config drive',
  boot: 'reading the boot loaders',
  commit: 'committing the partition table',
};

/**
 * The catalogue error a failed phase reports: the signal's cancellation when it fired, a ByoiError as it is,
 * anything else as BYOI_INTERNAL (a provider fault) whose detail is the redacted technical message and whose
 * cause keeps the original for the logs. Never a stack trace for the customer.
 */
export function toDeployError(error: unknown, phase: DeployPhase | null, signal: AbortSignal | undefined, redactor: Redactor): ByoiError {
  if (signal?.aborted === true) return isByoiError(error) && error.code === 'BYOI_DEPLOY_CANCELLED' ? error : cancelledError(signal);
  if (isByoiError(error)) return error;
  const technical = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ByoiError('BYOI_INTERNAL', { phase: phase === null ? 'starting the deploy' : phaseWords[phase] }, {
    detail: redactor.redact(technical).slice(0, 500),
    cause: error,
  });
}
