import type { StepView } from '../api/install-progress.ts';
import { stepStatusView } from '../components/StatusBadge.tsx';

/** The install steps as a vertical daisyUI steps list, with the error of a failed step under it. */
export function InstallSteps({ steps }: { steps: readonly StepView[] }) {
  return (
    <ol className="steps steps-vertical" data-testid="install-steps">
      {steps.map((step) => {
        const view = stepStatusView(step.status);
        return (
          <li key={step.id} className={`step ${view.className}`} data-content={view.symbol || undefined} data-step={step.id} data-status={step.status}>
            <span className="text-left">
              <span className={step.status === 'doing' ? 'font-semibold' : ''}>{step.comment}</span>
              <span className="sr-only">: {view.label}</span>
              {step.status === 'doing' && <span className="loading loading-dots loading-xs ml-2 align-middle" aria-hidden="true" />}
              {step.error !== null && step.status === 'error' && <span className="block text-sm text-error">{step.error}</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
