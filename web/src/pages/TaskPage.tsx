import { useEffect, useState } from 'react';
import { isTerminalTaskStatus } from '../../../src/contract/task/task-status.ts';
import { api, segment } from '../api/client.ts';
import { explainError } from '../api/explain-error.ts';
import { getServer, getTask } from '../api/fleet.ts';
import { installFraction } from '../api/install-progress.ts';
import { useAsync } from '../api/use-async.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { PageFrame } from '../components/PageFrame.tsx';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { TaskStatusBadge, taskFunctionLabel } from '../components/StatusBadge.tsx';
import { formatDate, formatDuration } from '../format.ts';
import { InstallSteps } from '../live/InstallSteps.tsx';
import { TransferStats } from '../live/TransferStats.tsx';
import { useTaskEvents } from '../live/use-task-events.ts';

/** One task, live: its steps, the image write's bytes, rate and ETA, and how it ended, explained. */
export function TaskPage({ serviceName, taskId }: { serviceName: string; taskId: number }) {
  const live = useTaskEvents(serviceName, taskId);
  const task = useAsync(() => getTask(serviceName, taskId), `task:${serviceName}:${taskId}:${live.status ?? ''}`);
  const finished = live.status !== null && isTerminalTaskStatus(live.status);
  const server = useAsync(() => getServer(serviceName), `server:${serviceName}:${live.status === 'done'}`);
  const [now, setNow] = useState(Date.now());
  const [askingCancel, setAskingCancel] = useState(false);

  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [finished]);

  const info = task.data;
  const started = info === undefined ? null : Date.parse(info.startDate);
  const ended = info?.doneDate === null || info?.doneDate === undefined ? null : Date.parse(info.doneDate);
  const elapsed = started === null ? null : ((ended ?? (finished ? now : now)) - started) / 1000;
  const install = info?.function !== 'hardReboot';
  const firstBoot = live.steps.find((step) => step.id === 'first-boot');
  const failure =
    live.status === 'customerError' || live.status === 'ovhError' || live.status === 'cancelled'
      ? explainError(live.errorMessage ?? live.comment ?? info?.comment ?? '', live.errorCode)
      : null;
  const fraction = installFraction(live.steps, { downloaded: live.progress?.bytesDownloaded ?? null, total: live.progress?.bytesTotal ?? null });

  const cancel = async () => {
    await api('POST', `/dedicated/server/${segment(serviceName)}/task/${taskId}/cancel`);
    setAskingCancel(false);
  };

  return (
    <PageFrame
      crumbs={[
        { label: serviceName, to: { page: 'server', serviceName, tab: 'general' } },
        { label: 'Tasks', to: { page: 'server', serviceName, tab: 'tasks' } },
        { label: `#${taskId}` },
      ]}
      heading={
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-bold">
              {info === undefined ? 'Task' : taskFunctionLabel(info.function)} #{taskId}
            </h1>
            {live.status !== null && <TaskStatusBadge status={live.status} />}
            <span className="text-xs text-base-content/60" aria-live="polite" data-testid="stream-state">
              {finished ? '' : live.connection === 'open' ? 'live' : live.connection === 'reconnecting' ? 'reconnecting…' : live.connection === 'connecting' ? 'connecting…' : ''}
            </span>
          </div>
          {!finished && live.status !== null && (
            <button type="button" className="btn btn-sm btn-outline btn-error" onClick={() => setAskingCancel(true)}>
              Cancel the task
            </button>
          )}
        </div>
      }
      // The live stream shows the steps before the task's details come (and again while they reload).
      load={{ loaded: info !== undefined || live.status !== null, error: task.error }}
    >
      <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
        <div className="space-y-4">
          {failure !== null && (
            <ProblemAlert
              title={live.status === 'cancelled' ? 'The task was cancelled' : install ? 'The installation failed' : 'The task failed'}
              message={failure.message}
              solution={failure.solution}
              testId="task-failure"
            />
          )}
          {live.status === 'done' && install && (
            <div role="status" className="alert alert-success alert-soft items-start" data-testid="task-success">
              <div>
                <p className="font-semibold">The image is installed and the server boots from its disk.</p>
                <p className="text-sm">
                  EFI bootloader path: <code data-testid="detected-efi-path">{server.data?.efiBootloaderPath ?? '…'}</code>
                </p>
                <p className="text-sm" data-testid="first-boot">
                  {firstBoot?.status === 'done'
                    ? '✓ First boot confirmed: the installed system reported in.'
                    : firstBoot?.status === 'error'
                      ? `The first boot failed: ${firstBoot.error ?? ''}`
                      : 'Waiting for the first boot confirmation (sent by cloud-init\u2019s phone_home; an image without cloud-init never sends it).'}
                </p>
              </div>
            </div>
          )}
          {live.status === 'done' && !install && (
            <div role="status" className="alert alert-success alert-soft" data-testid="task-success">
              {info?.comment ?? 'Done'}
            </div>
          )}
          {install ? (
            <section className="card bg-base-100 shadow-sm" aria-labelledby="steps-title">
              <div className="card-body p-4 sm:p-6">
                <div className="flex items-center justify-between gap-2">
                  <h2 id="steps-title" className="card-title text-base">
                    Installation steps
                  </h2>
                  <span className="text-sm text-base-content/70">{Math.round(fraction * 100)}%</span>
                </div>
                <progress className={`progress w-full ${failure !== null ? 'progress-error' : 'progress-primary'}`} value={Math.round(fraction * 100)} max={100} aria-label="Installation progress" />
                <InstallSteps steps={live.steps} />
              </div>
            </section>
          ) : (
            <section className="card bg-base-100 shadow-sm">
              <div className="card-body">
                <p>{live.comment || info?.comment}</p>
                {!finished && <progress className="progress progress-primary w-full" aria-label="Task in progress" />}
              </div>
            </section>
          )}
          {live.notices.length > 0 && (
            <section className="card bg-base-100 shadow-sm" aria-labelledby="notices-title">
              <div className="card-body p-4 sm:p-6">
                <h2 id="notices-title" className="card-title text-base">
                  Notices
                </h2>
                <ul className="space-y-1 text-sm" data-testid="notices">
                  {live.notices.map((notice, index) => (
                    <li key={index}>
                      <span className="text-base-content/50">{new Date(notice.at).toLocaleTimeString()} </span>
                      {notice.message}
                    </li>
                  ))}
                </ul>
              </div>
            </section>
          )}
        </div>
        <aside className="space-y-4">
          <section className="card bg-base-100 shadow-sm" aria-labelledby="figures-title">
            <div className="card-body p-4">
              <h2 id="figures-title" className="card-title text-base">
                Figures
              </h2>
              <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
                <dt className="text-base-content/60">Started</dt>
                <dd>{formatDate(info?.startDate)}</dd>
                <dt className="text-base-content/60">Elapsed</dt>
                <dd data-testid="elapsed">{formatDuration(elapsed)}</dd>
                {finished && (
                  <>
                    <dt className="text-base-content/60">Finished</dt>
                    <dd>{formatDate(info?.doneDate)}</dd>
                  </>
                )}
              </dl>
              {install && <TransferStats progress={live.progress} finished={finished} done={live.status === 'done'} />}
            </div>
          </section>
        </aside>
      </div>

      <ConfirmDialog
        open={askingCancel}
        title="Cancel this task?"
        confirmLabel="Cancel the task"
        confirmClass="btn-error"
        cancelLabel="Keep it running"
        onConfirm={cancel}
        onClose={() => setAskingCancel(false)}
      >
        <p>The installer is stopped. A disk cancelled while the image was being written holds a partial image: install again before using the server.</p>
      </ConfirmDialog>
    </PageFrame>
  );
}
