import { useEffect, useMemo, useState } from 'react';
import { messageOf } from '../api/api-error.ts';
import { loadFleet, loadMyServers, type ServerSummary } from '../api/fleet.ts';
import type { Session } from '../api/session.ts';
import { useAsync } from '../api/use-async.ts';
import { Link } from '../app/router.tsx';
import { ServerStateBadge, TaskStatusBadge, taskFunctionLabel } from '../components/StatusBadge.tsx';

type SortKey = 'serviceName' | 'state' | 'bootMode' | 'os' | 'task';

/** Dedicated servers: search, sort, and each server's running task with its progress. */
export function ServersPage({ session }: { session: Session }) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'serviceName', descending: false });
  const [busy, setBusy] = useState(false);
  const load = () => (session.operator ? loadFleet(session.account) : loadMyServers());
  const [running, setRunning] = useState(false);
  // Refresh quickly while a task runs somewhere, slowly otherwise.
  const servers = useAsync(load, `servers:${session.account}`, running ? 2000 : 15000);
  const { data, error } = servers;
  useEffect(() => setRunning(data?.some((server) => server.currentTask !== null) ?? false), [data]);

  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const matching = (data ?? []).filter((server) =>
      needle === '' ? true : [server.serviceName, server.displayName, server.os, server.account ?? '', server.datacenter].some((text) => text.toLowerCase().includes(needle)),
    );
    const value = (server: ServerSummary): string => (sort.key === 'task' ? (server.currentTask === null ? '' : `${server.currentTask.function}`) : String(server[sort.key]));
    return [...matching].sort((a, b) => value(a).localeCompare(value(b), undefined, { numeric: true }) * (sort.descending ? -1 : 1));
  }, [data, query, sort]);

  const header = (key: SortKey, label: string, className = '') => {
    const active = sort.key === key;
    return (
      <th className={className} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button type="button" className="inline-flex items-center gap-1 font-semibold" onClick={() => setSort({ key, descending: active ? !sort.descending : false })}>
          {label}
          <span aria-hidden="true" className="text-xs opacity-60">
            {active ? (sort.descending ? '▼' : '▲') : '↕'}
          </span>
        </button>
      </th>
    );
  };

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">Dedicated servers</h1>
          <p className="text-sm text-base-content/70">{session.operator ? 'The whole fleet, every account.' : `The servers of account ${session.account}.`}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <label className="input input-sm w-64 max-w-full">
            <span className="sr-only">Search servers</span>
            <svg aria-hidden="true" className="h-4 w-4 opacity-50" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
              <circle cx="11" cy="11" r="7" />
              <path d="m20 20-3.5-3.5" />
            </svg>
            <input type="search" placeholder="Search" value={query} onChange={(event) => setQuery(event.target.value)} />
          </label>
          <button
            type="button"
            className="btn btn-sm"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              servers.reload();
              setTimeout(() => setBusy(false), 500);
            }}
          >
            Refresh
          </button>
        </div>
      </div>

      {error !== undefined && data === undefined && (
        <div role="alert" className="alert alert-error alert-soft">
          {messageOf(error)}
        </div>
      )}

      <div className="overflow-x-auto rounded-box border border-base-300 bg-base-100 shadow-sm">
        <table className="table" data-testid="servers-table">
          <caption className="sr-only">Servers, sortable by column</caption>
          <thead>
            <tr>
              {header('serviceName', 'Name')}
              {session.operator && <th>Account</th>}
              {header('state', 'State')}
              {header('bootMode', 'Boot mode', 'hidden md:table-cell')}
              {header('os', 'System (OS)', 'hidden sm:table-cell')}
              {header('task', 'Current task')}
            </tr>
          </thead>
          <tbody>
            {data === undefined && (
              <tr>
                <td colSpan={6} className="text-center">
                  <span className="loading loading-dots" aria-label="Loading servers" />
                </td>
              </tr>
            )}
            {data !== undefined && shown.length === 0 && (
              <tr>
                <td colSpan={6} className="text-center text-base-content/70">
                  {data.length === 0 ? 'This account has no server.' : 'No server matches the search.'}
                </td>
              </tr>
            )}
            {shown.map((server) => (
              <ServerRow key={server.serviceName} server={server} operator={session.operator} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function ServerRow({ server, operator }: { server: ServerSummary; operator: boolean }) {
  const task = server.currentTask;
  return (
    <tr className="hover:bg-base-200/60" data-testid="server-row" data-server={server.serviceName}>
      <td>
        <Link to={{ page: 'server', serviceName: server.serviceName, tab: 'general' }} className="link link-primary font-medium">
          {server.serviceName}
        </Link>
        <div className="text-xs text-base-content/60">{server.displayName}</div>
      </td>
      {operator && (
        <td>
          <span className={`badge badge-sm ${server.mine ? 'badge-primary' : 'badge-ghost'}`}>{server.account}</span>
        </td>
      )}
      <td>
        <ServerStateBadge state={server.state} />
      </td>
      <td className="hidden uppercase md:table-cell">{server.bootMode}</td>
      <td className="hidden sm:table-cell">
        <code className="text-sm">{server.os}</code>
      </td>
      <td className="min-w-48">
        {task === null ? (
          <span className="text-base-content/50">None</span>
        ) : (
          <div className="space-y-1">
            <div className="flex items-center gap-2">
              <span className="text-sm">{taskFunctionLabel(task.function)}</span>
              <TaskStatusBadge status={task.status} />
            </div>
            {task.fraction !== null ? (
              <progress className="progress progress-primary w-full" value={Math.round(task.fraction * 100)} max={100} aria-label={`${taskFunctionLabel(task.function)} progress`} />
            ) : (
              <progress className="progress progress-primary w-full" aria-label={`${taskFunctionLabel(task.function)} in progress`} />
            )}
            <div className="flex justify-between gap-2 text-xs text-base-content/70">
              <span className="truncate">{task.step ?? task.comment}</span>
              {server.mine && (
                <Link to={{ page: 'task', serviceName: server.serviceName, taskId: task.taskId }} className="link whitespace-nowrap">
                  Follow
                </Link>
              )}
            </div>
          </div>
        )}
      </td>
    </tr>
  );
}
