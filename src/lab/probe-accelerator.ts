import { spawn } from 'node:child_process';
import { constants, accessSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabAccelerator } from './lab-state.ts';
import { labFirmwareFiles } from './qemu-machine-args.ts';

/** Which accelerator the lab uses, and why. */
export interface AcceleratorChoice {
  accelerator: LabAccelerator;
  reason: string;
}

/** How long OVMF under a working KVM takes to reach its boot manager: about a second; TCG takes about four. */
const probeTimeoutMs = 6000;

/**
 * KVM when /dev/kvm really works, else TCG. A /dev/kvm that opens is not enough (../shared/lab-facts.md: on these
 * machines OVMF dies at once with "KVM internal error ... emulation failure", and SeaBIOS runs 40 times slower
 * than under TCG): the probe boots OVMF under KVM and wants its boot manager's first line ("BdsDxe") on the
 * serial console within a few seconds. Anything else (an exit, an error, silence) means TCG.
 */
export async function probeAccelerator(qemu = 'qemu-system-x86_64'): Promise<AcceleratorChoice> {
  if (!existsSync('/dev/kvm')) return { accelerator: 'tcg', reason: 'no /dev/kvm' };
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accelerator: 'tcg', reason: '/dev/kvm is not readable and writable by this user' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'byoi-kvm-probe-'));
  try {
    const vars = join(dir, 'vars.fd');
    const serial = join(dir, 'serial.log');
    copyFileSync(labFirmwareFiles.ovmfVars, vars);
    const started = Date.now();
    const vm = spawn(
      qemu,
      [
        '-accel', 'kvm', '-cpu', 'host', '-machine', 'q35', '-m', '256M', '-smp', '1', '-nodefaults', '-no-user-config', '-display', 'none',
        '-drive', `if=pflash,format=raw,readonly=on,file=${labFirmwareFiles.ovmfCode}`, '-drive', `if=pflash,format=raw,file=${vars}`,
        '-serial', `file:${serial}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    vm.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => {
      vm.on('exit', (code) => resolve(code));
      vm.on('error', (error) => {
        stderr += error.message;
        resolve(null);
      });
    });
    try {
      while (Date.now() - started < probeTimeoutMs) {
        const code = await Promise.race([exited, new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), 200))]);
        if (code !== 'tick') return { accelerator: 'tcg', reason: `KVM does not run OVMF here: ${stderr.trim().split('\n')[0] ?? `qemu exited with ${code}`}` };
        if (existsSync(serial) && readFileSync(serial, 'latin1').includes('BdsDxe')) {
          return { accelerator: 'kvm', reason: `OVMF reached its boot manager under KVM in ${((Date.now() - started) / 1000).toFixed(1)} s` };
        }
      }
      return { accelerator: 'tcg', reason: `OVMF under KVM said nothing in ${probeTimeoutMs / 1000} s (a KVM that cannot run firmware, or one slower than TCG)` };
    } finally {
      vm.kill('SIGKILL');
      await exited;
    }
  } catch (error) {
    return { accelerator: 'tcg', reason: `the KVM probe failed: ${(error as Error).message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
