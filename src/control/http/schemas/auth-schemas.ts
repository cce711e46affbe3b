import { Type } from 'typebox';
import { AccessRuleSchema } from '../../auth/access-rule.ts';

export const CredentialRequestSchema = Type.Object(
  {
    accessRules: Type.Array(AccessRuleSchema, { minItems: 1, maxItems: 100 }),
    redirection: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
    allowedIPs: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'Accepted, not enforced yet' })),
  },
);

/** The one reply that carries a consumer key: the credential's creator gets it once. */
export const CredentialReplySchema = Type.Object(
  {
    validationUrl: Type.String(),
    consumerKey: Type.String(),
    state: Type.Literal('pendingValidation'),
  },
  { additionalProperties: false },
);

/** `GET /auth/details` (what Terraform reads at start-up). */
export const AuthDetailsSchema = Type.Object(
  {
    account: Type.String(),
    allowedRoutes: Type.Array(AccessRuleSchema),
    description: Type.String(),
    identities: Type.Array(Type.String()),
    method: Type.String(),
    roles: Type.Array(Type.String()),
    user: Type.String(),
  },
  { additionalProperties: false },
);

/** `GET /auth/currentCredential` (OVH api.Credential). */
export const CurrentCredentialSchema = Type.Object(
  {
    credentialId: Type.Integer(),
    applicationId: Type.Integer(),
    status: Type.String(),
    rules: Type.Array(AccessRuleSchema),
    creation: Type.String(),
    expiration: Type.Union([Type.String(), Type.Null()]),
    lastUse: Type.Union([Type.String(), Type.Null()]),
    ovhSupport: Type.Boolean(),
    allowedIPs: Type.Union([Type.Array(Type.String()), Type.Null()]),
  },
  { additionalProperties: false },
);

export const SessionReplySchema = Type.Object(
  {
    expiresAt: Type.String({ format: 'date-time' }),
    csrfToken: Type.String({ description: 'Send it back in X-Byoi-Csrf on cookie-authenticated calls other than GET' }),
  },
  { additionalProperties: false },
);
