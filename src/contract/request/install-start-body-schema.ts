import Type, { type Static } from 'typebox';

// Like reinstall-body-schema.ts: documents the body for routes and OpenAPI; parseInstallStartBody() is the
// validator customers see, and every body it accepts passes this schema.

const notSet = (description: string) =>
  Type.Optional(Type.Union([Type.Null(), Type.Literal(''), Type.Literal(false)], { description }));

/** `details` (OVH dedicated.server.InstallCustom); BYOI uses customHostname and diskGroupId. */
export const InstallStartDetailsSchema = Type.Object(
  {
    customHostname: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Host name, RFC 1035 labels' })),
    diskGroupId: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Disk group to install on; 0 or absent: automatic' }),
    ),
    noRaid: Type.Optional(Type.Union([Type.Boolean(), Type.Null()], { description: 'No effect: byoi never builds software RAID' })),
    softRaidDevices: notSet('Not applicable to BYOI'),
    postInstallationScriptLink: notSet('Not applicable to BYOI: use configDriveUserData'),
    postInstallationScriptReturn: notSet('Not applicable to BYOI: use configDriveUserData'),
    language: notSet('Not applicable to BYOI'),
    useSpla: notSet('Not applicable to BYOI'),
    installSqlServer: notSet('Not applicable to BYOI'),
    useDistribKernel: notSet('Not applicable to BYOI'),
    resetHwRaid: notSet('Not applicable to BYOI'),
    sshKeyName: notSet('Not applicable to BYOI: give sshKey in userMetadata'),
  },
  { additionalProperties: false },
);

/** One `userMetadata` entry (OVH complexType.SafeKeyValue<string>). */
export const UserMetadataEntrySchema = Type.Object(
  {
    key: Type.String({
      description:
        'imageURL, imageType, imageCheckSum, imageCheckSumType (or imageChecksumType), efiBootloaderPath, sshKey, ' +
        'configDriveUserData, configDriveMetadata (a JSON object of strings), httpHeaders<N>Key, httpHeaders<N>Value',
    }),
    value: Type.String(),
  },
  { additionalProperties: false },
);

/** Body of `POST /dedicated/server/{serviceName}/install/start` for a BYOI install. */
export const InstallStartBodySchema = Type.Object(
  {
    templateName: Type.Literal('byoi_64'),
    details: Type.Optional(Type.Union([InstallStartDetailsSchema, Type.Null()])),
    userMetadata: Type.Array(UserMetadataEntrySchema, { minItems: 2 }),
    partitionSchemeName: Type.Optional(
      Type.Union([Type.Literal(''), Type.Literal('default'), Type.Null()], { description: 'Not applicable to BYOI' }),
    ),
  },
  { additionalProperties: false },
);

/** An install/start body as the schema types it. */
export type InstallStartBody = Static<typeof InstallStartBodySchema>;
