import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

// A small History API router: the panel has five pages, not worth a routing library. `byoi serve` answers
// index.html for every panel path (src/control/web/serve-panel.ts), so reloads and shared links work.

/** The pages of the panel and their parameters. */
export type Route =
  | { page: 'servers' }
  | { page: 'server'; serviceName: string; tab: 'general' | 'tasks' }
  | { page: 'install'; serviceName: string }
  | { page: 'task'; serviceName: string; taskId: number }
  | { page: 'not-found'; path: string };

/** Reads a path into a route. */
export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'servers')) return { page: 'servers' };
  if (parts[0] !== 'servers' || parts[1] === undefined) return { page: 'not-found', path };
  const serviceName = parts[1];
  if (parts.length === 2) return { page: 'server', serviceName, tab: 'general' };
  if (parts.length === 3 && parts[2] === 'tasks') return { page: 'server', serviceName, tab: 'tasks' };
  if (parts.length === 3 && parts[2] === 'install') return { page: 'install', serviceName };
  if (parts.length === 4 && parts[2] === 'tasks' && /^\d+$/.test(parts[3] ?? '')) return { page: 'task', serviceName, taskId: Number(parts[3]) };
  return { page: 'not-found', path };
}

/** The path of a route. */
export function pathOf(route: Route): string {
  switch (route.page) {
    case 'servers':
      return '/servers';
    case 'server':
      return `/servers/${encodeURIComponent(route.serviceName)}${route.tab === 'tasks' ? '/tasks' : ''}`;
    case 'install':
      return `/servers/${encodeURIComponent(route.serviceName)}/install`;
    case 'task':
      return `/servers/${encodeURIComponent(route.serviceName)}/tasks/${route.taskId}`;
    case 'not-found':
      return route.path;
  }
}

const listeners = new Set<() => void>();

/** Goes to a route (a new history entry, or a replacement). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = pathOf(route);
  if (options.replace === true) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

/** The current route, updated on navigation and on the browser's back and forward buttons. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A link to a route: a real <a href> (middle-click, copy link), handled in place on a plain click. */
export function Link({ to, children, ...rest }: { to: Route; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a {...rest} href={pathOf(to)} onClick={onClick}>
      {children}
    </a>
  );
}
