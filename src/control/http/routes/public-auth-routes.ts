import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ByoiError } from '../../../contract/errors/byoi-error.ts';
import type { FastifyRequest } from 'fastify';
import { findApplicationByKey, type Application } from '../../store/applications-repo.ts';
import { createCredential } from '../../store/credentials-repo.ts';
import { CredentialReplySchema, CredentialRequestSchema } from '../schemas/auth-schemas.ts';
import { ErrorReplySchema } from '../schemas/error-schema.ts';
import { publicOrigin } from '../public-origin.ts';
import type { Config } from '../../config/config-schema.ts';

/** The application found by the preValidation hook, for the handler of the same request. */
const applications = new WeakMap<FastifyRequest, Application>();

/** The unsigned auth routes: the server clock and credential requests (only X-Ovh-Application is needed). */
export const publicAuthRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  app.get(
    '/auth/time',
    {
      schema: {
        summary: 'Server time, Unix seconds (clients sign with it)',
        tags: ['auth'],
        security: [],
        response: { 200: Type.Integer() },
      },
    },
    async () => Math.floor(Date.now() / 1000),
  );

  app.post(
    '/auth/credential',
    {
      schema: {
        summary: 'Request a consumer key with access rules; an operator validates it',
        tags: ['auth'],
        security: [{ application: [] }],
        body: CredentialRequestSchema,
        response: { 200: CredentialReplySchema, 400: ErrorReplySchema, 403: ErrorReplySchema },
      },
      // The application key is checked before the body, as OVH does.
      preValidation: async (request) => {
        const key = request.headers['x-ovh-application'];
        const found = typeof key === 'string' ? await findApplicationByKey(request.server.store, key) : undefined;
        if (found === undefined) throw new ByoiError('BYOI_AUTH_INVALID_KEY');
        applications.set(request, found.application);
      },
    },
    async (request) => {
      const application = applications.get(request);
      if (application === undefined) throw new ByoiError('BYOI_AUTH_INVALID_KEY');
      const { credential, consumerKey } = await createCredential(app.store, {
        applicationId: application.id,
        rules: request.body.accessRules,
        redirection: request.body.redirection ?? null,
      });
      request.log.info({ credentialId: credential.id, application: application.applicationKey }, 'credential requested');
      return {
        validationUrl: `${publicOrigin(request, config)}/auth/?credentialToken=${credential.validationToken}`,
        consumerKey,
        state: 'pendingValidation' as const,
      };
    },
  );
};
