import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The "..." action menu of a panel row: a <details> disclosure (keyboard and screen reader friendly without
 * script), closed again by Escape, a click outside, or picking an item.
 */
export function ActionMenu({ label, items }: { label: string; items: ReadonlyArray<{ label: string; onSelect: () => void; disabled?: boolean; description?: string }> }) {
  const details = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (event: Event) => {
      const element = details.current;
      if (element === null || !element.open) return;
      if (event instanceof KeyboardEvent) {
        if (event.key !== 'Escape') return;
        element.open = false;
        element.querySelector('summary')?.focus();
        return;
      }
      if (!element.contains(event.target as Node)) element.open = false;
    };
    document.addEventListener('keydown', close);
    document.addEventListener('click', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('click', close);
    };
  }, []);
  return (
    <details ref={details} className="dropdown dropdown-end">
      <summary className="btn btn-sm btn-ghost btn-square" aria-label={label} title={label}>
        <span aria-hidden="true" className="text-lg leading-none">
          ⋯
        </span>
      </summary>
      <ul className="menu dropdown-content z-10 w-56 rounded-box bg-base-100 p-2 shadow-lg">
        {items.map((item) => (
          <li key={item.label} className={item.disabled === true ? 'menu-disabled' : ''}>
            <button
              type="button"
              disabled={item.disabled}
              onClick={() => {
                if (details.current !== null) details.current.open = false;
                item.onSelect();
              }}
            >
              <span>
                {item.label}
                {item.description !== undefined && <span className="block text-xs text-base-content/60">{item.description}</span>}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** A titled card. */
export function Card({ title, actions, children, testId }: { title: string; actions?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="card border border-base-300 bg-base-100 shadow-sm" aria-label={title} data-testid={testId}>
      <div className="card-body gap-3 p-4 sm:p-6">
        <div className="flex items-center justify-between gap-2">
          <h2 className="card-title text-base">{title}</h2>
          {actions}
        </div>
        {children}
      </div>
    </section>
  );
}
