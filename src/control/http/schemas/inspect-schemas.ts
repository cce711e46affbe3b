import { Type, type Static } from 'typebox';
import type { InspectResult } from '../../../image/inspect-result.ts';

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** `POST /dedicated/server/{serviceName}/byoi/inspect`: the image part of an install request, for one disk group. */
export const InspectBodySchema = Type.Object(
  {
    imageURL: Type.String({ description: 'As in the install request: an http(s) URL, credentials in httpHeaders', maxLength: 4096 }),
    imageType: Type.Optional(nullable(Type.String({ description: 'qcow2 or raw; without it the inspection says which format the image is' }))),
    httpHeaders: Type.Optional(nullable(Type.Record(Type.String(), Type.String(), { description: 'Sent with the Range requests; never returned or logged' }))),
    efiBootloaderPath: Type.Optional(nullable(Type.String({ description: 'Checked against the loaders on the ESP' }))),
    diskGroupId: Type.Optional(nullable(Type.Integer({ minimum: 0, description: 'The disk group the image would go to; 0 or absent: the lowest id' }))),
  },
  { additionalProperties: false },
);
export type InspectBody = Static<typeof InspectBodySchema>;

const PartitionSchema = Type.Object(
  {
    number: Type.Integer(),
    start: Type.Integer(),
    size: Type.Integer(),
    type: Type.String(),
    typeName: nullable(Type.String()),
    name: nullable(Type.String()),
    filesystem: nullable(Type.String()),
    label: nullable(Type.String()),
    uuid: nullable(Type.String()),
    bootable: Type.Boolean(),
  },
  { additionalProperties: false },
);

const PartitionTableSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('gpt'), Type.Literal('mbr')]),
    sectorSize: Type.Integer(),
    id: Type.String(),
    partitions: Type.Array(PartitionSchema),
    gpt: Type.Optional(
      Type.Object(
        {
          firstUsableLba: Type.Integer(),
          lastUsableLba: Type.Integer(),
          backupLba: Type.Integer(),
          backupValid: Type.Boolean(),
          backupAtEnd: Type.Boolean(),
          entryCount: Type.Integer(),
          entrySize: Type.Integer(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const formats = ['qcow2', 'raw', 'vmdk', 'vpc', 'vhdx', 'vdi', 'qed', 'qcow', 'luks', 'parallels', 'dmg', 'gzip', 'xz', 'zstd', 'bzip2'] as const;

/**
 * The reply: the InspectResult of `byoi inspect --json` (src/image/inspect-result.ts). Declared field by field so
 * the reply serialises only these; the type assertions below fail to compile when the two drift apart.
 */
export const InspectResultSchema = Type.Object(
  {
    source: Type.String({ description: 'The URL without userinfo and query string' }),
    fileSize: Type.Integer(),
    format: Type.Enum(formats),
    virtualSize: Type.Integer(),
    qcow2: nullable(
      Type.Object(
        {
          version: Type.Union([Type.Literal(2), Type.Literal(3)]),
          clusterSize: Type.Integer(),
          compressionType: Type.Union([Type.Literal('deflate'), Type.Literal('zstd')]),
          backingFile: nullable(Type.String()),
          externalDataFile: nullable(Type.String()),
          encrypted: Type.Boolean(),
          extendedL2: Type.Boolean(),
          dirty: Type.Boolean(),
          corrupt: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    partitionTable: nullable(PartitionTableSchema),
    contents: nullable(Type.String()),
    boot: Type.Object(
      {
        uefi: Type.Boolean(),
        legacy: Type.Boolean(),
        efiBootloaderPaths: Type.Array(Type.String()),
        suggestedEfiBootloaderPath: nullable(Type.String()),
        espPartition: nullable(Type.Integer()),
      },
      { additionalProperties: false },
    ),
    problems: Type.Array(
      Type.Object(
        {
          code: Type.String(),
          message: Type.String(),
          severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
          solution: nullable(Type.String()),
          params: Type.Record(Type.String(), Type.String()),
          detail: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    unchecked: Type.Array(Type.String()),
    fixedVhdFooter: Type.Boolean(),
    checksum: nullable(
      Type.Object(
        {
          type: Type.Union([Type.Literal('md5'), Type.Literal('sha1'), Type.Literal('sha256'), Type.Literal('sha512')]),
          expected: Type.String(),
          actual: nullable(Type.String()),
          status: Type.Union([Type.Literal('match'), Type.Literal('mismatch'), Type.Literal('deferred')]),
        },
        { additionalProperties: false },
      ),
    ),
    access: Type.Object(
      {
        method: Type.Union([Type.Literal('file'), Type.Literal('http-range'), Type.Literal('http-full')]),
        requests: Type.Integer(),
        bytesRead: Type.Integer(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

// Both directions: every InspectResult is a valid reply, and the schema declares nothing InspectResult lacks.
type Reply = Static<typeof InspectResultSchema>;
type Assignable<From extends To, To> = From;
export type _ResultFitsSchema = Assignable<InspectResult, Reply>;
export type _SchemaFitsResult = Assignable<Omit<Reply, 'problems'>, Omit<InspectResult, 'problems'>>;
