import type { DiskGroupSpec } from '../api/types.ts';
import { FieldProblems } from '../components/Field.tsx';
import { formatDiskSize } from '../format.ts';
import type { FieldProblem } from './validate-install-form.ts';

/** Which disk group receives the image (storage[0].diskGroupId); the image goes to the group's first disk. */
export function DiskGroupPicker({
  groups,
  value,
  problems,
  onChange,
}: {
  groups: readonly DiskGroupSpec[];
  value: number | null;
  problems: readonly FieldProblem[] | undefined;
  onChange: (value: number | null) => void;
}) {
  const lowest = groups.reduce<DiskGroupSpec | undefined>((best, group) => (best === undefined || group.diskGroupId < best.diskGroupId ? group : best), undefined);
  const describe = (group: DiskGroupSpec) => `${group.numberOfDisks} × ${formatDiskSize(group.diskSizeBytes)} ${group.diskType}`;
  return (
    <fieldset className="fieldset py-1">
      <legend className="fieldset-legend pb-1 text-sm">Disk group</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        <label className="flex cursor-pointer items-start gap-3 rounded-box border border-base-300 p-3 has-checked:border-primary has-checked:bg-primary/5">
          <input type="radio" name="diskGroup" className="radio radio-primary radio-sm mt-0.5" checked={value === null} onChange={() => onChange(null)} />
          <span className="text-sm">
            <span className="font-medium">Automatic</span>
            <span className="block text-base-content/70">{lowest === undefined ? 'the first disk group' : `group #${lowest.diskGroupId}: ${describe(lowest)}`}</span>
          </span>
        </label>
        {groups.length > 1 &&
          groups.map((group) => (
            <label key={group.diskGroupId} className="flex cursor-pointer items-start gap-3 rounded-box border border-base-300 p-3 has-checked:border-primary has-checked:bg-primary/5">
              <input type="radio" name="diskGroup" className="radio radio-primary radio-sm mt-0.5" checked={value === group.diskGroupId} onChange={() => onChange(group.diskGroupId)} />
              <span className="text-sm">
                <span className="font-medium">Disk group #{group.diskGroupId}</span>
                <span className="block text-base-content/70">{describe(group)}</span>
              </span>
            </label>
          ))}
      </div>
      <p className="text-xs text-base-content/70">The image is written to the first disk of the group; the other disks are not touched.</p>
      <FieldProblems id="disk-group-problems" problems={problems} />
    </fieldset>
  );
}
