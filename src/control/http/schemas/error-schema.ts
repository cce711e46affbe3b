import { Type } from 'typebox';

/** Every error reply (error-handler.ts). */
export const ErrorReplySchema = Type.Object(
  {
    class: Type.String({ description: 'OVH error class, e.g. Client::NotFound' }),
    message: Type.String(),
    errorCode: Type.Optional(Type.String({ description: 'Authentication failures only, e.g. INVALID_SIGNATURE' })),
    httpCode: Type.Optional(Type.String({ description: 'Authentication failures only, e.g. "400 Bad Request"' })),
  },
  { $id: 'ErrorReply', additionalProperties: false },
);

/** The error responses every authenticated route may give, for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorReplySchema> {
  const out: Record<number, typeof ErrorReplySchema> = {};
  for (const status of [400, 401, 403, 404, ...statuses]) out[status] = ErrorReplySchema;
  return out;
}
