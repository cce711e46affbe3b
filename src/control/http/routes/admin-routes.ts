import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import { createAccount, listAccounts, requireAccount } from '../../store/accounts-repo.ts';
import { createApplication, listApplications } from '../../store/applications-repo.ts';
import { listCredentials } from '../../store/credentials-repo.ts';
import { listServers } from '../../store/servers-repo.ts';
import { listTasks } from '../../store/tasks-repo.ts';
import { credentialView, refuseCredential, revokeCredential, validateCredential } from '../../auth/credential-admin.ts';
import type { CredentialState } from '../../auth/credential-model.ts';
import { adminServerView, changeServer, registerServer, removeServer, requireServerByName } from '../../fleet/server-admin.ts';
import { ServerSpecPatchSchema, ServerSpecSchema } from '../../fleet/server-spec.ts';
import {
  AccountSchema,
  AdminServerViewSchema,
  AdminTaskSchema,
  ApplicationSchema,
  CredentialViewSchema,
  NewAccountSchema,
  NewApplicationReplySchema,
  NewApplicationSchema,
  ValidateCredentialSchema,
} from '../schemas/admin-schemas.ts';
import { errorResponses } from '../schemas/error-schema.ts';
import { ServiceNameParamsSchema } from '../schemas/server-schemas.ts';
import { authOf } from '../require-server.ts';

const tags = ['admin'];
const CredentialParams = Type.Object({ credentialId: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

/**
 * The operators' API under /admin: accounts, API applications, credential validation, the fleet. Only
 * credentials of an account with the operator flag get past the hook (others: 403 NOT_GRANTED_CALL), and
 * their access rules must grant /admin/*. `byoi admin ...` does the same on the database directly.
 */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // preValidation (after the signature hook of the parent scope): a non-operator learns nothing from validation errors.
  app.addHook('preValidation', async (request) => {
    if (!authOf(request).account.operator) throw new ByoiError('BYOI_AUTH_NOT_GRANTED');
  });

  app.get('/admin/account', { schema: { summary: 'Accounts', tags, response: { 200: Type.Array(AccountSchema), ...errorResponses() } } }, async () =>
    listAccounts(app.store),
  );

  app.post(
    '/admin/account',
    { schema: { summary: 'Create an account', tags, body: NewAccountSchema, response: { 200: AccountSchema, ...errorResponses(409) } } },
    async (request) => createAccount(app.store, { name: request.body.name, operator: request.body.operator ?? false }),
  );

  app.get(
    '/admin/application',
    {
      schema: {
        summary: 'API applications (never their secrets)',
        tags,
        querystring: Type.Object({ account: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.Array(ApplicationSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const accountId = request.query.account === undefined ? undefined : (await requireAccount(app.store, request.query.account)).id;
      const applications = await listApplications(app.store, accountId);
      const names = new Map((await listAccounts(app.store)).map((account) => [account.id, account.name]));
      return applications.map((application) => ({
        applicationId: application.id,
        applicationKey: application.applicationKey,
        account: names.get(application.accountId) ?? String(application.accountId),
        name: application.name,
        description: application.description,
        createdAt: application.createdAt,
      }));
    },
  );

  app.post(
    '/admin/application',
    {
      schema: {
        summary: 'Create an API application; its secret is in this reply only',
        tags,
        body: NewApplicationSchema,
        response: { 200: NewApplicationReplySchema, ...errorResponses() },
      },
    },
    async (request) => {
      const account = await requireAccount(app.store, request.body.account);
      const { application, applicationSecret } = await createApplication(app.store, {
        accountId: account.id,
        name: request.body.name,
        description: request.body.description ?? '',
      });
      return { applicationId: application.id, applicationKey: application.applicationKey, applicationSecret };
    },
  );

  app.get(
    '/admin/credential',
    {
      schema: {
        summary: 'Credentials (never their consumer keys)',
        tags,
        querystring: Type.Object({
          state: Type.Optional(Type.Union([Type.Literal('pendingValidation'), Type.Literal('validated'), Type.Literal('refused'), Type.Literal('expired')])),
        }),
        response: { 200: Type.Array(CredentialViewSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const credentials = await listCredentials(app.store, request.query.state === undefined ? {} : { state: request.query.state as CredentialState });
      return Promise.all(credentials.map((credential) => credentialView(app.store, credential)));
    },
  );

  app.post(
    '/admin/credential/validate',
    { schema: { summary: 'Validate a pending credential for an account', tags, body: ValidateCredentialSchema, response: { 200: CredentialViewSchema, ...errorResponses() } } },
    async (request) =>
      credentialView(
        app.store,
        await validateCredential(app.store, { reference: request.body.credential, accountName: request.body.account, expiresInSeconds: request.body.expiresInSeconds }),
      ),
  );

  app.post(
    '/admin/credential/:credentialId/refuse',
    { schema: { summary: 'Refuse a pending credential', tags, params: CredentialParams, response: { 200: CredentialViewSchema, ...errorResponses() } } },
    async (request) => credentialView(app.store, await refuseCredential(app.store, String(request.params.credentialId))),
  );

  app.post(
    '/admin/credential/:credentialId/revoke',
    { schema: { summary: 'Expire a credential now', tags, params: CredentialParams, response: { 200: CredentialViewSchema, ...errorResponses() } } },
    async (request) => credentialView(app.store, await revokeCredential(app.store, String(request.params.credentialId))),
  );

  app.get(
    '/admin/server',
    {
      schema: {
        summary: 'Every server of the fleet',
        tags,
        querystring: Type.Object({ account: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.Array(AdminServerViewSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const accountId = request.query.account === undefined ? undefined : (await requireAccount(app.store, request.query.account)).id;
      const servers = await listServers(app.store, accountId === undefined ? {} : { accountId });
      return Promise.all(servers.map((server) => adminServerView(app.store, server)));
    },
  );

  app.post(
    '/admin/server',
    {
      schema: {
        summary: 'Register a server (MAC, boot mode, disks, power driver)',
        tags,
        body: ServerSpecSchema,
        response: { 200: AdminServerViewSchema, ...errorResponses(409) },
      },
    },
    async (request) => adminServerView(app.store, await registerServer(app.store, request.body, app.powerDrivers)),
  );

  app.get(
    '/admin/server/:serviceName',
    { schema: { summary: 'One server', tags, params: ServiceNameParamsSchema, response: { 200: AdminServerViewSchema, ...errorResponses() } } },
    async (request) => adminServerView(app.store, await requireServerByName(app.store, request.params.serviceName)),
  );

  app.put(
    '/admin/server/:serviceName',
    {
      schema: {
        summary: 'Change a server (owner, disks, power driver...)',
        tags,
        params: ServiceNameParamsSchema,
        body: ServerSpecPatchSchema,
        response: { 200: AdminServerViewSchema, ...errorResponses(409) },
      },
    },
    async (request) => adminServerView(app.store, await changeServer(app.store, request.params.serviceName, request.body, app.powerDrivers)),
  );

  app.delete(
    '/admin/server/:serviceName',
    { schema: { summary: 'Remove a server (not while a task runs)', tags, params: ServiceNameParamsSchema, response: { 200: Type.Null(), ...errorResponses() } } },
    async (request) => {
      await removeServer(app.store, request.params.serviceName);
      return null;
    },
  );

  app.get(
    '/admin/task',
    {
      schema: {
        summary: 'Recent tasks of the whole fleet, newest first',
        tags,
        querystring: Type.Object({ status: Type.Optional(Type.String({ maxLength: 32 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: Type.Array(AdminTaskSchema), ...errorResponses() },
      },
    },
    async (request) => {
      const filter: { status?: string; limit?: number } = {};
      if (request.query.status !== undefined) filter.status = request.query.status;
      if (request.query.limit !== undefined) filter.limit = request.query.limit;
      const tasks = await listTasks(app.store, filter);
      return tasks.map((task) => ({
        taskId: task.id,
        serverId: task.serverId,
        function: task.function,
        status: task.status,
        comment: task.comment,
        startDate: task.startDate,
        doneDate: task.doneDate,
        lastUpdate: task.lastUpdate,
        errorCode: task.errorCode,
        leaseOwner: task.leaseOwner,
        leaseExpiresAt: task.leaseExpiresAt,
        attempts: task.attempts,
      }));
    },
  );
};
