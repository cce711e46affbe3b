import { FieldProblems } from '../components/Field.tsx';
import { rowId, type MetadataRow } from './install-form.ts';
import type { FieldProblem } from './validate-install-form.ts';

/** configDriveMetadata: key/value rows written under "meta" in the config drive's meta_data.json. */
export function MetadataRows({ rows, problems, onChange }: { rows: MetadataRow[]; problems: readonly FieldProblem[] | undefined; onChange: (rows: MetadataRow[]) => void }) {
  const update = (id: number, patch: Partial<MetadataRow>) => onChange(rows.map((row) => (row.id === id ? { ...row, ...patch } : row)));
  const general = problems?.filter((problem) => problem.rowId === undefined);
  const keys = rows.map((row) => row.key).filter((key) => key !== '');
  const repeated = keys.filter((key, index) => keys.indexOf(key) !== index);
  return (
    <fieldset className="fieldset py-1" aria-describedby="metadata-hint metadata-problems">
      <legend className="fieldset-legend pb-1 text-sm">
        Config drive metadata <span className="font-normal text-base-content/60">(optional)</span>
      </legend>
      <p id="metadata-hint" className="text-xs text-base-content/70">
        Custom cloud-init metadata, readable by the installed system under <code>meta</code> in <code>openstack/latest/meta_data.json</code>.
      </p>
      {rows.map((row, index) => {
        const rowProblems = problems?.filter((problem) => problem.rowId === row.id);
        return (
          <div key={row.id} className="space-y-1" data-testid="metadata-row">
            <div className="flex flex-wrap items-center gap-2 sm:flex-nowrap">
              <label className="sr-only" htmlFor={`meta-key-${row.id}`}>
                Metadata {index + 1} key
              </label>
              <input id={`meta-key-${row.id}`} className="input input-sm w-full font-mono sm:w-56" placeholder="role" value={row.key} onChange={(event) => update(row.id, { key: event.target.value })} />
              <label className="sr-only" htmlFor={`meta-value-${row.id}`}>
                Metadata {index + 1} value
              </label>
              <input id={`meta-value-${row.id}`} className="input input-sm w-full min-w-0 flex-1 font-mono" placeholder="web" value={row.value} onChange={(event) => update(row.id, { value: event.target.value })} />
              <button type="button" className="btn btn-sm btn-ghost text-error" aria-label={`Remove metadata ${index + 1}`} onClick={() => onChange(rows.filter((other) => other.id !== row.id))}>
                Remove
              </button>
            </div>
            <FieldProblems id={`meta-problems-${row.id}`} problems={rowProblems} />
          </div>
        );
      })}
      <div>
        <button type="button" className="btn btn-sm btn-outline mt-1" onClick={() => onChange([...rows, { id: rowId(), key: '', value: '' }])}>
          Add metadata
        </button>
      </div>
      {repeated.length > 0 && <p className="text-sm text-warning">The key {repeated[0]} is given twice: only its last value would be sent.</p>}
      <FieldProblems id="metadata-problems" problems={general} />
    </fieldset>
  );
}
