import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { findCredentialByValidationToken } from '../../store/credentials-repo.ts';
import { findApplicationById } from '../../store/applications-repo.ts';

/**
 * `GET /auth/?credentialToken=...`: the validationUrl of a credential request. byoi has no login page for
 * tenants; this plain-text page tells the user what was asked and what the operator runs to validate it.
 */
export const validationPageRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/auth/',
    {
      schema: {
        summary: 'Validation page of a credential request (plain text)',
        tags: ['auth'],
        security: [],
        querystring: Type.Object({ credentialToken: Type.Optional(Type.String({ maxLength: 64 })) }),
      },
    },
    async (request, reply) => {
      reply.type('text/plain; charset=utf-8');
      const token = request.query.credentialToken;
      const credential = token === undefined ? undefined : await findCredentialByValidationToken(app.store, token);
      if (credential === undefined) return reply.code(404).send('No credential request matches this link.\n');
      const application = await findApplicationById(app.store, credential.applicationId);
      const rules = credential.rules.map((rule) => `  ${rule.method} ${rule.path}`).join('\n');
      return [
        `Credential request ${credential.id} (application ${application?.name ?? credential.applicationId}): ${credential.state}`,
        '',
        'Access rules asked for:',
        rules,
        '',
        'An operator of this byoi control plane validates it for an account with:',
        `  byoi admin credential validate ${credential.id} --account ACCOUNT`,
        'or with the admin API: POST /1.0/admin/credential/validate {"credential": "' + credential.id + '", "account": "ACCOUNT"}',
        '',
      ].join('\n');
    },
  );
};
