import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { parseReinstallBody } from '../../../contract/request/parse-reinstall-body.ts';
import { parseInstallStartBody } from '../../../contract/request/parse-install-start-body.ts';
import { ReinstallBodySchema } from '../../../contract/request/reinstall-body-schema.ts';
import { InstallStartBodySchema } from '../../../contract/request/install-start-body-schema.ts';
import { findLatestTask } from '../../store/tasks-repo.ts';
import { ServiceNameParamsSchema } from '../schemas/server-schemas.ts';
import { InstallStatusReplySchema, TaskReplySchema } from '../schemas/task-schemas.ts';
import { ErrorReplySchema, errorResponses } from '../schemas/error-schema.ts';
import { requireServer } from '../require-server.ts';
import { toInstallStatus, toTaskReply } from '../task-reply.ts';

// The body schemas document the routes (OpenAPI) while the contract's parsers validate: their errors carry
// the catalogue classes and OVH's messages, which Ajv's generic errors would not.
const documentOnly = () => () => true;

/** POST reinstall, POST install/start and GET install/status. */
export const installRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/dedicated/server/:serviceName/reinstall',
    {
      schema: {
        summary: 'Install a cloud-ready image (operatingSystem byoi_64)',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        body: ReinstallBodySchema,
        response: { 200: TaskReplySchema, ...errorResponses(409, 501) },
      },
      validatorCompiler: documentOnly,
    },
    async (request) => {
      const server = await requireServer(request, (request.params as { serviceName: string }).serviceName);
      const installRequest = parseReinstallBody(request.body as unknown);
      const task = await app.tasks.createInstallTask({ server, request: installRequest, route: 'reinstall' });
      const { taskId, function: taskFunction, status, comment, startDate, doneDate, lastUpdate } = toTaskReply(task);
      return { taskId, function: taskFunction, status, comment, startDate, doneDate, lastUpdate };
    },
  );

  app.post(
    '/dedicated/server/:serviceName/install/start',
    {
      schema: {
        summary: 'Install a cloud-ready image, older route (templateName byoi_64, userMetadata)',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        body: InstallStartBodySchema,
        response: { 200: TaskReplySchema, ...errorResponses(409, 501) },
      },
      validatorCompiler: documentOnly,
    },
    async (request) => {
      const server = await requireServer(request, (request.params as { serviceName: string }).serviceName);
      const installRequest = parseInstallStartBody(request.body as unknown);
      return toTaskReply(await app.tasks.createInstallTask({ server, request: installRequest, route: 'installStart' }));
    },
  );

  app.get(
    '/dedicated/server/:serviceName/install/status',
    {
      schema: {
        summary: 'Steps of the running (or last failed) install',
        description:
          'Every BYOI step is listed from the start. 404 "Server is not being installed or reinstalled at the moment" when no install runs; a failed install stays visible until the next one. The byoi field adds bytes, rate and ETA.',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        response: { 200: InstallStatusReplySchema, 404: ErrorReplySchema, ...errorResponses() },
      },
    },
    async (request) => {
      const server = await requireServer(request, request.params.serviceName);
      const task = await findLatestTask(app.store, server.id, 'reinstallServer');
      if (task === undefined || task.status === 'done' || task.status === 'cancelled') throw new ByoiError('BYOI_API_NOT_INSTALLING');
      const prefix = request.url.startsWith('/v1/') ? '/v1' : '/1.0';
      return toInstallStatus(task, `${prefix}/dedicated/server/${encodeURIComponent(server.serviceName)}/task/${task.id}/events`);
    },
  );
};
