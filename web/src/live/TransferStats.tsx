import type { TaskProgressEventData } from '../api/types.ts';
import { formatBytes, formatDuration, formatRate } from '../format.ts';

/** The image transfer from the last task.progress event: bytes received and written, rate and time left. */
export function TransferStats({ progress, finished, done }: { progress: TaskProgressEventData | null; finished: boolean; done: boolean }) {
  const total = progress?.bytesTotal ?? null;
  const percent = done ? 100 : progress !== null && total !== null && total > 0 ? Math.min(100, Math.round((progress.bytesDownloaded / total) * 100)) : null;
  return (
    <div className="space-y-2 border-t border-base-200 pt-2" data-testid="transfer">
      <h3 className="text-sm font-semibold">Image</h3>
      {progress === null ? (
        <p className="text-sm text-base-content/60">{finished ? 'No image data was transferred.' : 'The transfer starts once the image is checked.'}</p>
      ) : (
        <>
          <progress className="progress progress-primary w-full" value={percent ?? undefined} max={100} aria-label="Image transfer" />
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-base-content/60">Received</dt>
            <dd data-testid="bytes-downloaded">
              {formatBytes(progress.bytesDownloaded)}
              {total !== null && ` of ${formatBytes(total)}`}
              {percent !== null && ` (${percent}%)`}
            </dd>
            <dt className="text-base-content/60">Written</dt>
            <dd data-testid="bytes-written" title="Runs of zeros are not written: the disk was wiped first">
              {formatBytes(progress.bytesWritten)}
            </dd>
            <dt className="text-base-content/60">Rate</dt>
            <dd data-testid="rate">{finished ? '–' : formatRate(progress.rate)}</dd>
            <dt className="text-base-content/60">Time left</dt>
            <dd data-testid="eta">{finished ? '–' : formatDuration(progress.etaSeconds)}</dd>
          </dl>
        </>
      )}
    </div>
  );
}
