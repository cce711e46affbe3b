// The pieces of the QEMU lab journeys that are not assertions: the cached Debian test images, `byoi` CLI runs,
// `byoi serve` as a child process, SSH into a guest, and what to print when a journey fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repo = new URL('../../../../', import.meta.url).pathname;

/** The tools the lab journeys use (host side): QEMU and firmware, the image builder's, the rescue builder's, SSH. */
export const labTools = [
  'qemu-system-x86_64',
  'qemu-img',
  'debootstrap',
  'sgdisk',
  'partx',
  'losetup',
  'mkfs.ext4',
  'mkfs.vfat',
  'mcopy',
  'mmd',
  'fstrim',
  'flock',
  'grub-mkimage',
  'busybox',
  'dpkg-deb',
  'apt-get',
  'ssh',
  'ssh-keygen',
  // the failure journey reads the disk file as the firmware would
  'sfdisk',
  'blkid',
];

/** Files of Debian packages the lab boots with (ovmf, ipxe-qemu; grub-efi-amd64-bin for the boot service's GRUB loader). */
export const labFiles = [
  '/usr/share/OVMF/OVMF_CODE_4M.fd',
  '/usr/share/OVMF/OVMF_VARS_4M.fd',
  '/usr/lib/ipxe/qemu/efi-e1000.rom',
  '/usr/lib/ipxe/qemu/pxe-e1000.rom',
  '/usr/lib/grub/x86_64-efi/chain.mod',
];

export interface DebianImages {
  dir: string;
  raw: string;
  qcow2: string;
  compressedQcow2: string;
  sha512: (file: string) => string;
}

/**
 * The Debian 12 test images of test/fixtures/build-debian-image.sh, built once per version of the script
 * (.cache/debian-image/KEY/, the script keys and locks it) and reused by later runs.
 */
export async function ensureDebianImages(log: (line: string) => void): Promise<DebianImages> {
  const result = await runCommand('bash', [join(repo, 'test/fixtures/build-debian-image.sh')], { timeoutMs: 20 * 60_000, onLine: log });
  if (result.code !== 0) throw new Error(`build-debian-image.sh failed (${result.code}):\n${tail(result.output, 60)}`);
  const dir = result.stdout.trim().split('\n').at(-1) as string;
  const path = (name: string) => join(dir, name);
  return {
    dir,
    raw: path('debian-12.raw'),
    qcow2: path('debian-12.qcow2'),
    compressedQcow2: path('debian-12-compressed.qcow2'),
    sha512: (file) => readFileSync(`${file}.sha512`, 'utf8').trim(),
  };
}

export interface CommandResult {
  code: number;
  stdout: string;
  /** stdout and stderr as they came. */
  output: string;
}

/** Runs a command to its end (killed after timeoutMs); never throws for a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { cwd: repo, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    let partial = '';
    const onData = (chunk: Buffer, isStdout: boolean) => {
      const text = chunk.toString();
      if (isStdout) stdout += text;
      output += text;
      if (options.onLine !== undefined) {
        partial += text;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) options.onLine(line);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => onData(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => onData(chunk, false));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, output });
    });
  });
}

/** `node bin/byoi.mjs ARGS`; throws with the output on a non-zero exit. */
export async function byoi(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await runCommand(process.execPath, [join(repo, 'bin/byoi.mjs'), ...args], options);
  if (result.code !== 0) throw new Error(`byoi ${args.join(' ')} exited with ${result.code}:\n${tail(result.output, 40)}`);
  return result.stdout;
}

export interface RunningControlPlane {
  /** https://127.0.0.1:PORT */
  origin: string;
  ca: string;
  output(): string;
  stop(): Promise<void>;
}

/** `byoi serve --dev-tls` on a free loopback port, with `env` added to its environment. */
export function startControlPlane(dataDir: string, env: Record<string, string>): Promise<RunningControlPlane> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [join(repo, 'bin/byoi.mjs'), 'serve', '--dev-tls', '--port', '0', '--data-dir', dataDir], {
      cwd: repo,
      env: { ...process.env, ...env },
    });
    let output = '';
    let ready = false;
    const exited = new Promise<void>((done) => child.on('close', () => done()));
    const timer = setTimeout(() => reject(new Error(`byoi serve did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"apiUrl":"([^"]+)".*"msg":"byoi control plane ready"/.exec(output);
      if (match === null || ready) return;
      ready = true;
      clearTimeout(timer);
      resolve({
        origin: (match[1] as string).replace(/\/1\.0$/, ''),
        ca: join(dataDir, 'dev-ca.pem'),
        output: () => output,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`byoi serve exited:\n${output}`));
    });
  });
}

/** Runs `command` in the guest over the lab's SSH forward as `user`, with the test's private key. */
export function ssh(port: number, key: string, user: string, command: string, timeoutMs = 60_000): Promise<CommandResult> {
  return runCommand(
    'ssh',
    [
      '-i', key,
      '-p', String(port),
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=no',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'LogLevel=ERROR',
      '-o', 'ConnectTimeout=20',
      '-o', 'IdentitiesOnly=yes',
      `${user}@127.0.0.1`,
      command,
    ],
    { timeoutMs },
  );
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** The end of a serial console log, without the terminal escapes and the kernel's own lines. */
export function serialTail(path: string, lines = 40): string {
  if (!existsSync(path)) return `(no serial log at ${path})`;
  const text = readFileSync(path, 'latin1')
    .replace(/\x1b\[[0-9;=?]*[A-Za-z]/g, '')
    .replace(/\r/g, '');
  return tail(text, lines);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
