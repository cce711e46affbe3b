import Type, { type Static } from 'typebox';

/**
 * The agent protocol: what the installer (`byoi agent`, in the rescue system or in-process for the `local`
 * power driver) and the control plane say to each other over HTTP. docs/API.md "Agent protocol" is the
 * prose version. Every call carries `Authorization: Bearer <agent token>`, a one-time token scoped to one
 * task of one server; the first-boot call carries its own token in the query string.
 *
 *   GET  /agent/v1/job        → AgentJob (with the secrets: header values, user data, phone-home token)
 *   POST /agent/v1/events     AgentEventsBatch → AgentEventsReply   (idempotent by `seq`)
 *   POST /agent/v1/heartbeat  {}               → AgentHeartbeatReply
 *   POST /agent/v1/result     AgentResultBody  → AgentResultReply   (idempotent)
 *   POST /agent/v1/first-boot?token=T          → {confirmed: true}  (cloud-init phone_home, form body)
 *
 * Errors are `{class, message}`: 401 when the token is unknown or replaced by a newer one, 410 when its task
 * no longer takes reports (ended, cancelled, or this installer already reported its result).
 */

/** The version of this protocol; a job says which one it speaks. */
export const agentProtocolVersion = 1;

/** Paths of the agent API, relative to the control plane's origin. */
export const agentPaths = {
  job: '/agent/v1/job',
  events: '/agent/v1/events',
  heartbeat: '/agent/v1/heartbeat',
  result: '/agent/v1/result',
  firstBoot: '/agent/v1/first-boot',
} as const;

/** One disk of the server's inventory, as the operator registered it. */
export const AgentInventoryDiskSchema = Type.Object(
  {
    sizeBytes: Type.Integer({ minimum: 0 }),
    device: Type.Optional(Type.String({ description: 'Device in the rescue system, e.g. /dev/nvme0n1' })),
    path: Type.Optional(Type.String({ description: 'Backing file of a virtual disk' })),
    serial: Type.Optional(Type.String()),
    wwn: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type AgentInventoryDisk = Static<typeof AgentInventoryDiskSchema>;

/** One disk group of the server's inventory. */
export const AgentDiskGroupSchema = Type.Object(
  {
    diskGroupId: Type.Integer({ minimum: 1 }),
    diskType: Type.String(),
    disks: Type.Array(AgentInventoryDiskSchema),
  },
  { additionalProperties: false },
);
export type AgentDiskGroup = Static<typeof AgentDiskGroupSchema>;

/** The job of one install: everything the agent needs, secrets included. Sent only to the task's agent. */
export const AgentJobSchema = Type.Object(
  {
    protocol: Type.Literal(agentProtocolVersion),
    taskId: Type.Integer({ minimum: 1 }),
    serverName: Type.String(),
    bootMode: Type.Union([Type.Literal('uefi'), Type.Literal('legacy')]),
    /** The target: the first disk of the chosen group. `path` for a file-backed disk, else found by device, WWN, serial or size. */
    disk: Type.Object(
      {
        diskGroupId: Type.Integer({ minimum: 1 }),
        sizeBytes: Type.Integer({ minimum: 0 }),
        device: Type.Optional(Type.String()),
        path: Type.Optional(Type.String()),
        serial: Type.Optional(Type.String()),
        wwn: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    /** The whole inventory, so the agent can tell the target from disks of the same size in other groups. */
    diskGroups: Type.Array(AgentDiskGroupSchema),
    image: Type.Object(
      {
        url: Type.String(),
        type: Type.Union([Type.Literal('raw'), Type.Literal('qcow2')]),
        checksum: Type.Union([
          Type.Object(
            {
              type: Type.Union([Type.Literal('md5'), Type.Literal('sha1'), Type.Literal('sha256'), Type.Literal('sha512')]),
              value: Type.String(),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        /** Secret values. */
        httpHeaders: Type.Array(Type.Object({ name: Type.String(), value: Type.String() }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    efiBootloaderPath: Type.Union([Type.String(), Type.Null()]),
    configDrive: Type.Object(
      {
        hostname: Type.Union([Type.String(), Type.Null()]),
        sshKeys: Type.Array(Type.String()),
        /** Base64 of the user data bytes, written byte for byte as user_data (secret). */
        userData: Type.Union([Type.String(), Type.Null()]),
        metadata: Type.Record(Type.String(), Type.String()),
        instanceUuid: Type.String(),
        /** Where cloud-init's phone_home reports the first boot; the token is a secret. */
        phoneHome: Type.Union([Type.Object({ url: Type.String(), token: Type.String() }, { additionalProperties: false }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    /** Send a heartbeat at least this often. */
    heartbeatSeconds: Type.Integer({ minimum: 1 }),
    /** Silent this long, the task ends as ovhError. */
    leaseSeconds: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type AgentJob = Static<typeof AgentJobSchema>;

/**
 * A batch of deploy events (contract/deploy-events.ts DeployEvent), numbered from 1 by the agent. The control
 * plane applies a batch once: a batch whose `seq` is not above the last one applied is acknowledged and ignored,
 * so an agent that did not see the reply simply sends the same batch again.
 */
export const AgentEventsBatchSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    events: Type.Array(Type.Object({ type: Type.String({ maxLength: 64 }) }, { additionalProperties: true }), { maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type AgentEventsBatch = Static<typeof AgentEventsBatchSchema>;

export const AgentEventsReplySchema = Type.Object(
  {
    /** False when the batch had been applied before (a replay). */
    applied: Type.Boolean(),
    /** The highest batch number applied so far. */
    seq: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type AgentEventsReply = Static<typeof AgentEventsReplySchema>;

export const AgentHeartbeatReplySchema = Type.Object(
  {
    leaseSeconds: Type.Integer(),
    heartbeatSeconds: Type.Integer(),
  },
  { additionalProperties: false },
);
export type AgentHeartbeatReply = Static<typeof AgentHeartbeatReplySchema>;

/** A catalogue error as it crosses the wire (contract/errors/byoi-error.ts ErrorRecord). */
export const AgentErrorRecordSchema = Type.Object(
  {
    code: Type.String({ maxLength: 64 }),
    message: Type.String({ maxLength: 4096 }),
    params: Type.Optional(Type.Record(Type.String(), Type.String())),
    detail: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);

/**
 * The end of a deploy: `{ok: true, result: DeployResult}` (no secret in it), or `{ok: false, error: ErrorRecord}`
 * with the catalogue error that stopped it. One flat object rather than a union, so that schema validation
 * (which strips unknown properties) cannot mangle one branch while trying the other.
 */
export const AgentResultBodySchema = Type.Object(
  {
    ok: Type.Boolean(),
    result: Type.Optional(Type.Object({}, { additionalProperties: true })),
    error: Type.Optional(AgentErrorRecordSchema),
  },
  { additionalProperties: false },
);
export type AgentResultBody = Static<typeof AgentResultBodySchema>;

export const AgentResultReplySchema = Type.Object(
  {
    /** False for a duplicate (already recorded) or late result (the task had ended): nothing changed. */
    accepted: Type.Boolean(),
    /** The task's status after the call. */
    taskStatus: Type.String(),
  },
  { additionalProperties: false },
);
export type AgentResultReply = Static<typeof AgentResultReplySchema>;
