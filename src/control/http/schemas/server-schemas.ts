import { Type, type Static } from 'typebox';

export const ServiceNameParamsSchema = Type.Object({ serviceName: Type.String({ minLength: 1, maxLength: 255 }) });

/** `GET /dedicated/server/{serviceName}`: the fields of OVH dedicated.server.DedicatedWithIAM that byoi knows. */
export const DedicatedServerSchema = Type.Object(
  {
    name: Type.String({ description: 'The serviceName' }),
    serverId: Type.Integer(),
    displayName: Type.String(),
    os: Type.String(),
    state: Type.String({ description: 'ok, error, hacked, hackedBlocked' }),
    bootId: Type.Union([Type.Integer(), Type.Null()]),
    bootScript: Type.Union([Type.String(), Type.Null()]),
    efiBootloaderPath: Type.Union([Type.String(), Type.Null()]),
    datacenter: Type.String(),
    ip: Type.Union([Type.String(), Type.Null()]),
    reverse: Type.Union([Type.String(), Type.Null()]),
    rack: Type.String(),
    rootDevice: Type.Union([Type.String(), Type.Null()]),
    linkSpeed: Type.Union([Type.Integer(), Type.Null()]),
    monitoring: Type.Boolean(),
    noIntervention: Type.Boolean(),
    professionalUse: Type.Boolean(),
    rescueMail: Type.Union([Type.String(), Type.Null()]),
    rescueSshKey: Type.Union([Type.String(), Type.Null()]),
    powerState: Type.String({ description: 'poweron or poweroff' }),
    commercialRange: Type.String(),
    supportLevel: Type.String(),
    newUpgradeSystem: Type.Boolean(),
    iam: Type.Object({ id: Type.String(), urn: Type.String(), displayName: Type.String() }),
  },
  { additionalProperties: false },
);

/** `PUT /dedicated/server/{serviceName}`: the writable fields byoi uses. Other OVH fields are accepted and ignored. */
export const ServerUpdateSchema = Type.Object(
  {
    bootId: Type.Optional(Type.Integer({ minimum: 1, description: 'Boot option (GET .../boot); 1 boots the disk and clears bootScript' })),
    bootScript: Type.Optional(Type.Union([Type.String({ maxLength: 65536 }), Type.Null()], { description: 'Custom iPXE script (selects the network boot)' })),
    efiBootloaderPath: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'EFI loader used to boot the disk in UEFI mode' })),
    monitoring: Type.Optional(Type.Boolean()),
    noIntervention: Type.Optional(Type.Boolean()),
    rescueMail: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    rescueSshKey: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    rootDevice: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    state: Type.Optional(Type.String()),
  },
);
export type ServerUpdate = Static<typeof ServerUpdateSchema>;

const UnitAndValue = (unit: string) => Type.Object({ unit: Type.String({ default: unit }), value: Type.Number() });

/** `GET .../specifications/hardware` (OVH dedicated.server.HardwareSpecifications, the fields byoi has). */
export const HardwareSpecificationsSchema = Type.Object(
  {
    bootMode: Type.Union([Type.Literal('uefi'), Type.Literal('legacy')]),
    memorySize: UnitAndValue('MB'),
    diskGroups: Type.Array(
      Type.Object({
        diskGroupId: Type.Integer(),
        numberOfDisks: Type.Integer(),
        diskType: Type.String(),
        diskSize: UnitAndValue('GB'),
        raidController: Type.Union([Type.String(), Type.Null()]),
        description: Type.String(),
        defaultHardwareRaidType: Type.String(),
        defaultHardwareRaidSize: Type.Union([UnitAndValue('GB'), Type.Null()]),
        diskSizeBytes: Type.Integer({ description: 'byoi: exact size of the first disk (the install target), bytes' }),
      }),
    ),
    formFactor: Type.Union([Type.String(), Type.Null()]),
    description: Type.String(),
  },
  { additionalProperties: false },
);

export const CompatibleTemplatesSchema = Type.Object(
  { ovh: Type.Array(Type.String()), personal: Type.Array(Type.String()) },
  { additionalProperties: false },
);

/** `GET .../boot/{bootId}` (OVH dedicated.server.Netboot). */
export const BootOptionSchema = Type.Object(
  {
    bootId: Type.Integer(),
    bootType: Type.String({ description: 'harddisk, rescue, network' }),
    description: Type.String(),
    kernel: Type.String(),
  },
  { additionalProperties: false },
);
