// Runs `node bin/byoi.mjs inspect ...` as a real process, asynchronously (tests serve images from this process, so
// it must keep answering while the child runs), and a few at a time (each start costs a CPU for a second or two).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../../bin/byoi.mjs', import.meta.url));

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** `byoi inspect <args>`; `env` is added to this process's environment. */
export function runInspect(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'inspect', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? (signal === null ? -1 : 128), stdout, stderr });
    });
  });
}

/** Runs `work` over `items`, at most `concurrency` at a time, keeping the order of results. */
export async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
  return results;
}

/** The one JSON object `--json` prints; fails with the output when there is anything else on stdout. */
export function parseJson<T>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON object (status ${run.status}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
