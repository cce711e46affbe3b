import Type, { type Static } from 'typebox';
import { checksumTypes, imageTypes } from './install-request.ts';

// These schemas describe the bodies byoi accepts, for route typing and OpenAPI. The validation customers
// see is parseReinstallBody()'s (catalogue codes, OVH messages): let the schema document the route and the
// parser validate it. Do not let Fastify's default Ajv validate with it: removeAdditional would silently drop
// unknown customizations and coerceTypes would turn "1" into 1 before the parser could refuse them. Every
// body the parser accepts passes this schema (a property test checks it); the schema alone accepts more (it
// cannot express "a valid SSH key" or "YAML that parses").

const nullableString = (description: string) => Type.Optional(Type.Union([Type.String(), Type.Null()], { description }));
const stringMap = (description: string, extra: Record<string, unknown> = {}) =>
  Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()], { description, ...extra }));

/** `customizations` of a BYOI reinstall (OVH dedicated.server.reinstall.Customizations, BYOI subset). */
export const ReinstallCustomizationsSchema = Type.Object(
  {
    imageURL: Type.String({ description: 'http(s) URL of the image; no user:password@ (use httpHeaders)', maxLength: 4096 }),
    imageType: Type.Enum(imageTypes, { description: 'Format of the image file' }),
    efiBootloaderPath: nullableString(
      'EFI loader on the ESP, e.g. \\efi\\debian\\grubx64.efi; mandatory at OVH, optional here (byoi detects it)',
    ),
    imageCheckSum: nullableString('Hex digest of the image file'),
    imageCheckSumType: Type.Optional(
      Type.Union([Type.Enum(checksumTypes), Type.Literal(''), Type.Null()], {
        description: 'Digest algorithm; give it with imageCheckSum or not at all',
      }),
    ),
    httpHeaders: stringMap('HTTP headers for the image download, e.g. {"Authorization": "Basic ..."} (secret)'),
    configDriveUserData: nullableString('cloud-init user data (#cloud-config, #! script, ...), clear text or base64 (secret)'),
    configDriveMetadata: stringMap('Written under "meta" in the config drive meta_data.json'),
    ConfigDriveMetadata: stringMap('Same as configDriveMetadata (spelling sent by some Terraform provider versions)', {
      deprecated: true,
    }),
    hostname: nullableString('Host name, RFC 1035 labels, may be fully qualified'),
    sshKey: nullableString('One OpenSSH public key line'),
  },
  { additionalProperties: false },
);

/** One `storage` entry; BYOI uses diskGroupId only. */
export const ReinstallStorageSchema = Type.Object(
  {
    diskGroupId: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Disk group to install on; 0 or absent: automatic' }),
    ),
    hardwareRaid: Type.Optional(
      Type.Union([Type.Array(Type.Unknown(), { maxItems: 0 }), Type.Null()], { description: 'Not applicable to BYOI' }),
    ),
    partitioning: Type.Optional(Type.Null({ description: 'Not applicable to BYOI' })),
    erase: Type.Optional(
      Type.Union([Type.Literal(false), Type.Null()], { description: 'byoi never erases other disk groups' }),
    ),
  },
  { additionalProperties: false },
);

/** Body of `POST /dedicated/server/{serviceName}/reinstall` for a BYOI install. */
export const ReinstallBodySchema = Type.Object(
  {
    operatingSystem: Type.Literal('byoi_64'),
    customizations: ReinstallCustomizationsSchema,
    storage: Type.Optional(Type.Union([Type.Array(ReinstallStorageSchema, { maxItems: 1 }), Type.Null()])),
    properties: Type.Optional(
      Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()], {
        description: 'Not used by BYOI: give configDriveMetadata instead',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A reinstall body as the schema types it. */
export type ReinstallBody = Static<typeof ReinstallBodySchema>;
