import type { Server } from '../fleet/server-model.ts';
import type { PowerDriver } from './power-driver.ts';

/**
 * A PowerDriver for a machine with a power controller (`qemu`, `redfish`, `ipmi`): besides reboot, it can
 * read the power state and switch the power on and off (for operators' tooling and the lab).
 */
export interface MachinePowerDriver extends PowerDriver {
  powerState(server: Server, config: Record<string, unknown>): Promise<'on' | 'off' | 'unknown'>;
  /** Powers the server on; nothing to do when it is on. */
  powerOn(server: Server, config: Record<string, unknown>): Promise<void>;
  /** Powers the server off: `graceful` asks its OS (ACPI power button), `force` cuts it. */
  powerOff(server: Server, config: Record<string, unknown>, options: { mode: 'graceful' | 'force' }): Promise<void>;
}
