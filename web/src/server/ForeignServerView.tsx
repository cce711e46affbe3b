import type { AdminServerView } from '../api/types.ts';
import { Card } from '../components/Dropdown.tsx';
import { DiskGroupsTable } from './DiskGroupsTable.tsx';

/** Another account's server, as an operator sees it: its facts, without actions (the API acts per account). */
export function ForeignServerView({ view }: { view: AdminServerView }) {
  return (
    <div className="space-y-4" data-testid="foreign-server">
      <div role="note" className="alert alert-info alert-soft">
        <span>
          This server belongs to account <strong>{view.account}</strong>. Installs and reboots are made with that account's keys (or with <code>byoi admin</code>).
        </span>
      </div>
      <div className="grid gap-4 md:grid-cols-2">
        <Card title="General information">
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="text-base-content/60">Display name</dt>
            <dd>{view.displayName}</dd>
            <dt className="text-base-content/60">System (OS)</dt>
            <dd>
              <code>{view.os}</code>
            </dd>
            <dt className="text-base-content/60">Boot mode</dt>
            <dd className="uppercase">{view.bootMode}</dd>
            <dt className="text-base-content/60">Power driver</dt>
            <dd>{view.powerDriver}</dd>
            <dt className="text-base-content/60">MAC</dt>
            <dd>
              <code>{view.mac}</code>
            </dd>
            <dt className="text-base-content/60">Running task</dt>
            <dd>{view.activeTaskId === null ? 'None' : `#${view.activeTaskId}`}</dd>
          </dl>
        </Card>
        <Card title="Disks">
          <DiskGroupsTable
            groups={view.diskGroups.map((group) => ({
              diskGroupId: group.diskGroupId,
              numberOfDisks: group.disks.length,
              diskType: group.diskType,
              raidController: group.raidController,
              diskSizeBytes: group.disks[0]?.sizeBytes ?? 0,
            }))}
          />
        </Card>
      </div>
    </div>
  );
}
