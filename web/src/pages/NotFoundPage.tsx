import { Link } from '../app/router.tsx';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <div className="card bg-base-100 shadow-sm">
      <div className="card-body">
        <h1 className="card-title">Page not found</h1>
        <p>
          Nothing lives at <code>{path}</code>.
        </p>
        <Link to={{ page: 'servers' }} className="link link-primary">
          Back to the servers
        </Link>
      </div>
    </div>
  );
}
