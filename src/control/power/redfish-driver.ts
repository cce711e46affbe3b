import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Server } from '../fleet/server-model.ts';
import type { MachinePowerDriver } from './machine-power-driver.ts';
import { optionalBoolean, optionalEnum, optionalInteger, optionalString, refuseUnknownKeys, requireString } from './_power-config.ts';
import { createRedfishClient, header, RedfishFailure, type RedfishClient, type RedfishResponse } from './redfish-client.ts';

/**
 * The `redfish` driver's config. `address` is the BMC's https origin; `systemId` picks the ComputerSystem
 * when the BMC has several (default: the only member of /redfish/v1/Systems); `caCert` is the PEM that
 * signs (or is) the BMC's certificate; `bootMode` overrides the server's for BootSourceOverrideMode.
 */
export interface RedfishPowerConfig {
  address: string;
  user: string;
  password: string;
  systemId: string | undefined;
  auth: 'basic' | 'session';
  caCert: string | undefined;
  insecure: boolean;
  timeoutSeconds: number;
  bootMode: 'UEFI' | 'Legacy' | undefined;
}

const configKeys = ['address', 'user', 'password', 'systemId', 'auth', 'caCert', 'insecure', 'timeoutSeconds', 'bootMode'] as const;

/** Reset types tried in order, first allowed one wins (DMTF ComputerSystem.Reset, ResetType enum). */
const restartTypes = ['ForceRestart', 'PowerCycle', 'GracefulRestart'] as const;
const onTypes = ['On', 'ForceOn'] as const;

interface SystemView {
  path: string;
  etag: string | undefined;
  body: Record<string, unknown>;
}

/**
 * Real servers through their BMC's Redfish service. `reboot({next: 'network'})`:
 *   1. PATCH the ComputerSystem's Boot to {BootSourceOverrideTarget: Pxe, BootSourceOverrideEnabled: Once,
 *      BootSourceOverrideMode: UEFI|Legacy} (with If-Match when the BMC gives an ETag; once more on 412),
 *   2. read it back and fail with BYOI_POWER_BOOT_OVERRIDE when it did not hold: some BMCs answer 200 and
 *      revert a UEFI PXE override (bmclib#459),
 *   3. POST Actions/ComputerSystem.Reset with the first ResetType the BMC allows: ForceRestart, PowerCycle or
 *      GracefulRestart when on, On or ForceOn when off (Reset@Redfish.AllowableValues or its ActionInfo).
 * `next: 'disk'` only resets: the boot service serves the disk to network-first fleets, and disk-first
 * fleets boot their disk anyway. The password goes only into the Authorization header or the session request.
 */
export function createRedfishDriver(): MachinePowerDriver {
  function config(raw: Record<string, unknown>): RedfishPowerConfig {
    refuseUnknownKeys(raw, configKeys);
    const insecure = optionalBoolean(raw, 'insecure', false);
    return {
      address: requireString(raw, 'address', (value) => {
        let url: URL;
        try {
          url = new URL(value);
        } catch {
          return 'must be the BMC origin, like https://10.0.0.5';
        }
        if (url.protocol !== 'https:') return 'must use https (Redfish requires TLS)';
        if (url.pathname !== '/' || url.search !== '' || url.username !== '') return 'must be only the origin (scheme, host, port), like https://10.0.0.5';
        return undefined;
      }).replace(/\/+$/, ''),
      user: requireString(raw, 'user'),
      password: requireString(raw, 'password'),
      systemId: optionalString(raw, 'systemId'),
      auth: optionalEnum(raw, 'auth', ['basic', 'session'] as const, 'basic'),
      caCert: optionalString(raw, 'caCert'),
      insecure,
      timeoutSeconds: optionalInteger(raw, 'timeoutSeconds', 1, 300, 30),
      bootMode: optionalEnum(raw, 'bootMode', ['UEFI', 'Legacy'] as const, undefined as unknown as 'UEFI'),
    };
  }

  async function withBmc<T>(server: Server, settings: RedfishPowerConfig, action: string, work: (client: RedfishClient) => Promise<T>): Promise<T> {
    const client = createRedfishClient({
      address: settings.address,
      user: settings.user,
      password: settings.password,
      auth: settings.auth,
      caCert: settings.caCert,
      insecure: settings.insecure,
      timeoutMs: settings.timeoutSeconds * 1000,
    });
    try {
      return await work(client);
    } catch (error) {
      if (!(error instanceof RedfishFailure)) throw error;
      const base = { driver: 'redfish', serverName: server.serviceName, address: settings.address };
      const detail = { detail: error.message, cause: error };
      switch (error.kind) {
        case 'auth':
          throw new ByoiError('BYOI_POWER_AUTH', { ...base, user: settings.user }, detail);
        case 'tls':
          throw new ByoiError('BYOI_POWER_TLS', { ...base, reason: error.message }, detail);
        case 'timeout':
          throw new ByoiError('BYOI_POWER_TIMEOUT', { ...base, seconds: settings.timeoutSeconds, action }, detail);
        case 'unreachable':
          throw new ByoiError('BYOI_POWER_UNREACHABLE', { ...base, reason: error.message }, detail);
        case 'http':
        case 'protocol':
          throw new ByoiError('BYOI_POWER_REFUSED', { driver: 'redfish', serverName: server.serviceName, action, reason: error.message }, detail);
      }
    } finally {
      await client.close();
    }
  }

  async function systemPath(client: RedfishClient, server: Server, settings: RedfishPowerConfig): Promise<string> {
    if (settings.systemId !== undefined) return `/redfish/v1/Systems/${encodeURIComponent(settings.systemId)}`;
    const collection = await client.get('/redfish/v1/Systems');
    const members = (collection.body.Members as Array<{ '@odata.id'?: unknown }> | undefined) ?? [];
    const ids = members.map((member) => member['@odata.id']).filter((id): id is string => typeof id === 'string');
    if (ids.length !== 1) {
      throw new ByoiError('BYOI_POWER_REFUSED', {
        driver: 'redfish',
        serverName: server.serviceName,
        action: 'find the computer system',
        reason: `/redfish/v1/Systems lists ${ids.length} systems; set systemId in the power config`,
      });
    }
    return ids[0] as string;
  }

  async function readSystem(client: RedfishClient, path: string): Promise<SystemView> {
    const response: RedfishResponse = await client.get(path);
    const etag = header(response.headers, 'etag') ?? (typeof response.body['@odata.etag'] === 'string' ? response.body['@odata.etag'] : undefined);
    return { path, etag, body: response.body };
  }

  /** Sets a one-time PXE boot, then reads it back: a BMC that says yes and keeps something else is caught here. */
  async function setOneTimePxe(client: RedfishClient, server: Server, settings: RedfishPowerConfig, system: SystemView): Promise<SystemView> {
    const boot = (system.body.Boot ?? {}) as Record<string, unknown>;
    const allowedTargets = boot['BootSourceOverrideTarget@Redfish.AllowableValues'];
    if (Array.isArray(allowedTargets) && !allowedTargets.includes('Pxe')) {
      throw new ByoiError('BYOI_POWER_REFUSED', {
        driver: 'redfish',
        serverName: server.serviceName,
        action: 'set a one-time network boot',
        reason: `its BootSourceOverrideTarget allows only ${allowedTargets.join(', ')}`,
      });
    }
    const wanted: Record<string, string> = { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' };
    // Only BMCs that expose the mode get one (older ones refuse unknown properties).
    const mode = settings.bootMode ?? (server.bootMode === 'legacy' ? 'Legacy' : 'UEFI');
    if ('BootSourceOverrideMode' in boot) wanted.BootSourceOverrideMode = mode;

    let current = system;
    for (let attempt = 0; ; attempt++) {
      try {
        await client.patch(current.path, { Boot: wanted }, current.etag === undefined ? {} : { 'if-match': current.etag });
        break;
      } catch (error) {
        // 412: the resource changed since we read it; read again and retry once with the new ETag.
        if (error instanceof RedfishFailure && error.status === 412 && attempt === 0) {
          current = await readSystem(client, current.path);
          continue;
        }
        throw error;
      }
    }

    const after = await readSystem(client, current.path);
    const readBack = (after.body.Boot ?? {}) as Record<string, unknown>;
    const mismatch = Object.entries(wanted).some(([key, value]) => readBack[key] !== value);
    if (mismatch) {
      throw new ByoiError('BYOI_POWER_BOOT_OVERRIDE', {
        serverName: server.serviceName,
        target: `${wanted.BootSourceOverrideMode ?? ''} Pxe`.trim(),
        found: Object.keys(wanted).map((key) => `${key}=${String(readBack[key] ?? 'absent')}`).join(', '),
      });
    }
    return after;
  }

  /** The ResetType values the BMC allows, from the action's annotation or its ActionInfo; undefined when it does not say. */
  async function allowedResetTypes(client: RedfishClient, action: Record<string, unknown>): Promise<string[] | undefined> {
    const inline = action['ResetType@Redfish.AllowableValues'];
    if (Array.isArray(inline)) return inline.map(String);
    const info = action['@Redfish.ActionInfo'];
    if (typeof info !== 'string') return undefined;
    const parameters = (await client.get(info)).body.Parameters as Array<{ Name?: unknown; AllowableValues?: unknown }> | undefined;
    const resetType = parameters?.find((parameter) => parameter.Name === 'ResetType');
    return Array.isArray(resetType?.AllowableValues) ? resetType.AllowableValues.map(String) : undefined;
  }

  async function reset(client: RedfishClient, server: Server, system: SystemView, preferred: readonly string[], action: string): Promise<void> {
    const actions = (system.body.Actions ?? {}) as Record<string, unknown>;
    const resetAction = (actions['#ComputerSystem.Reset'] ?? {}) as Record<string, unknown>;
    const target = typeof resetAction.target === 'string' ? resetAction.target : `${system.path}/Actions/ComputerSystem.Reset`;
    const allowed = await allowedResetTypes(client, resetAction);
    const resetType = allowed === undefined ? preferred[0] : preferred.find((type) => allowed.includes(type));
    if (resetType === undefined) {
      throw new ByoiError('BYOI_POWER_REFUSED', {
        driver: 'redfish',
        serverName: server.serviceName,
        action,
        reason: `it allows only the reset types ${(allowed ?? []).join(', ')}, none of ${preferred.join(', ')}`,
      });
    }
    await client.post(target, { ResetType: resetType });
  }

  function powerStateOf(system: SystemView): string {
    return String(system.body.PowerState ?? 'Unknown');
  }

  return {
    name: 'redfish',
    validateConfig(raw) {
      const settings = config(raw);
      const out: Record<string, unknown> = { ...settings };
      for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
      return out;
    },
    async reboot(server, raw, options) {
      const settings = config(raw);
      await withBmc(server, settings, options.next === 'network' ? 'set a one-time network boot and reset' : 'reset', async (client) => {
        let system = await readSystem(client, await systemPath(client, server, settings));
        if (options.next === 'network') system = await setOneTimePxe(client, server, settings, system);
        const off = powerStateOf(system) === 'Off';
        await reset(client, server, system, off ? onTypes : restartTypes, off ? 'power on' : 'reset');
      });
    },
    async powerOn(server, raw) {
      const settings = config(raw);
      await withBmc(server, settings, 'power on', async (client) => {
        const system = await readSystem(client, await systemPath(client, server, settings));
        if (powerStateOf(system) !== 'On') await reset(client, server, system, onTypes, 'power on');
      });
    },
    async powerOff(server, raw, options) {
      const settings = config(raw);
      await withBmc(server, settings, 'power off', async (client) => {
        const system = await readSystem(client, await systemPath(client, server, settings));
        if (powerStateOf(system) === 'Off') return;
        await reset(client, server, system, options.mode === 'force' ? ['ForceOff'] : ['GracefulShutdown'], 'power off');
      });
    },
    async powerState(server, raw) {
      const settings = config(raw);
      return withBmc(server, settings, 'read the power state', async (client) => {
        const state = powerStateOf(await readSystem(client, await systemPath(client, server, settings)));
        return state === 'On' ? 'on' : state === 'Off' ? 'off' : 'unknown';
      });
    },
  };
}
