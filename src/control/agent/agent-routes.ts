import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AgentEventsBatchSchema,
  AgentEventsReplySchema,
  AgentHeartbeatReplySchema,
  AgentJobSchema,
  AgentResultBodySchema,
  AgentResultReplySchema,
  agentPaths,
} from '../../contract/agent/agent-protocol.ts';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { isErrorCode } from '../../contract/errors/catalogue.ts';
import { isTerminalTaskStatus } from '../../contract/task/task-status.ts';
import { hashToken } from '../crypto/hash-token.ts';
import { randomToken } from '../crypto/random-token.ts';
import { ErrorReplySchema } from '../http/schemas/error-schema.ts';
import { nowIso } from '../store/now-iso.ts';
import { findServerById } from '../store/servers-repo.ts';
import { findLatestTask } from '../store/tasks-repo.ts';
import type { ControlTask } from '../tasks/task-model.ts';
import type { TaskFailure } from '../tasks/task-service.ts';
import type { AgentRunner } from './agent-runner.ts';
import {
  ensureSession,
  findSession,
  findSessionByPhoneHome,
  markPhoneHome,
  markResult,
  recordEnrolment,
  type AgentSession,
} from './agent-sessions-repo.ts';
import { applyAgentBatch } from './apply-agent-batch.ts';
import { buildAgentJob, heartbeatSecondsFor } from './build-agent-job.ts';
import type { ControlEndpoint } from './control-endpoint.ts';
import { installRedactor } from './install-redactor.ts';
import { recordFirstBoot } from './record-first-boot.ts';
import { storeAgentResult } from './runner-tasks-repo.ts';
import type {} from '../http/fastify-types.ts';

const errors = { 400: ErrorReplySchema, 401: ErrorReplySchema, 410: ErrorReplySchema };

/**
 * The agent API (docs/API.md "Agent protocol"): an encapsulated plugin with its own authentication, a bearer
 * agent token scoped to one task of one server. The job is the only reply that carries secrets, and only to
 * the token's own agent. The first-boot route authenticates by the one-time token in its URL and is never
 * logged by Fastify (the URL holds that token).
 */
export function agentRoutes(deps: { runner: AgentRunner; endpoint: ControlEndpoint }) {
  return async function agentRoutesPlugin(parent: FastifyInstance): Promise<void> {
    const app = parent.withTypeProvider<TypeBoxTypeProvider>();
    const { store, tasks, taskBus: bus, byoiConfig: config } = app;
    deps.endpoint.attach(app.server);

    // cloud-init's phone_home posts a form; anything else it might send is accepted and ignored.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 65536 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 65536 }, (_request, _body, done) => done(null, undefined));

    /** Who calls: the session of the bearer token, and the task when the token is the current one of a running task. */
    async function identify(request: FastifyRequest): Promise<{ tokenHash: string; session: AgentSession; current: ControlTask | undefined }> {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~-]{16,256})\s*$/.exec(header) : null;
      if (match === null) throw new ByoiError('BYOI_AGENT_TOKEN_INVALID');
      const token = match[1] as string;
      const tokenHash = hashToken(token);
      const current = await tasks.findByAgentToken(token);
      const session = current !== undefined ? await ensureSession(store, tokenHash, current.id, nowIso()) : await findSession(store, tokenHash);
      if (session === undefined) throw new ByoiError('BYOI_AGENT_TOKEN_INVALID');
      return { tokenHash, session, current };
    }

    /** A caller that may still report: current token, running task, no result yet. */
    async function requireLive(request: FastifyRequest): Promise<{ tokenHash: string; session: AgentSession; task: ControlTask }> {
      const { tokenHash, session, current } = await identify(request);
      if (current === undefined) {
        const task = await tasks.get(session.taskId);
        if (task === undefined || isTerminalTaskStatus(task.status)) {
          throw new ByoiError('BYOI_AGENT_TASK_ENDED', { taskId: session.taskId, reason: `its status is ${task?.status ?? 'unknown'}` });
        }
        throw new ByoiError('BYOI_AGENT_TOKEN_INVALID');
      }
      if (session.resultAt !== null) {
        throw new ByoiError('BYOI_AGENT_TASK_ENDED', { taskId: current.id, reason: 'this installer already reported its result' });
      }
      return { tokenHash, session, task: current };
    }

    // One batch at a time per task in this process, so a replay racing its original here is seen as a replay (across
    // processes, applyAgentBatch() is what keeps a batch from applying twice).
    const queues = new Map<number, Promise<unknown>>();
    function serialize<T>(taskId: number, work: () => Promise<T>): Promise<T> {
      const previous = queues.get(taskId) ?? Promise.resolve();
      const next = previous.then(work, work);
      queues.set(taskId, next);
      void next.finally(() => {
        if (queues.get(taskId) === next) queues.delete(taskId);
      }).catch(() => undefined);
      return next;
    }

    app.get(
      agentPaths.job,
      { schema: { summary: 'The job of the installer (agent token)', tags: ['agent'], response: { 200: AgentJobSchema, ...errors } } },
      async (request) => {
        const { tokenHash, task: claimed } = await requireLive(request);
        let task = claimed;
        if (task.status === 'todo') {
          try {
            task = await tasks.transition(task.id, 'doing');
          } catch (error) {
            if ((error as { code?: unknown }).code !== 'BYOI_TASK_TRANSITION') throw error;
            task = (await tasks.get(task.id)) ?? task;
          }
        }
        if (task.steps.find((step) => step.id === 'reboot-installer')?.status !== 'done') await tasks.setStep(task.id, 'reboot-installer', 'done');
        await tasks.renewLease(task.id, task.leaseOwner ?? '');
        const server = await findServerById(store, task.serverId);
        const installRequest = await tasks.readInstallRequest(task.id);
        if (server === undefined || installRequest === null || task.targetDisk === null) {
          throw new ByoiError('BYOI_AGENT_TASK_ENDED', { taskId: task.id, reason: 'it is not an install' });
        }
        const phoneHomeToken = randomToken(43);
        const instanceUuid = randomUUID();
        await recordEnrolment(store, tokenHash, { now: nowIso(), instanceUuid, phoneHomeHash: hashToken(phoneHomeToken) });
        // The installed system phones home from the server's network, like iPXE and this agent: boot.url (the
        // origin the agent was given as byoi.control) first. A proxy in front of a TLS control plane serves the boot
        // network plain HTTP, so the request's own scheme would name an origin the server cannot reach.
        const origin = config.boot.url ?? config.publicUrl ?? `${request.protocol}://${request.host}`;
        request.log.info({ taskId: task.id, server: server.serviceName }, 'installer enrolled');
        return buildAgentJob({
          taskId: task.id,
          server,
          targetDisk: task.targetDisk,
          request: installRequest,
          instanceUuid,
          phoneHome: { url: `${origin}${agentPaths.firstBoot}`, token: phoneHomeToken },
          leaseSeconds: config.tasks.leaseSeconds,
        });
      },
    );

    app.post(
      agentPaths.events,
      {
        bodyLimit: 1024 * 1024,
        schema: { summary: 'Deploy events, in numbered batches (agent token)', tags: ['agent'], body: AgentEventsBatchSchema, response: { 200: AgentEventsReplySchema, ...errors } },
      },
      async (request) => {
        const { tokenHash, task } = await requireLive(request);
        return serialize(task.id, () => applyAgentBatch({ store, tasks }, { tokenHash, task }, request.body));
      },
    );

    app.post(
      agentPaths.heartbeat,
      { schema: { summary: 'Keeps the task lease (agent token)', tags: ['agent'], response: { 200: AgentHeartbeatReplySchema, ...errors } } },
      async (request) => {
        const { task } = await requireLive(request);
        await tasks.renewLease(task.id, task.leaseOwner ?? '');
        return { leaseSeconds: config.tasks.leaseSeconds, heartbeatSeconds: heartbeatSecondsFor(config.tasks.leaseSeconds) };
      },
    );

    app.post(
      agentPaths.result,
      {
        bodyLimit: 1024 * 1024,
        schema: { summary: 'The end of the deploy (agent token); idempotent', tags: ['agent'], body: AgentResultBodySchema, response: { 200: AgentResultReplySchema, ...errors } },
      },
      async (request) => {
        const { tokenHash, session, current } = await identify(request);
        const body = request.body;
        if (body.ok ? body.result === undefined : body.error === undefined) {
          throw new ByoiError('BYOI_API_INVALID_VALUE', { name: 'result', reason: body.ok ? 'ok is true but result is missing' : 'ok is false but error is missing' });
        }
        const known = current ?? (await tasks.get(session.taskId));
        // A duplicate (this installer's result is in), or a late one (the task ended, or a newer installer runs).
        if (session.resultAt !== null || current === undefined || known === undefined) {
          return { accepted: false, taskStatus: known?.status ?? 'unknown' };
        }
        if (!(await markResult(store, tokenHash, nowIso()))) return { accepted: false, taskStatus: current.status };
        if (body.ok) {
          let task = current;
          if (task.status === 'todo') task = await tasks.transition(task.id, 'doing');
          const stored = await storeAgentResult(store, {
            taskId: task.id,
            result: body.result,
            owner: deps.runner.owner,
            leaseExpiresAt: nowIso(Date.now() + config.tasks.leaseSeconds * 1000),
            now: nowIso(),
          });
          if (!stored) return { accepted: false, taskStatus: (await tasks.get(task.id))?.status ?? task.status };
          request.log.info({ taskId: task.id }, 'installer reported success');
          deps.runner.completeInstall(task.id);
          return { accepted: true, taskStatus: 'doing' };
        }
        const failure = await toFailure(current.id, body.error as NonNullable<typeof body.error>);
        const ended = await tasks.finish(current.id, { ok: false, error: failure });
        request.log.info({ taskId: current.id, code: failure.code, status: ended.status }, 'installer reported a failure');
        return { accepted: true, taskStatus: ended.status };
      },
    );

    /** The agent's error as the task keeps it: a catalogue code and its message, redacted; unknown codes are ours. */
    async function toFailure(taskId: number, record: { code: string; message: string }): Promise<TaskFailure> {
      if (!isErrorCode(record.code) || record.message.trim() === '') {
        const error = new ByoiError('BYOI_INTERNAL', { phase: 'installing the image' });
        return { code: error.code, message: error.message };
      }
      const redact = await installRedactor(tasks, taskId);
      return { code: record.code, message: redact(record.message).slice(0, 1000) };
    }

    app.post(
      agentPaths.firstBoot,
      {
        // The URL carries the one-time token: keep Fastify's request lines (which log the URL) out of the log.
        logLevel: 'silent',
        schema: {
          summary: "The installed system's first boot (cloud-init phone_home, token in the query)",
          tags: ['agent'],
          querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) }),
          response: { 200: Type.Object({ confirmed: Type.Boolean() }), 403: ErrorReplySchema },
        },
      },
      async (request) => {
        const refuse = (reason: string) => new ByoiError('BYOI_FIRST_BOOT_TOKEN', { reason });
        const token = request.query.token;
        if (token === undefined || token === '') throw refuse('the token is missing');
        const tokenHash = hashToken(token);
        const session = await findSessionByPhoneHome(store, tokenHash);
        if (session === undefined) throw refuse('the token is unknown');
        if (session.phoneHomeAt !== null) throw refuse('the token was already used');
        const task = await tasks.get(session.taskId);
        if (task === undefined || task.function !== 'reinstallServer') throw refuse('the token is unknown');
        const finished = session.resultAt !== null && (task.status === 'done' || (task.status === 'doing' && task.result !== null));
        if (!finished) throw refuse('the install it belongs to did not finish');
        if ((await findLatestTask(store, task.serverId, 'reinstallServer'))?.id !== task.id) throw refuse('a newer install of the server replaced it');
        const instanceId = (request.body as { instance_id?: unknown } | undefined)?.instance_id;
        if (typeof instanceId === 'string' && instanceId !== '' && instanceId !== session.instanceUuid) throw refuse("the instance id is not the install's");
        if (!(await markPhoneHome(store, session.tokenHash, nowIso()))) throw refuse('the token was already used');
        await recordFirstBoot({ store, tasks, bus }, task.id, { ok: true });
        deps.runner.firstBootConfirmed(task.id);
        app.log.info({ taskId: task.id }, 'first boot confirmed');
        return { confirmed: true };
      },
    );
  };
}
