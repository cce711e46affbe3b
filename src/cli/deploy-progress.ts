import { Presets, SingleBar } from 'cli-progress';
import type { DeployEvent, DeployPhase } from '../contract/deploy-events.ts';

/** How `byoi deploy` shows a deploy: a progress bar (a terminal), plain lines (a log), or JSON lines (--json). */
export type DeployOutputMode = 'tty' | 'plain' | 'json';

export interface DeployRenderer {
  onEvent(event: DeployEvent): void;
  /** Stops the bar (if any) so that the final lines are printed below it. */
  stop(): void;
}

const phaseTitles: Record<DeployPhase, string> = {
  preflight: 'checking the image',
  wipe: 'wiping old signatures',
  write: 'writing',
  verify: 'verifying',
  gpt: 'moving the backup GPT',
  'config-drive': 'writing the config drive',
  boot: 'reading the boot loaders',
  commit: 'committing the partition table',
};

/**
 * Turns deploy events into output. json: each event as one line on stdout (events never carry secrets); tty: a
 * cli-progress bar on stderr for the write (phase, bytes, rate, ETA) and one line per other phase; plain: one
 * line per phase, notice and warning on stderr, and a progress line at most every 10 seconds.
 */
export function createDeployRenderer(mode: DeployOutputMode, out: NodeJS.WritableStream, err: NodeJS.WritableStream): DeployRenderer {
  let bar: SingleBar | null = null;
  let lastPlainProgress = 0;
  const line = (text: string): void => {
    if (bar !== null) bar.stop();
    bar = null;
    err.write(`${text}\n`);
  };

  return {
    onEvent(event) {
      if (mode === 'json') {
        out.write(`${JSON.stringify(event)}\n`);
        return;
      }
      switch (event.type) {
        case 'deploy.start':
          line(`Deploying ${event.image} (${event.imageType}) to ${event.disk} (${formatBytes(event.diskSize)}, ${event.diskSectorSize}-byte sectors)`);
          break;
        case 'preflight.result':
          line(
            `  image: ${event.format}, ${formatBytes(event.virtualSize)}` +
              `${event.partitionTable === null ? '' : `, ${event.partitionTable.toUpperCase()}`}` +
              `${event.acceptsRanges ? '' : ' (the server does not support Range requests)'}`,
          );
          break;
        case 'phase.start':
          if (event.phase === 'write' && mode === 'tty') {
            bar = new SingleBar(
              {
                stream: err,
                format: ' writing [{bar}] {percentage}% | {done} of {size} | {rate}/s | ETA {eta_text}',
                hideCursor: true,
                barsize: 30,
              },
              Presets.shades_classic,
            );
            bar.start(1, 0, { done: '0 B', size: '?', rate: '-', eta_text: '-' });
          } else {
            line(`- ${phaseTitles[event.phase]}`);
          }
          break;
        case 'write.progress':
          if (bar !== null) {
            bar.setTotal(event.bytesTotal ?? Math.max(1, event.bytesDownloaded));
            bar.update(event.bytesDownloaded, {
              done: formatBytes(event.bytesDownloaded),
              size: event.bytesTotal === null ? '?' : formatBytes(event.bytesTotal),
              rate: formatBytes(event.rate),
              eta_text: event.etaSeconds === null ? '-' : `${event.etaSeconds} s`,
            });
          } else if (mode === 'plain' && performance.now() - lastPlainProgress >= 10_000) {
            lastPlainProgress = performance.now();
            const total = event.bytesTotal === null ? '' : ` of ${formatBytes(event.bytesTotal)}`;
            err.write(`  ${formatBytes(event.bytesDownloaded)}${total} at ${formatBytes(event.rate)}/s\n`);
          }
          break;
        case 'phase.end':
          if (event.phase === 'write') line(`- written in ${event.seconds} s`);
          break;
        case 'download.notice':
          line(`  note: ${event.message}`);
          break;
        case 'warning':
          line(`  warning: ${event.warning.message}${event.warning.detail === undefined ? '' : ` (${event.warning.detail})`}`);
          break;
        default:
          break;
      }
    },
    stop() {
      if (bar !== null) bar.stop();
      bar = null;
    },
  };
}

/** Bytes in binary units, one decimal: "1.5 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
