import type { ReactNode } from 'react';
import { messageOf } from '../api/api-error.ts';
import { Link, type Route } from '../app/router.tsx';
import { ProblemAlert } from './ProblemAlert.tsx';

/** One breadcrumb after "Dedicated servers": a link, or (the last one) the page itself. */
export interface Crumb {
  label: ReactNode;
  to?: Route;
}

/**
 * The frame of the pages below the server list: breadcrumbs from "Dedicated servers" down to this page, the
 * page's heading, then, until its data is there, why it could not be loaded or a spinner, then the page.
 */
export function PageFrame({
  crumbs,
  heading,
  load,
  children,
}: {
  crumbs: readonly Crumb[];
  heading: ReactNode;
  /** The page's data: `loaded` once there is something to show; `error` when loading it failed. */
  load: { loaded: boolean; error: unknown; label?: string; errorTestId?: string };
  children: ReactNode;
}) {
  return (
    <div className="space-y-4">
      <div className="breadcrumbs text-sm">
        <ul>
          <li>
            <Link to={{ page: 'servers' }}>Dedicated servers</Link>
          </li>
          {crumbs.map((crumb, index) =>
            crumb.to === undefined ? (
              <li key={index} aria-current="page">
                {crumb.label}
              </li>
            ) : (
              <li key={index}>
                <Link to={crumb.to}>{crumb.label}</Link>
              </li>
            ),
          )}
        </ul>
      </div>
      {heading}
      {!load.loaded && load.error !== undefined && <ProblemAlert message={messageOf(load.error)} testId={load.errorTestId} />}
      {!load.loaded && load.error === undefined && <span className="loading loading-dots" aria-label={load.label ?? 'Loading'} />}
      {children}
    </div>
  );
}
