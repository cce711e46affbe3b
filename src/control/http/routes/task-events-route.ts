import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { isTerminalTaskStatus } from '../../../contract/task/task-status.ts';
import { findServerTask, findTask } from '../../store/tasks-repo.ts';
import { listTaskEvents } from '../../store/task-events-repo.ts';
import type { TaskEvent } from '../../tasks/task-model.ts';
import { TaskIdParamsSchema } from '../schemas/task-schemas.ts';
import { errorResponses } from '../schemas/error-schema.ts';
import { requireServer } from '../require-server.ts';

/** How often a stream re-reads the database when the bus is quiet (events written by another instance). */
const pollMs = 2000;
/** A comment line at this interval keeps proxies from closing an idle stream. */
const keepAliveMs = 15000;

/**
 * `GET .../task/{taskId}/events`: the task's events as Server-Sent Events. Each has `id:` (the stored event
 * id), `event:` (task.status, task.step, task.progress, task.notice) and `data:` (JSON). A reconnect with
 * Last-Event-ID (or ?lastEventId=) replays what was missed from the database. The stream ends after the
 * task's terminal status; a request for a finished task with nothing left to replay gets 204, which tells
 * EventSource to stop reconnecting.
 */
export const taskEventsRoute: FastifyPluginAsyncTypebox = async (app) => {
  // Open streams end before the server closes, or close() would wait for them forever.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
  });

  app.get(
    '/dedicated/server/:serviceName/task/:taskId/events',
    {
      schema: {
        summary: 'Live task events (SSE, text/event-stream)',
        description:
          'Authenticate with an OVH signature or with the byoi_session cookie from POST /1.0/byoi/session (EventSource cannot send headers). Reconnect with Last-Event-ID to replay.',
        tags: ['dedicated/server'],
        params: TaskIdParamsSchema,
        querystring: Type.Object({ lastEventId: Type.Optional(Type.Integer({ minimum: 0 })) }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 20 })) }),
        response: { 200: Type.String({ description: 'text/event-stream' }), 204: Type.Null(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const server = await requireServer(request, request.params.serviceName);
      const task = await findServerTask(app.store, server.id, request.params.taskId);
      if (task === undefined) throw new ByoiError('BYOI_API_TASK_NOT_FOUND', { taskId: request.params.taskId });
      const header = request.headers['last-event-id'];
      let lastId = /^\d+$/.test(header ?? '') ? Number(header) : (request.query.lastEventId ?? 0);

      const backlog = await listTaskEvents(app.store, task.id, lastId);
      if (backlog.length === 0 && isTerminalTaskStatus(task.status)) return reply.code(204).send(null);

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 3000\n\n');

      let closed = false;
      // `dirty` keeps a notification that arrives while the loop is busy (between reads), so none is lost.
      let dirty = false;
      let wake: (() => void) | undefined;
      const unsubscribe = app.taskBus.onEvent(task.id, () => {
        dirty = true;
        wake?.();
      });
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), keepAliveMs);
      const close = () => {
        if (closed) return;
        closed = true;
        openStreams.delete(close);
        unsubscribe();
        clearInterval(keepAlive);
        wake?.();
      };
      openStreams.add(close);
      // The response's close (not the request's, which fires once its body is read) means the client left.
      raw.on('close', close);

      const send = (event: TaskEvent) => {
        raw.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...event.data, at: event.at })}\n\n`);
        lastId = event.id;
      };

      try {
        let pending = backlog;
        while (!closed) {
          for (const event of pending) send(event);
          const current = await findTask(app.store, task.id);
          if (current === undefined || (isTerminalTaskStatus(current.status) && (await listTaskEvents(app.store, task.id, lastId, 1)).length === 0)) break;
          if (!dirty) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, pollMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = undefined;
          }
          dirty = false;
          pending = closed ? [] : await listTaskEvents(app.store, task.id, lastId);
        }
      } catch (error) {
        request.log.error({ err: error }, 'task event stream failed');
      } finally {
        close();
        raw.end();
      }
    },
  );
};
