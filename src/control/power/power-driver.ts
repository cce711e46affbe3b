import type { Server } from '../fleet/server-model.ts';

/**
 * One way of controlling a server's power (`local`, `qemu`, `redfish`, `ipmi`: the next engineer's). The
 * runner picks the driver by `server.powerDriver` and passes the decrypted config from readPowerConfig();
 * drivers never log that config. Failures are thrown as ByoiErrors with a provider-fault catalogue code, so
 * the task ends as ovhError with a clear message.
 */
export interface PowerDriver {
  readonly name: string;
  /**
   * Checks a config before a server is registered (admin API and `byoi admin server add`), so a typo shows up
   * at registration rather than during an install. Returns the normalised config.
   */
  validateConfig(config: Record<string, unknown>): Record<string, unknown>;
  /** Reboots the server; `next: 'network'` asks for a one-time network (PXE) boot where the hardware supports it. */
  reboot(server: Server, config: Record<string, unknown>, options: { next: 'network' | 'disk' }): Promise<void>;
  powerState?(server: Server, config: Record<string, unknown>): Promise<'on' | 'off' | 'unknown'>;
}

/** The drivers available to this process, by name. */
export type PowerDriverRegistry = ReadonlyMap<string, PowerDriver>;
