import type { DiskGroupSpec } from '../api/types.ts';
import { formatDiskSize } from '../format.ts';

/** Disk groups with their disks and sizes. */
export function DiskGroupsTable({ groups }: { groups: ReadonlyArray<Pick<DiskGroupSpec, 'diskGroupId' | 'numberOfDisks' | 'diskType' | 'raidController' | 'diskSizeBytes'>> }) {
  return (
    <div className="overflow-x-auto">
      <table className="table table-sm" data-testid="disk-groups">
        <thead>
          <tr>
            <th>Group</th>
            <th>Disks</th>
            <th>Size of each</th>
            <th className="hidden sm:table-cell">RAID controller</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.diskGroupId}>
              <td>#{group.diskGroupId}</td>
              <td>
                {group.numberOfDisks} × {group.diskType}
              </td>
              <td className="whitespace-nowrap">{formatDiskSize(group.diskSizeBytes)}</td>
              <td className="hidden sm:table-cell">{group.raidController ?? 'none'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
