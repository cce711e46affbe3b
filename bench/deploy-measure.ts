// How the deploy benchmark times one command: wall time around the process, and GNU time's peak RSS and CPU
// seconds of the whole process tree; and how it waits for a quieter machine before a run.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/** GNU time (Debian package `time`), not the shell keyword: it reports the peak RSS of the process tree. */
export const gnuTime = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0 ? '/usr/bin/time' : null;

export interface Measurement {
  seconds: number;
  /** Largest peak RSS among the processes of the tree (GNU time's %M), or null without GNU time. */
  maxRssMiB: number | null;
  /** User + system CPU seconds of the whole tree, or null without GNU time. */
  cpuSeconds: number | null;
  /** 1-, 5- and 15-minute load averages just before the run. */
  load: string;
  stdout: string;
}

export function loadNow(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

/**
 * Waits until the 1-minute load average is at most `maxLoad`, checking every `pollSeconds`, at most `tries`
 * times; then runs anyway (the load is recorded with every figure).
 */
export async function waitForQuiet(maxLoad: number, tries: number, pollSeconds: number): Promise<void> {
  for (let attempt = 0; attempt < tries && (loadavg()[0] ?? 0) > maxLoad; attempt += 1) {
    process.stdout.write(`  load ${loadNow()} above ${maxLoad}: waiting ${pollSeconds} s (${attempt + 1}/${tries})\n`);
    await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
  }
}

/** Runs `command args` to its end; a non-zero exit status throws with the command's stderr. */
export async function measure(command: string, args: readonly string[]): Promise<Measurement> {
  const load = loadNow();
  const report = join(tmpdir(), `bench-deploy-time-${process.pid}.txt`);
  const argv = gnuTime === null ? [command, ...args] : [gnuTime, '-f', '%M %U %S', '-o', report, command, ...args];
  const startedAt = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ code: exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
  const seconds = (performance.now() - startedAt) / 1000;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}: ${stderr.slice(-2000)}`);
  let maxRssMiB: number | null = null;
  let cpuSeconds: number | null = null;
  if (gnuTime !== null) {
    const [rssKiB, user, system] = readFileSync(report, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
    rmSync(report, { force: true });
    maxRssMiB = rssKiB === undefined ? null : Math.round(rssKiB / 1024);
    cpuSeconds = user === undefined || system === undefined ? null : Math.round((user + system) * 100) / 100;
  }
  return { seconds, maxRssMiB, cpuSeconds, load, stdout };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
