import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { setCredentialState } from '../../store/credentials-repo.ts';
import { effectiveState } from '../../auth/credential-model.ts';
import { nowIso } from '../../store/now-iso.ts';
import { createSessionToken, csrfTokenFor, sessionCookieName } from '../../auth/session-token.ts';
import { AuthDetailsSchema, CurrentCredentialSchema, SessionReplySchema } from '../schemas/auth-schemas.ts';
import { errorResponses } from '../schemas/error-schema.ts';
import { authOf } from '../require-server.ts';
import type { Config } from '../../config/config-schema.ts';

/** Auth routes that need a signed call: who am I, log out, and browser sessions for the SSE stream. */
export const signedAuthRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  app.get(
    '/auth/details',
    { schema: { summary: 'The caller: account and allowed routes', tags: ['auth'], response: { 200: AuthDetailsSchema, ...errorResponses() } } },
    async (request) => {
      const { account, credential, application } = authOf(request);
      return {
        account: account.name,
        allowedRoutes: credential.rules,
        description: `byoi application ${application.name}`,
        identities: [`urn:v1:byoi:identity:account:${account.name}`],
        method: 'account',
        roles: account.operator ? ['operator'] : [],
        user: account.name,
      };
    },
  );

  app.get(
    '/auth/currentCredential',
    { schema: { summary: 'The credential of this call', tags: ['auth'], response: { 200: CurrentCredentialSchema, ...errorResponses() } } },
    async (request) => {
      const { credential } = authOf(request);
      return {
        credentialId: credential.id,
        applicationId: credential.applicationId,
        status: effectiveState(credential, nowIso()),
        rules: credential.rules,
        creation: credential.createdAt,
        expiration: credential.expiresAt,
        lastUse: credential.lastUseAt,
        ovhSupport: false,
        allowedIPs: null,
      };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { summary: 'Expire the credential of this call', tags: ['auth'], response: { 200: Type.Null(), ...errorResponses() } } },
    async (request) => {
      await setCredentialState(app.store, authOf(request).credential.id, { state: 'expired' });
      return null;
    },
  );

  app.post(
    '/byoi/session',
    {
      schema: {
        summary: 'Open a browser session (cookie) from a signed call, for EventSource and the panel',
        description:
          'Sets the HttpOnly cookie byoi_session (SameSite=Strict). Cookie-authenticated calls get the same account and access rules as the credential; calls other than GET must also send X-Byoi-Csrf with the csrfToken returned here.',
        tags: ['auth'],
        response: { 200: SessionReplySchema, ...errorResponses() },
      },
    },
    async (request, reply) => {
      const { credential } = authOf(request);
      const expiresAt = Math.floor(Date.now() / 1000) + config.auth.sessionSeconds;
      const token = createSessionToken(app.store.sessionKey, { credentialId: credential.id, expiresAt });
      reply.setCookie(sessionCookieName, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        path: '/',
        maxAge: config.auth.sessionSeconds,
      });
      return { expiresAt: new Date(expiresAt * 1000).toISOString(), csrfToken: csrfTokenFor(app.store.sessionKey, token) };
    },
  );

  app.delete(
    '/byoi/session',
    { schema: { summary: 'Close the browser session (clears the cookie)', tags: ['auth'], response: { 200: Type.Null(), ...errorResponses() } } },
    async (_request, reply) => {
      reply.clearCookie(sessionCookieName, { path: '/' });
      return null;
    },
  );
};
