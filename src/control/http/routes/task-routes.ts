import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { findOwnedServerTask, findServerTask, listTaskIds } from '../../store/tasks-repo.ts';
import { ServiceNameParamsSchema } from '../schemas/server-schemas.ts';
import { TaskIdParamsSchema, TaskListQuerySchema, TaskReplySchema } from '../schemas/task-schemas.ts';
import { errorResponses } from '../schemas/error-schema.ts';
import { authOf, requireServer, serviceNotFound } from '../require-server.ts';
import { toTaskReply } from '../task-reply.ts';

/** The task routes of a server: list, read, cancel. */
export const taskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/dedicated/server/:serviceName/task',
    {
      schema: {
        summary: 'Task ids of a server, oldest first',
        tags: ['dedicated/server'],
        params: ServiceNameParamsSchema,
        querystring: TaskListQuerySchema,
        response: { 200: Type.Array(Type.Integer()), ...errorResponses() },
      },
    },
    async (request) => {
      const server = await requireServer(request, request.params.serviceName);
      return listTaskIds(app.store, server.id, request.query);
    },
  );

  app.get(
    '/dedicated/server/:serviceName/task/:taskId',
    {
      schema: {
        summary: 'One task',
        tags: ['dedicated/server'],
        params: TaskIdParamsSchema,
        response: { 200: TaskReplySchema, ...errorResponses() },
      },
    },
    async (request) => {
      const { serviceName, taskId } = request.params;
      const { serverFound, task } = await findOwnedServerTask(app.store, authOf(request).account.id, serviceName, taskId);
      if (!serverFound) throw serviceNotFound(serviceName);
      if (task === undefined) throw new ByoiError('BYOI_API_TASK_NOT_FOUND', { taskId });
      return toTaskReply(task);
    },
  );

  app.post(
    '/dedicated/server/:serviceName/task/:taskId/cancel',
    {
      schema: {
        summary: 'Cancel a task that has not finished',
        description: 'The task ends as cancelled at once; a running installer is told to stop and its later reports are ignored.',
        tags: ['dedicated/server'],
        params: TaskIdParamsSchema,
        response: { 200: Type.Null(), ...errorResponses() },
      },
    },
    async (request) => {
      const server = await requireServer(request, request.params.serviceName);
      const task = await findServerTask(app.store, server.id, request.params.taskId);
      if (task === undefined) throw new ByoiError('BYOI_API_TASK_NOT_FOUND', { taskId: request.params.taskId });
      await app.tasks.cancelTask(task);
      return null;
    },
  );
};
