import { useState, type ReactNode } from 'react';
import { isTerminalTaskStatus } from '../../../src/contract/task/task-status.ts';
import type { ServerDetails } from '../api/server-details.ts';
import { formatBytes } from '../format.ts';
import { Link, navigate } from '../app/router.tsx';
import { ActionMenu, Card } from '../components/Dropdown.tsx';
import { TaskStatusBadge, taskFunctionLabel } from '../components/StatusBadge.tsx';
import { BootModeDialog } from './BootModeDialog.tsx';
import { RebootDialog } from './RebootDialog.tsx';
import { DiskGroupsTable } from './DiskGroupsTable.tsx';
import { TaskHistory } from './TaskHistory.tsx';

/** The "General information" tab: system, boot, power, hardware and the last tasks, with their actions. */
export function GeneralInformation({ details, onChanged }: { details: ServerDetails; onChanged: () => void }) {
  const { server, hardware, boot, tasks } = details;
  const [dialog, setDialog] = useState<'boot' | 'reboot' | null>(null);
  const running = tasks.find((task) => !isTerminalTaskStatus(task.status));

  return (
    <div className="space-y-4">
      {running !== undefined && (
        <div role="status" className="alert alert-info alert-soft flex flex-wrap justify-between" data-testid="running-task">
          <span>
            {taskFunctionLabel(running.function)} #{running.taskId} is running: <TaskStatusBadge status={running.status} />
          </span>
          <Link className="btn btn-sm btn-info" to={{ page: 'task', serviceName: server.name, taskId: running.taskId }}>
            Follow it live
          </Link>
        </div>
      )}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="System" testId="system-card">
          <dl className="divide-y divide-base-200 text-sm">
            <Row label="System (OS)" testId="system-os">
              <code className="text-sm">{server.os}</code>
              <ActionMenu
                label="Actions for System (OS)"
                items={[
                  {
                    label: 'Install',
                    description: running === undefined ? 'Deploy an image (erases the disk)' : 'A task is running',
                    disabled: running !== undefined,
                    onSelect: () => navigate({ page: 'install', serviceName: server.name }),
                  },
                ]}
              />
            </Row>
            <Row label="Boot">
              <span>{boot === null ? `boot ${server.bootId ?? '–'}` : `${boot.description} (${boot.bootType})`}</span>
              <ActionMenu label="Actions for Boot" items={[{ label: 'Change the boot mode', onSelect: () => setDialog('boot') }]} />
            </Row>
            <Row label="EFI bootloader path">
              <code className="break-all text-sm">{server.efiBootloaderPath ?? 'not set (byoi detects it at install)'}</code>
            </Row>
            <Row label="Power">
              <span className="badge badge-sm badge-success badge-soft">{server.powerState === 'poweron' ? 'Powered on' : server.powerState}</span>
              <button type="button" className="btn btn-sm btn-outline" disabled={running !== undefined} onClick={() => setDialog('reboot')}>
                Reboot
              </button>
            </Row>
          </dl>
        </Card>
        <Card title="General information">
          <dl className="divide-y divide-base-200 text-sm">
            <Row label="Name">{server.name}</Row>
            <Row label="Display name">{server.displayName}</Row>
            <Row label="Datacenter">{server.datacenter}</Row>
            <Row label="IP">{server.ip ?? '–'}</Row>
            <Row label="Boot mode">
              <span className="uppercase" data-testid="boot-mode">
                {hardware.bootMode}
              </span>
            </Row>
            <Row label="Memory">{formatBytes(hardware.memorySize.value * 1024 * 1024)}</Row>
          </dl>
        </Card>
        <Card title="Disks">
          <DiskGroupsTable groups={hardware.diskGroups} />
          <p className="text-xs text-base-content/60">An image is written to the first disk of the chosen disk group.</p>
        </Card>
        <Card title="Last tasks" actions={<Link to={{ page: 'server', serviceName: server.name, tab: 'tasks' }} className="link text-sm">All tasks</Link>}>
          <TaskHistory serviceName={server.name} tasks={tasks.slice(0, 5)} compact />
        </Card>
      </div>
      <BootModeDialog open={dialog === 'boot'} details={details} onClose={() => setDialog(null)} onChanged={onChanged} />
      <RebootDialog open={dialog === 'reboot'} serviceName={server.name} onClose={() => setDialog(null)} onChanged={onChanged} />
    </div>
  );
}

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="flex min-h-10 flex-wrap items-center justify-between gap-2 py-1.5" data-testid={testId}>
      <dt className="text-base-content/60">{label}</dt>
      <dd className="flex items-center gap-2 text-right">{children}</dd>
    </div>
  );
}
