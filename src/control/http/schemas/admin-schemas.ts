import { Type } from 'typebox';
import { AccessRuleSchema } from '../../auth/access-rule.ts';

export const AccountSchema = Type.Object(
  { id: Type.Integer(), name: Type.String(), operator: Type.Boolean(), createdAt: Type.String() },
  { additionalProperties: false },
);

export const NewAccountSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$' }),
    operator: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

export const ApplicationSchema = Type.Object(
  {
    applicationId: Type.Integer(),
    applicationKey: Type.String(),
    account: Type.String(),
    name: Type.String(),
    description: Type.String(),
    createdAt: Type.String(),
  },
  { additionalProperties: false },
);

export const NewApplicationSchema = Type.Object(
  {
    account: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    description: Type.String({ maxLength: 1024, default: '' }),
  },
  { additionalProperties: false },
);

/** The one reply with an application secret: the application's creation. */
export const NewApplicationReplySchema = Type.Object(
  { applicationId: Type.Integer(), applicationKey: Type.String(), applicationSecret: Type.String() },
  { additionalProperties: false },
);

export const CredentialViewSchema = Type.Object(
  {
    credentialId: Type.Integer(),
    applicationKey: Type.String(),
    applicationName: Type.String(),
    account: Type.Union([Type.String(), Type.Null()]),
    state: Type.String(),
    rules: Type.Array(AccessRuleSchema),
    redirection: Type.Union([Type.String(), Type.Null()]),
    credentialToken: Type.String(),
    creation: Type.String(),
    validatedAt: Type.Union([Type.String(), Type.Null()]),
    expiration: Type.Union([Type.String(), Type.Null()]),
    lastUse: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ValidateCredentialSchema = Type.Object(
  {
    credential: Type.String({ minLength: 1, maxLength: 128, description: 'Credential id, credentialToken or consumer key' }),
    account: Type.String({ minLength: 1, maxLength: 64 }),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 0, description: '0 or absent: no expiry' })),
  },
  { additionalProperties: false },
);

const DiskViewSchema = Type.Object(
  {
    sizeBytes: Type.Integer(),
    device: Type.Optional(Type.String()),
    path: Type.Optional(Type.String()),
    serial: Type.Optional(Type.String()),
    wwn: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const AdminServerViewSchema = Type.Object(
  {
    serviceName: Type.String(),
    account: Type.String(),
    displayName: Type.String(),
    mac: Type.String(),
    bootMode: Type.String(),
    memorySizeMb: Type.Integer(),
    powerDriver: Type.String({ description: 'Driver name; its config is never returned' }),
    diskGroups: Type.Array(
      Type.Object(
        { diskGroupId: Type.Integer(), diskType: Type.String(), raidController: Type.Union([Type.String(), Type.Null()]), disks: Type.Array(DiskViewSchema) },
        { additionalProperties: false },
      ),
    ),
    datacenter: Type.String(),
    ip: Type.Union([Type.String(), Type.Null()]),
    efiBootloaderPath: Type.Union([Type.String(), Type.Null()]),
    bootId: Type.Integer(),
    os: Type.String(),
    state: Type.String(),
    activeTaskId: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { additionalProperties: false },
);

export const AdminTaskSchema = Type.Object(
  {
    taskId: Type.Integer(),
    serverId: Type.Integer(),
    function: Type.String(),
    status: Type.String(),
    comment: Type.String(),
    startDate: Type.String(),
    doneDate: Type.Union([Type.String(), Type.Null()]),
    lastUpdate: Type.String(),
    errorCode: Type.Union([Type.String(), Type.Null()]),
    leaseOwner: Type.Union([Type.String(), Type.Null()]),
    leaseExpiresAt: Type.Union([Type.String(), Type.Null()]),
    attempts: Type.Integer(),
  },
  { additionalProperties: false },
);
