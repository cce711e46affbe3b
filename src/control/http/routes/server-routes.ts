import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { validateEfiBootloaderPath } from '../../../contract/request/validate-efi-bootloader-path.ts';
import { listServerNames, updateServer, type ServerPatch } from '../../store/servers-repo.ts';
import { bootOptions, customScriptBootId, findBootOption, harddiskBootId } from '../../fleet/boot-options.ts';
import type { Server } from '../../fleet/server-model.ts';
import {
  BootOptionSchema,
  CompatibleTemplatesSchema,
  DedicatedServerSchema,
  HardwareSpecificationsSchema,
  ServerUpdateSchema,
  ServiceNameParamsSchema,
} from '../schemas/server-schemas.ts';
import { errorResponses } from '../schemas/error-schema.ts';
import { TaskReplySchema } from '../schemas/task-schemas.ts';
import { authOf, requireServer } from '../require-server.ts';
import { toTaskReply } from '../task-reply.ts';

/** The server routes of the OVH API, scoped to the caller's account. */
export const serverRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/dedicated/server',
    { schema: { summary: 'Service names of your servers', tags: ['dedicated/server'], response: { 200: Type.Array(Type.String()), ...errorResponses() } } },
    async (request) => listServerNames(app.store, authOf(request).account.id),
  );

  app.get(
    '/dedicated/server/:serviceName',
    {
      schema: {
        summary: 'Server properties',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        response: { 200: DedicatedServerSchema, ...errorResponses() },
      },
    },
    async (request) => toDedicatedServer(await requireServer(request, request.params.serviceName)),
  );

  app.put(
    '/dedicated/server/:serviceName',
    {
      schema: {
        summary: 'Change bootId, bootScript or efiBootloaderPath',
        description:
          'bootId 1 boots the disk and clears bootScript; a non-empty bootScript selects boot 3 (network). Other OVH writable fields are accepted and ignored.',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        body: ServerUpdateSchema,
        response: { 200: Type.Null(), ...errorResponses() },
      },
    },
    async (request) => {
      const server = await requireServer(request, request.params.serviceName);
      const body = request.body ?? {};
      const patch: ServerPatch = {};
      if (body.efiBootloaderPath !== undefined) {
        patch.efiBootloaderPath = body.efiBootloaderPath === null || body.efiBootloaderPath === '' ? null : validateEfiBootloaderPath(body.efiBootloaderPath);
      }
      if (body.bootScript !== undefined) {
        patch.bootScript = body.bootScript === null || body.bootScript === '' ? null : body.bootScript;
        if (patch.bootScript !== null && body.bootId === undefined) patch.bootId = customScriptBootId;
      }
      if (body.bootId !== undefined) {
        if (findBootOption(body.bootId) === undefined) throw new ByoiError('BYOI_API_BOOT_NOT_FOUND', { bootId: body.bootId });
        patch.bootId = body.bootId;
        if (body.bootId === harddiskBootId) patch.bootScript = null;
      }
      if (patch.bootId === customScriptBootId && (patch.bootScript ?? server.bootScript) === null) {
        throw new ByoiError('BYOI_API_INVALID_VALUE', { name: 'bootId', reason: 'boot 3 runs the custom bootScript, and this server has none' });
      }
      await updateServer(app.store, server.id, patch);
      return null;
    },
  );

  app.get(
    '/dedicated/server/:serviceName/specifications/hardware',
    {
      schema: {
        summary: 'Boot mode, memory and disk groups',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        response: { 200: HardwareSpecificationsSchema, ...errorResponses() },
      },
    },
    async (request) => {
      const server = await requireServer(request, request.params.serviceName);
      return {
        bootMode: server.bootMode,
        memorySize: { unit: 'MB', value: server.memorySizeMb },
        diskGroups: server.diskGroups.map((group) => {
          const first = group.disks[0]?.sizeBytes ?? 0;
          return {
            diskGroupId: group.diskGroupId,
            numberOfDisks: group.disks.length,
            diskType: group.diskType,
            diskSize: { unit: 'GB', value: Math.round(first / 1e7) / 100 },
            raidController: group.raidController,
            description: `${group.disks.length} x ${Math.round(first / 1e7) / 100} GB ${group.diskType}`,
            defaultHardwareRaidType: 'N/A',
            defaultHardwareRaidSize: null,
            diskSizeBytes: first,
          };
        }),
        formFactor: null,
        description: server.displayName,
      };
    },
  );

  app.get(
    '/dedicated/server/:serviceName/install/compatibleTemplates',
    {
      schema: {
        summary: 'Installable operating systems: byoi_64',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        response: { 200: CompatibleTemplatesSchema, ...errorResponses() },
      },
    },
    async (request) => {
      await requireServer(request, request.params.serviceName);
      return { ovh: ['byoi_64'], personal: [] };
    },
  );

  app.get(
    '/dedicated/server/:serviceName/boot',
    {
      schema: {
        summary: 'Boot option ids',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        querystring: Type.Object({ bootType: Type.Optional(Type.String({ maxLength: 32 })) }),
        response: { 200: Type.Array(Type.Integer()), ...errorResponses() },
      },
    },
    async (request) => {
      await requireServer(request, request.params.serviceName);
      const { bootType } = request.query;
      return bootOptions.filter((option) => bootType === undefined || option.bootType === bootType).map((option) => option.bootId);
    },
  );

  app.get(
    '/dedicated/server/:serviceName/boot/:bootId',
    {
      schema: {
        summary: 'One boot option',
        tags: ['dedicated/server'],
        params: Type.Object({ serviceName: ServiceNameParamsSchema.properties.serviceName, bootId: Type.Integer({ minimum: 0, maximum: 2147483647 }) }),
        response: { 200: BootOptionSchema, ...errorResponses() },
      },
    },
    async (request) => {
      await requireServer(request, request.params.serviceName);
      const option = findBootOption(request.params.bootId);
      if (option === undefined) throw new ByoiError('BYOI_API_BOOT_NOT_FOUND', { bootId: request.params.bootId });
      return { ...option };
    },
  );

  app.post(
    '/dedicated/server/:serviceName/reboot',
    {
      schema: {
        summary: 'Hard reboot (a hardReboot task, run by the power driver)',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        response: { 200: TaskReplySchema, ...errorResponses() },
      },
    },
    async (request) => toTaskReply(await app.tasks.createRebootTask(await requireServer(request, request.params.serviceName))),
  );
};

function toDedicatedServer(server: Server) {
  return {
    name: server.serviceName,
    serverId: server.id,
    displayName: server.displayName,
    os: server.os,
    state: server.state,
    bootId: server.bootId,
    bootScript: server.bootScript,
    efiBootloaderPath: server.efiBootloaderPath,
    datacenter: server.datacenter,
    ip: server.ip,
    reverse: null,
    rack: 'byoi',
    rootDevice: null,
    linkSpeed: null,
    monitoring: false,
    noIntervention: false,
    professionalUse: false,
    rescueMail: null,
    rescueSshKey: null,
    powerState: 'poweron',
    commercialRange: 'byoi',
    supportLevel: 'byoi',
    newUpgradeSystem: false,
    iam: { id: `server-${server.id}`, urn: `urn:v1:byoi:resource:dedicatedServer:${server.serviceName}`, displayName: server.displayName },
  };
}
