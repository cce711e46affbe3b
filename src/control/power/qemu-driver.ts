import { isAbsolute } from 'node:path';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Server } from '../fleet/server-model.ts';
import type { MachinePowerDriver } from './machine-power-driver.ts';
import { optionalInteger, refuseUnknownKeys, requireString } from './_power-config.ts';
import { QmpFailure, qmpExecute, type QmpCommand } from './qmp-client.ts';

/** The `qemu` driver's config: `{qmpSocket: "/abs/path/qmp.sock", timeoutSeconds?: 10}`. */
export interface QemuPowerConfig {
  qmpSocket: string;
  timeoutSeconds: number;
}

/** QEMU run states (QMP `query-status`) in which the machine counts as powered off. */
const offStates: ReadonlySet<string> = new Set(['shutdown', 'prelaunch']);

/**
 * Virtual servers (the QEMU lab) over QMP on a unix socket. The lab starts each machine with its NIC's iPXE
 * ROM first in the boot order, as OVH does with real servers, so the boot service decides what boots and
 * `next` needs no boot override here: a reboot is `system_reset`, preceded by `cont` when the machine is
 * stopped (started with -S, paused, or shut down with -no-shutdown). Power off: `system_powerdown` (ACPI,
 * the guest may ignore it) or `quit` (ends the QEMU process; the lab starts it again).
 */
export function createQemuDriver(): MachinePowerDriver {
  function config(raw: Record<string, unknown>): QemuPowerConfig {
    refuseUnknownKeys(raw, ['qmpSocket', 'timeoutSeconds']);
    return {
      qmpSocket: requireString(raw, 'qmpSocket', (value) => (isAbsolute(value) ? undefined : 'must be an absolute path to the QMP unix socket')),
      timeoutSeconds: optionalInteger(raw, 'timeoutSeconds', 1, 120, 10),
    };
  }

  async function qmp(server: Server, settings: QemuPowerConfig, action: string, commands: QmpCommand[]): Promise<unknown[]> {
    try {
      return await qmpExecute(settings.qmpSocket, commands, { timeoutMs: settings.timeoutSeconds * 1000 });
    } catch (error) {
      if (!(error instanceof QmpFailure)) throw error;
      const detail = { detail: error.message, cause: error };
      switch (error.kind) {
        case 'not-running':
          throw new ByoiError('BYOI_POWER_NOT_RUNNING', { serverName: server.serviceName, socket: settings.qmpSocket }, detail);
        case 'timeout':
          throw new ByoiError('BYOI_POWER_TIMEOUT', { driver: 'qemu', serverName: server.serviceName, address: settings.qmpSocket, seconds: settings.timeoutSeconds, action }, detail);
        case 'error':
          throw new ByoiError('BYOI_POWER_REFUSED', { driver: 'qemu', serverName: server.serviceName, action, reason: error.message }, detail);
        case 'protocol':
          throw new ByoiError('BYOI_POWER_UNREACHABLE', { driver: 'qemu', serverName: server.serviceName, address: settings.qmpSocket, reason: error.message }, detail);
      }
    }
  }

  async function status(server: Server, settings: QemuPowerConfig): Promise<string> {
    const [result] = await qmp(server, settings, 'read the run state', [{ execute: 'query-status' }]);
    return String((result as { status?: unknown } | undefined)?.status ?? 'unknown');
  }

  /** Resets the machine and makes sure it runs, then checks that it does. */
  async function resetAndRun(server: Server, settings: QemuPowerConfig, action: string): Promise<void> {
    const before = await status(server, settings);
    const commands: QmpCommand[] = [];
    // prelaunch: never ran, `cont` starts the firmware; a stopped or shut-down machine is reset first.
    if (before !== 'prelaunch') commands.push({ execute: 'system_reset' });
    if (before !== 'running') commands.push({ execute: 'cont' });
    await qmp(server, settings, action, commands);
    const after = await status(server, settings);
    if (after !== 'running') {
      throw new ByoiError('BYOI_POWER_REFUSED', { driver: 'qemu', serverName: server.serviceName, action, reason: `the machine is ${after} after the reset, not running` });
    }
  }

  return {
    name: 'qemu',
    validateConfig: (raw) => ({ ...config(raw) }),
    async reboot(server, raw) {
      await resetAndRun(server, config(raw), 'reset the machine');
    },
    async powerOn(server, raw) {
      const settings = config(raw);
      if ((await status(server, settings)) !== 'running') await resetAndRun(server, settings, 'power the machine on');
    },
    async powerOff(server, raw, options) {
      const settings = config(raw);
      await qmp(server, settings, options.mode === 'force' ? 'quit QEMU' : 'press the ACPI power button', [{ execute: options.mode === 'force' ? 'quit' : 'system_powerdown' }]);
    },
    async powerState(server, raw) {
      try {
        return offStates.has(await status(server, config(raw))) ? 'off' : 'on';
      } catch (error) {
        // No QEMU process behind the socket: the virtual server is off.
        if ((error as { code?: unknown }).code === 'BYOI_POWER_NOT_RUNNING') return 'off';
        throw error;
      }
    },
  };
}
