import type { ReactNode } from 'react';
import type { FieldProblem } from '../install/validate-install-form.ts';

/**
 * A labelled form control with its hint and its problems. The control must carry `id` and
 * `aria-describedby={describedBy(id)}`; problems are announced politely as they appear.
 */
export function Field({
  id,
  label,
  optional = false,
  hint,
  problems,
  children,
}: {
  id: string;
  label: string;
  optional?: boolean;
  hint?: ReactNode;
  problems?: readonly FieldProblem[] | undefined;
  children: ReactNode;
}) {
  return (
    <div className="fieldset py-1">
      <label htmlFor={id} className="fieldset-legend pb-1 text-sm">
        {label}
        {optional && <span className="font-normal text-base-content/60"> (optional)</span>}
      </label>
      {children}
      {hint !== undefined && (
        <div id={`${id}-hint`} className="text-xs text-base-content/70">
          {hint}
        </div>
      )}
      <FieldProblems id={`${id}-problems`} problems={problems} />
    </div>
  );
}

/** The ids a control of Field `id` is described by. */
export function describedBy(id: string): string {
  return `${id}-hint ${id}-problems`;
}

/** Problems under a control, with their solutions. */
export function FieldProblems({ id, problems }: { id: string; problems?: readonly FieldProblem[] | undefined }) {
  return (
    <div id={id} aria-live="polite" className="space-y-1">
      {(problems ?? []).map((problem, index) => (
        <p key={index} className="text-sm text-error break-words" data-testid="field-problem" data-code={problem.code}>
          {problem.message}
          {problem.solution !== undefined && <span className="block text-base-content/70">Solution: {problem.solution}</span>}
        </p>
      ))}
    </div>
  );
}
