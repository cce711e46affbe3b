import type { Session } from '../api/session.ts';
import { Link } from './router.tsx';

/** The top bar: product, section, who is signed in, sign-out. */
export function Navbar({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  return (
    <header className="navbar bg-primary px-3 text-primary-content shadow sm:px-6">
      <div className="flex flex-1 items-center gap-3">
        <Link to={{ page: 'servers' }} className="text-lg font-bold tracking-tight">
          byoi
        </Link>
        <span className="hidden text-sm opacity-80 sm:inline">Bare Metal Cloud · Dedicated servers</span>
      </div>
      <div className="flex items-center gap-2">
        <span className="text-sm" data-testid="signed-in-account">
          <span className="sr-only">Signed in as </span>
          {session.account}
        </span>
        {session.operator && <span className="badge badge-sm badge-warning">operator</span>}
        <button type="button" className="btn btn-sm btn-outline border-primary-content/60 text-primary-content hover:bg-primary-content hover:text-primary" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
