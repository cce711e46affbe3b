import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { PowerDriverRegistry } from '../power/power-driver.ts';
import type { DiskGroup } from './server-model.ts';

const DiskSpecSchema = Type.Object(
  {
    sizeBytes: Type.Integer({ minimum: 1048576, description: 'Disk size in bytes' }),
    device: Type.Optional(Type.String({ pattern: '^/dev/', maxLength: 255, description: 'Device in the rescue system, e.g. /dev/nvme0n1' })),
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Backing file of a virtual disk' })),
    // Let the installer tell the disk from others of the same size (src/agent/select-target-disk.ts).
    serial: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Serial number as /sys/block/X/device/serial shows it' })),
    wwn: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'World Wide Name as /sys/block/X/device/wwid shows it' })),
  },
  { additionalProperties: false },
);

const DiskGroupSpecSchema = Type.Object(
  {
    diskGroupId: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: position in the list, from 1' })),
    diskType: Type.String({ default: 'SSD', maxLength: 32 }),
    raidController: Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { default: null }),
    disks: Type.Array(DiskSpecSchema, { minItems: 1, maxItems: 64, description: 'The first disk receives the image' }),
  },
  { additionalProperties: false },
);

/**
 * A server as an operator registers it (admin API body, `byoi admin server add --spec FILE`). The power
 * driver config is a secret: it is stored encrypted and never returned.
 */
export const ServerSpecSchema = Type.Object(
  {
    serviceName: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,62}$', description: 'The name clients use, e.g. ns1001.example.net' }),
    account: Type.String({ minLength: 1, maxLength: 64, description: 'Owning account' }),
    mac: Type.String({ pattern: '^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$', description: 'MAC address of the PXE interface' }),
    bootMode: Type.Union([Type.Literal('uefi'), Type.Literal('legacy')]),
    memorySizeMb: Type.Integer({ minimum: 128, maximum: 67108864, default: 4096 }),
    powerDriver: Type.Object(
      {
        name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$', description: 'local, qemu, redfish, ipmi, or none' }),
        config: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Driver settings (secret)' }),
      },
      { additionalProperties: false },
    ),
    diskGroups: Type.Array(DiskGroupSpecSchema, { minItems: 1, maxItems: 16 }),
    displayName: Type.Optional(Type.String({ maxLength: 255 })),
    datacenter: Type.String({ default: 'byoi', maxLength: 64 }),
    ip: Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { default: null }),
  },
  { additionalProperties: false },
);
export type ServerSpec = Static<typeof ServerSpecSchema>;

/** Fields an operator may change later (PUT /admin/server/{serviceName}); all optional. */
export const ServerSpecPatchSchema = Type.Partial(Type.Omit(ServerSpecSchema, ['serviceName']), { additionalProperties: false });
export type ServerSpecPatch = Static<typeof ServerSpecPatchSchema>;

/**
 * Checks a spec from a file or the CLI (the admin API's schema validation does the same), applying defaults.
 * @throws ByoiError BYOI_API_INVALID_VALUE naming the field
 */
export function parseServerSpec(input: unknown): ServerSpec {
  const value = Value.Default(ServerSpecSchema, structuredClone(input)) as unknown;
  const first = [...Value.Errors(ServerSpecSchema, value)][0] as { instancePath: string; message: string; keyword: string } | undefined;
  if (first !== undefined) {
    const name = first.instancePath.split('/').filter(Boolean).join('.') || 'server';
    throw new ByoiError('BYOI_API_INVALID_VALUE', { name, reason: first.keyword === 'boolean' ? 'is not a known field' : first.message });
  }
  return value as ServerSpec;
}

/** "AA-BB-..." → "aa:bb:...". */
export function normaliseMac(mac: string): string {
  return mac.toLowerCase().replaceAll('-', ':');
}

/** Disk groups with ids: given ones kept, missing ones numbered by position; duplicates refused. */
export function normaliseDiskGroups(groups: ServerSpec['diskGroups']): DiskGroup[] {
  const out = groups.map((group, index) => ({
    diskGroupId: group.diskGroupId ?? index + 1,
    diskType: group.diskType,
    raidController: group.raidController,
    disks: group.disks.map((disk) => ({ ...disk })),
  }));
  const ids = new Set<number>();
  for (const group of out) {
    if (ids.has(group.diskGroupId)) throw new ByoiError('BYOI_API_INVALID_VALUE', { name: 'diskGroups', reason: `diskGroupId ${group.diskGroupId} appears twice` });
    ids.add(group.diskGroupId);
  }
  return out;
}

/**
 * Checks the power driver part of a spec: a registered driver validates its config; with no driver of that
 * name in this process, only `none` and the names the next drivers will bring are accepted as-is.
 */
export function checkPowerDriver(spec: { name: string; config: Record<string, unknown> }, drivers: PowerDriverRegistry): Record<string, unknown> {
  const driver = drivers.get(spec.name);
  if (driver !== undefined) return driver.validateConfig(spec.config);
  if (!['none', 'local', 'qemu', 'redfish', 'ipmi'].includes(spec.name)) {
    const known = ['none', ...drivers.keys()].join(', ');
    throw new ByoiError('BYOI_API_INVALID_VALUE', { name: 'powerDriver.name', reason: `${spec.name} is not a power driver (known: ${known})` });
  }
  return spec.config;
}
