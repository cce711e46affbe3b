import { execFile } from 'node:child_process';
import { ByoiError } from '../contract/errors/byoi-error.ts';

/** What a lab tool run printed. */
export interface ToolOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs a host tool (apt-get, dpkg-deb, qemu-img...) without a shell and returns what it printed. A missing tool
 * or a non-zero exit is a BYOI_LAB_TOOL_FAILED naming the command and the end of its stderr.
 */
export function runTool(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 600_000, maxBuffer: 256 * 1024 * 1024, env: options.env ?? process.env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, stderr });
        const code = (error as NodeJS.ErrnoException).code;
        const reason =
          code === 'ENOENT'
            ? `${command} is not installed`
            : `${String(stderr).trim().split('\n').slice(-5).join(' / ') || error.message}`.slice(0, 600);
        reject(new ByoiError('BYOI_LAB_TOOL_FAILED', { command: [command, ...args].join(' ').slice(0, 300), reason }, { cause: error }));
      },
    );
  });
}
