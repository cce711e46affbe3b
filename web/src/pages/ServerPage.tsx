import { useEffect, useState } from 'react';
import { isTerminalTaskStatus } from '../../../src/contract/task/task-status.ts';
import { loadServerDetails } from '../api/server-details.ts';
import type { Session } from '../api/session.ts';
import { useAsync } from '../api/use-async.ts';
import { Link } from '../app/router.tsx';
import { PageFrame } from '../components/PageFrame.tsx';
import { ServerStateBadge } from '../components/StatusBadge.tsx';
import { GeneralInformation } from '../server/GeneralInformation.tsx';
import { ForeignServerView } from '../server/ForeignServerView.tsx';
import { TaskHistory } from '../server/TaskHistory.tsx';

/** A server: "General information" and "Tasks" tabs. */
export function ServerPage({ serviceName, tab, session }: { serviceName: string; tab: 'general' | 'tasks'; session: Session }) {
  const [running, setRunning] = useState(false);
  const details = useAsync(() => loadServerDetails(serviceName, session.operator), `server:${serviceName}`, running ? 3000 : 20000);
  const data = details.data;
  useEffect(() => setRunning(data?.kind === 'own' && data.tasks.some((task) => !isTerminalTaskStatus(task.status))), [data]);

  return (
    <PageFrame
      crumbs={[{ label: serviceName }]}
      heading={
        <>
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-bold break-all">{serviceName}</h1>
            {data?.kind === 'own' && <ServerStateBadge state={data.server.state} />}
          </div>
          {data?.kind === 'own' && <p className="-mt-3 text-sm text-base-content/70">{data.server.displayName}</p>}
        </>
      }
      load={{ loaded: data !== undefined, error: details.error, label: 'Loading the server', errorTestId: 'server-error' }}
    >
      {data?.kind === 'foreign' && <ForeignServerView view={data.view} />}
      {data?.kind === 'own' && (
        <>
          <div role="tablist" className="tabs tabs-border" aria-label="Server sections">
            <Link role="tab" aria-selected={tab === 'general'} className={`tab ${tab === 'general' ? 'tab-active' : ''}`} to={{ page: 'server', serviceName, tab: 'general' }}>
              General information
            </Link>
            <Link role="tab" aria-selected={tab === 'tasks'} className={`tab ${tab === 'tasks' ? 'tab-active' : ''}`} to={{ page: 'server', serviceName, tab: 'tasks' }}>
              Tasks
            </Link>
          </div>
          <div role="tabpanel">
            {tab === 'general' ? <GeneralInformation details={data} onChanged={details.reload} /> : <TaskHistory serviceName={serviceName} tasks={data.tasks} />}
          </div>
        </>
      )}
    </PageFrame>
  );
}
