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
  /**
   * Reboots the server; `next: 'network'` asks for a one-time network (PXE) boot where the hardware supports it.
   * During an install the runner also passes `installer`: a driver whose servers network-boot ignores it (the
   * boot service hands the rescue system and a fresh agent token to the server when iPXE asks); a driver that
   * runs the installer itself (`local`) starts it with a token from `installer.issueToken()`.
   */
  reboot(server: Server, config: Record<string, unknown>, options: { next: 'network' | 'disk'; installer?: InstallerLaunch }): Promise<void>;
  powerState?(server: Server, config: Record<string, unknown>): Promise<'on' | 'off' | 'unknown'>;
  /**
   * Only for drivers that run the installer inside the control plane's process (`local`): whether the installer
   * of task `taskId` runs now. It does not survive a restart of the process, so a runner that resumes the task
   * after a restart reboots the server into the installer again when this says false. Drivers without it:
   * the installer lives on the server and outlives a control-plane restart.
   */
  isInstallerRunning?(server: Server, taskId: number): boolean;
}

/** What a driver needs to start the installer of one install task itself (the `local` driver). */
export interface InstallerLaunch {
  taskId: number;
  /** A fresh one-time agent token for the task; the previous one stops working. */
  issueToken(): Promise<string>;
  /**
   * Where the installer reaches the control plane: its own listening address over loopback, and the CA to trust
   * when it serves TLS. Resolves once the control plane listens.
   */
  endpoint(): Promise<{ url: string; ca?: string }>;
}

/** The drivers available to this process, by name. */
export type PowerDriverRegistry = ReadonlyMap<string, PowerDriver>;
