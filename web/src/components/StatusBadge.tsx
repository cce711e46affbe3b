import type { StepStatus } from '../../../src/contract/task/step-status.ts';
import type { TaskStatus } from '../api/types.ts';

const taskStatusView: Record<TaskStatus, { label: string; className: string }> = {
  init: { label: 'Queued', className: 'badge-info badge-soft' },
  todo: { label: 'Starting', className: 'badge-info' },
  doing: { label: 'In progress', className: 'badge-info' },
  done: { label: 'Done', className: 'badge-success' },
  customerError: { label: 'Failed', className: 'badge-error' },
  ovhError: { label: 'Failed (provider side)', className: 'badge-error' },
  cancelled: { label: 'Cancelled', className: 'badge-neutral' },
};

/** A task status in plain words, with OVH's status name as its tooltip. */
export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  const view = taskStatusView[status];
  return (
    <span className={`badge badge-sm whitespace-nowrap ${view.className}`} title={`status: ${status}`} data-status={status}>
      {view.label}
    </span>
  );
}

/** A server state (ok, error, hacked...) as a badge. */
export function ServerStateBadge({ state }: { state: string }) {
  const ok = state === 'ok';
  return <span className={`badge badge-sm ${ok ? 'badge-success badge-soft' : 'badge-warning'}`}>{ok ? 'OK' : state}</span>;
}

const stepView: Record<string, { symbol: string; label: string; className: string }> = {
  todo: { symbol: '', label: 'to do', className: '' },
  doing: { symbol: '●', label: 'in progress', className: 'step-info' },
  done: { symbol: '✓', label: 'done', className: 'step-success' },
  error: { symbol: '✕', label: 'failed', className: 'step-error' },
};

/** The daisyUI step classes and the words screen readers get for a step status. */
export function stepStatusView(status: StepStatus): { symbol: string; label: string; className: string } {
  return stepView[status] ?? { symbol: '', label: status, className: '' };
}

/** "reinstallServer" → "Installation", "hardReboot" → "Reboot". */
export function taskFunctionLabel(name: string): string {
  if (name === 'reinstallServer') return 'Installation';
  if (name === 'hardReboot') return 'Reboot';
  return name;
}
