import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./control-cli.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs the control-plane CLI to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A running `serve`: its process, the API URL it printed, all it printed so far, and SIGTERM with the exit status. */
export interface ServeProcess {
  child: ChildProcess;
  apiUrl: string;
  output: () => string;
  stop: () => Promise<number>;
}

/**
 * Starts `serve` and waits for its "ready" log line. By default through control-cli.ts (serve and admin only);
 * with `entry: 'bin'`, as `npm start` runs it: `node bin/byoi.mjs serve` from the repository's root.
 */
export function startServe(
  args: string[],
  env: Record<string, string> = {},
  options: { entry?: 'control-cli' | 'bin'; startTimeoutMs?: number } = {},
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const bin = options.entry === 'bin';
    const command = bin ? ['bin/byoi.mjs', 'serve'] : ['--import', 'tsx', script, 'serve'];
    const child = spawn(process.execPath, [...command, ...args], { cwd: bin ? repoRoot : undefined, env: { ...process.env, ...env } });
    let output = '';
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), options.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const ready = /"apiUrl":"([^"]+)".*"msg":"byoi control plane ready"/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({
          child,
          apiUrl: ready[1] as string,
          output: () => output,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}

/**
 * Runs `byoi serve|admin ...` in this process (no process start-up cost) and returns what `byoi` would print
 * and its exit status. Only for commands that end (not a successful `serve`).
 */
export async function runCliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { Command, CommanderError } = await import('commander');
  const { registerServe } = await import('../../../../src/cli/commands/serve.ts');
  const { registerAdmin } = await import('../../../../src/cli/commands/admin.ts');
  const { adminOutput } = await import('../../../../src/cli/commands/admin-store.ts');
  const { isByoiError } = await import('../../../../src/contract/errors/byoi-error.ts');
  const program = new Command('byoi').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  registerServe(program);
  registerAdmin(program);
  let stdout = '';
  const previous = adminOutput.write;
  adminOutput.write = (text) => void (stdout += text);
  try {
    await program.parseAsync(['node', 'byoi', ...args]);
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, stdout, stderr: error.message };
    if (isByoiError(error)) return { code: 1, stdout, stderr: `byoi: ${error.message}\n` };
    throw error;
  } finally {
    adminOutput.write = previous;
  }
}
