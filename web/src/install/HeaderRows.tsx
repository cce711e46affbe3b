import { useState } from 'react';
import { FieldProblems } from '../components/Field.tsx';
import { rowId, type HeaderRow } from './install-form.ts';
import type { FieldProblem } from './validate-install-form.ts';

/** HTTP headers for the image download (httpHeaders): name/value rows, values masked like passwords. */
export function HeaderRows({ rows, problems, onChange }: { rows: HeaderRow[]; problems: readonly FieldProblem[] | undefined; onChange: (rows: HeaderRow[]) => void }) {
  const [shown, setShown] = useState<ReadonlySet<number>>(new Set());
  const update = (id: number, patch: Partial<HeaderRow>) => onChange(rows.map((row) => (row.id === id ? { ...row, ...patch } : row)));
  const general = problems?.filter((problem) => problem.rowId === undefined);
  return (
    <fieldset className="fieldset py-1" aria-describedby="headers-hint headers-problems">
      <legend className="fieldset-legend pb-1 text-sm">
        HTTP headers <span className="font-normal text-base-content/60">(optional)</span>
      </legend>
      <p id="headers-hint" className="text-xs text-base-content/70">
        Sent with the image download only, e.g. <code>Authorization: Basic …</code>. Values are secrets: never shown again, never logged.
      </p>
      <div className="space-y-2">
        {rows.map((row, index) => {
          const rowProblems = problems?.filter((problem) => problem.rowId === row.id);
          const visible = shown.has(row.id);
          return (
            <div key={row.id} className="space-y-1" data-testid="header-row">
              <div className="flex flex-wrap items-center gap-2 sm:flex-nowrap">
                <label className="sr-only" htmlFor={`header-name-${row.id}`}>
                  Header {index + 1} name
                </label>
                <input
                  id={`header-name-${row.id}`}
                  className="input input-sm w-full font-mono sm:w-56"
                  placeholder="Authorization"
                  spellCheck={false}
                  value={row.name}
                  aria-invalid={rowProblems !== undefined && rowProblems.length > 0}
                  onChange={(event) => update(row.id, { name: event.target.value })}
                />
                <label className="sr-only" htmlFor={`header-value-${row.id}`}>
                  Header {index + 1} value
                </label>
                <input
                  id={`header-value-${row.id}`}
                  className="input input-sm w-full min-w-0 flex-1 font-mono"
                  type={visible ? 'text' : 'password'}
                  autoComplete="off"
                  placeholder="value"
                  spellCheck={false}
                  value={row.value}
                  onChange={(event) => update(row.id, { value: event.target.value })}
                />
                <button
                  type="button"
                  className="btn btn-sm btn-ghost"
                  aria-pressed={visible}
                  aria-label={`${visible ? 'Hide' : 'Show'} the value of header ${index + 1}`}
                  onClick={() => {
                    const next = new Set(shown);
                    if (visible) next.delete(row.id);
                    else next.add(row.id);
                    setShown(next);
                  }}
                >
                  {visible ? 'Hide' : 'Show'}
                </button>
                <button type="button" className="btn btn-sm btn-ghost text-error" aria-label={`Remove header ${index + 1}`} onClick={() => onChange(rows.filter((other) => other.id !== row.id))}>
                  Remove
                </button>
              </div>
              <FieldProblems id={`header-problems-${row.id}`} problems={rowProblems} />
            </div>
          );
        })}
      </div>
      <div>
        <button type="button" className="btn btn-sm btn-outline mt-1" onClick={() => onChange([...rows, { id: rowId(), name: '', value: '' }])}>
          Add a header
        </button>
      </div>
      <FieldProblems id="headers-problems" problems={general} />
    </fieldset>
  );
}
