import { execFile } from 'node:child_process';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Server } from '../fleet/server-model.ts';
import type { MachinePowerDriver } from './machine-power-driver.ts';
import { optionalEnum, optionalInteger, optionalString, refuseUnknownKeys, requireString } from './_power-config.ts';

/**
 * The `ipmi` driver's config: the BMC's `address` (host name or IP, no scheme), `port` (623), `user`,
 * `password`, `interface` (lanplus: IPMI 2.0 RMCP+; lan: IPMI 1.5), `cipherSuite` (ipmitool -C), per-try
 * `timeoutSeconds` and `retries` (ipmitool -N and -R), `tool` (path of ipmitool), `bootMode` (overrides
 * the server's, for the EFI boot flag).
 */
export interface IpmiPowerConfig {
  address: string;
  port: number;
  user: string;
  password: string;
  interface: 'lanplus' | 'lan';
  cipherSuite: number | undefined;
  timeoutSeconds: number;
  retries: number;
  tool: string;
  bootMode: 'uefi' | 'legacy' | undefined;
}

const configKeys = ['address', 'port', 'user', 'password', 'interface', 'cipherSuite', 'timeoutSeconds', 'retries', 'tool', 'bootMode'] as const;

/** What one ipmitool run gave. */
interface IpmitoolRun {
  stdout: string;
  stderr: string;
}

/**
 * Real servers through IPMI over LAN with ipmitool (Debian package ipmitool). The password travels only in
 * the IPMI_PASSWORD environment variable of the child (`-E`), never on its command line, where any user of
 * the host could read it in the process list. `reboot({next: 'network'})`:
 *   1. `chassis bootdev pxe` (+ `options=efiboot` for UEFI servers): a one-time PXE boot,
 *   2. `chassis bootparam get 5` and check that the boot device selector says Force PXE and, for UEFI, that
 *      the EFI flag held; otherwise BYOI_POWER_BOOT_OVERRIDE (a BMC that drops the flag would boot the disk),
 *   3. `chassis power status`, then `chassis power reset` when on, `chassis power on` when off.
 */
export function createIpmiDriver(): MachinePowerDriver {
  function config(raw: Record<string, unknown>): IpmiPowerConfig {
    refuseUnknownKeys(raw, configKeys);
    const cipher = raw.cipherSuite === undefined ? undefined : optionalInteger(raw, 'cipherSuite', 0, 17, 3);
    return {
      address: requireString(raw, 'address', (value) => (/^[A-Za-z0-9.:\-[\]]+$/.test(value) ? undefined : 'must be a host name or an IP address (no scheme, no port)')),
      port: optionalInteger(raw, 'port', 1, 65535, 623),
      user: requireString(raw, 'user', (value) => (value.startsWith('-') ? 'must not start with -' : undefined)),
      password: requireString(raw, 'password'),
      interface: optionalEnum(raw, 'interface', ['lanplus', 'lan'] as const, 'lanplus'),
      cipherSuite: cipher,
      timeoutSeconds: optionalInteger(raw, 'timeoutSeconds', 1, 60, 5),
      retries: optionalInteger(raw, 'retries', 0, 5, 2),
      tool: optionalString(raw, 'tool') ?? 'ipmitool',
      bootMode: optionalEnum(raw, 'bootMode', ['uefi', 'legacy'] as const, undefined as unknown as 'uefi'),
    };
  }

  /** ipmitool's arguments before the command; the password is not among them. */
  function baseArgs(settings: IpmiPowerConfig): string[] {
    const args = ['-v', '-I', settings.interface, '-H', settings.address, '-p', String(settings.port), '-U', settings.user, '-E'];
    args.push('-N', String(settings.timeoutSeconds), '-R', String(settings.retries));
    if (settings.cipherSuite !== undefined) args.push('-C', String(settings.cipherSuite));
    return args;
  }

  function ipmitool(server: Server, settings: IpmiPowerConfig, action: string, command: string[]): Promise<IpmitoolRun> {
    // Every try can take timeoutSeconds; past all of them (and a margin) the child is killed.
    const deadlineMs = (settings.timeoutSeconds * (settings.retries + 1) + 5) * 1000;
    const base = { driver: 'ipmi', serverName: server.serviceName, address: `${settings.address}:${settings.port}` };
    return new Promise((resolve, reject) => {
      execFile(
        settings.tool,
        [...baseArgs(settings), ...command],
        { env: { ...process.env, IPMI_PASSWORD: settings.password }, timeout: deadlineMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error === null) {
            resolve({ stdout, stderr });
            return;
          }
          const failure = error as NodeJS.ErrnoException & { killed?: boolean };
          if (failure.code === 'ENOENT') {
            reject(new ByoiError('BYOI_POWER_TOOL_MISSING', { tool: settings.tool, serverName: server.serviceName, reason: 'not found (install the Debian package ipmitool)' }));
            return;
          }
          if (failure.killed === true) {
            reject(new ByoiError('BYOI_POWER_TIMEOUT', { ...base, seconds: Math.round(deadlineMs / 1000), action }));
            return;
          }
          reject(classify(stderr, base, settings.user, action));
        },
      );
    });
  }

  async function status(server: Server, settings: IpmiPowerConfig): Promise<'on' | 'off' | 'unknown'> {
    const { stdout } = await ipmitool(server, settings, 'read the power state', ['chassis', 'power', 'status']);
    const state = /Chassis Power is (on|off)/i.exec(stdout)?.[1]?.toLowerCase();
    return state === 'on' || state === 'off' ? state : 'unknown';
  }

  async function setOneTimePxe(server: Server, settings: IpmiPowerConfig): Promise<void> {
    const efi = (settings.bootMode ?? server.bootMode) === 'uefi';
    await ipmitool(server, settings, 'set a one-time network boot', ['chassis', 'bootdev', 'pxe', ...(efi ? ['options=efiboot'] : [])]);
    const { stdout } = await ipmitool(server, settings, 'read the boot flags back', ['chassis', 'bootparam', 'get', '5']);
    const selector = /Boot Device Selector\s*:\s*(.+)/.exec(stdout)?.[1]?.trim() ?? 'no boot device selector';
    const efiHeld = /BIOS EFI boot/i.test(stdout);
    if (!/Force PXE/i.test(selector) || (efi && !efiHeld)) {
      throw new ByoiError('BYOI_POWER_BOOT_OVERRIDE', {
        serverName: server.serviceName,
        target: efi ? 'UEFI PXE' : 'PXE',
        found: `${selector}, ${efiHeld ? 'BIOS EFI boot' : 'BIOS PC Compatible (legacy) boot'}${/Boot Flag Valid/i.test(stdout) ? '' : ', boot flag not valid'}`,
      });
    }
  }

  return {
    name: 'ipmi',
    validateConfig(raw) {
      const out: Record<string, unknown> = { ...config(raw) };
      for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
      return out;
    },
    async reboot(server, raw, options) {
      const settings = config(raw);
      if (options.next === 'network') await setOneTimePxe(server, settings);
      const state = await status(server, settings);
      await ipmitool(server, settings, state === 'off' ? 'power on' : 'reset', ['chassis', 'power', state === 'off' ? 'on' : 'reset']);
    },
    async powerOn(server, raw) {
      const settings = config(raw);
      if ((await status(server, settings)) !== 'on') await ipmitool(server, settings, 'power on', ['chassis', 'power', 'on']);
    },
    async powerOff(server, raw, options) {
      const settings = config(raw);
      await ipmitool(server, settings, 'power off', ['chassis', 'power', options.mode === 'force' ? 'off' : 'soft']);
    },
    powerState: (server, raw) => status(server, config(raw)),
  };
}

/**
 * ipmitool reports every session failure as "Unable to establish IPMI v2 / RMCP+ session"; with -v it says
 * why first: RAKP errors mean the user or password was refused, "Get Auth Capabilities" that nothing answered.
 */
function classify(stderr: string, base: { driver: string; serverName: string; address: string }, user: string, action: string): ByoiError {
  if (/RAKP 2 HMAC is invalid|unauthorized name|invalid (user ?name|password)|Authentication type .* not supported|insufficient privilege|Activate Session error/i.test(stderr)) {
    return new ByoiError('BYOI_POWER_AUTH', { ...base, user }, { detail: lastLines(stderr) });
  }
  if (/Get Auth Capabilities error|Get Channel Authentication Capabilities|No response|Unable to establish LAN session|Connection refused|Name or service not known/i.test(stderr)) {
    return new ByoiError('BYOI_POWER_UNREACHABLE', { ...base, reason: lastLines(stderr) || 'no answer' });
  }
  return new ByoiError('BYOI_POWER_REFUSED', { driver: base.driver, serverName: base.serverName, action, reason: lastLines(stderr) || 'ipmitool failed' });
}

/** The last meaningful lines of ipmitool's stderr (its -v chatter dropped). */
function lastLines(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.replace(/^>\s*/, '').trim())
    .filter((line) => line !== '' && !/^(Loading IANA|Running Get|Unable to Get Channel Cipher Suites|IPMI LAN host|Using best available)/.test(line))
    .slice(-2)
    .join('; ');
}
