import type { InspectResult } from '../api/types.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { formatBytes } from '../format.ts';

/** What the control plane found in the image, read by a few HTTP Range requests, before anything is erased. */
export function InspectPanel({ result }: { result: InspectResult }) {
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  return (
    <div className="space-y-3 rounded-box border border-base-300 bg-base-200/50 p-3" data-testid="inspect-result">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-semibold">Inspection</h3>
        {errors.length === 0 ? <span className="badge badge-success">No blocking problem</span> : <span className="badge badge-error">{errors.length} blocking problem(s)</span>}
        <span className="text-xs text-base-content/60">
          {result.access.requests} request(s), {formatBytes(result.access.bytesRead)} read of {formatBytes(result.fileSize)}
        </span>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-base-content/60">Format</dt>
        <dd data-testid="inspect-format">
          {result.format}
          {result.qcow2 !== null && ` v${result.qcow2.version}, ${formatBytes(result.qcow2.clusterSize)} clusters`}
        </dd>
        <dt className="text-base-content/60">Size</dt>
        <dd>
          {formatBytes(result.virtualSize)} disk{result.format !== 'raw' && `, ${formatBytes(result.fileSize)} file`}
        </dd>
        <dt className="text-base-content/60">Partitions</dt>
        <dd>
          {result.partitionTable === null ? (
            (result.contents ?? 'no partition table')
          ) : (
            <>
              {result.partitionTable.type.toUpperCase()}, {result.partitionTable.sectorSize}-byte sectors
              <ul className="text-xs text-base-content/70">
                {result.partitionTable.partitions.map((partition) => (
                  <li key={partition.number}>
                    #{partition.number} {partition.typeName ?? partition.type} {formatBytes(partition.size)}
                    {partition.filesystem !== null && ` (${partition.filesystem}${partition.label === null ? '' : ` "${partition.label}"`})`}
                  </li>
                ))}
              </ul>
            </>
          )}
        </dd>
        <dt className="text-base-content/60">EFI loaders</dt>
        <dd className="break-all font-mono text-xs" data-testid="inspect-loaders">
          {result.boot.efiBootloaderPaths.length === 0 ? 'none' : result.boot.efiBootloaderPaths.join(', ')}
        </dd>
        <dt className="text-base-content/60">Legacy boot</dt>
        <dd>{result.boot.legacy ? 'looks possible' : 'no boot code found'}</dd>
      </dl>
      {result.problems.map((problem, index) => (
        <ProblemAlert key={index} severity={problem.severity === 'error' ? 'error' : 'warning'} message={problem.message} solution={problem.solution} testId="inspect-problem" />
      ))}
      {result.unchecked.length > 0 && (
        <ul className="list-disc pl-5 text-xs text-base-content/70">
          {result.unchecked.map((sentence) => (
            <li key={sentence}>Not checked yet: {sentence}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
