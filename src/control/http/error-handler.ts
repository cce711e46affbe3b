import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { isErrorCode, type ErrorCode } from '../../contract/errors/catalogue.ts';
import { ovhErrorCodes } from './ovh-error-code.ts';

/** The body of every error reply: OVH's `{class, message}`, with `errorCode`/`httpCode` for auth failures. */
export interface ErrorReply {
  class: string;
  message: string;
  errorCode?: string;
  httpCode?: string;
}

/**
 * The one place that formats errors. A ByoiError becomes `{class, message}` with the catalogue's status;
 * Fastify's own errors (validation, body size, media type, JSON) are first turned into catalogue errors;
 * anything else is logged and answered as a 500 that names the query id, never with a stack or message.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const byoi = toByoiError(error, request);
    // Only unexpected errors carry a stack to the log; catalogue errors are one line with their code.
    if (byoi.code === 'BYOI_API_INTERNAL') request.log.error({ err: error, code: byoi.code }, 'request failed');
    else request.log.info({ code: byoi.code, status: byoi.status }, byoi.message);
    return sendError(reply, byoi);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new ByoiError('BYOI_API_ROUTE_NOT_FOUND')));
}

export function sendError(reply: FastifyReply, error: ByoiError): FastifyReply {
  const body: ErrorReply = { class: error.class, message: error.message };
  const errorCode = ovhErrorCodes[error.code];
  if (errorCode !== undefined) {
    body.errorCode = errorCode;
    body.httpCode = `${error.status} ${STATUS_CODES[error.status] ?? ''}`.trim();
  }
  return reply.code(error.status).type('application/json; charset=utf-8').send(body);
}

function toByoiError(error: FastifyError, request: FastifyRequest): ByoiError {
  if (isByoiError(error) && isErrorCode(error.code)) {
    // A ByoiError from another copy of contract/ (a bundled plugin) is rebuilt from its code and params.
    const foreign = error as { code: ErrorCode; params?: Record<string, string> };
    return error instanceof ByoiError ? error : new ByoiError(foreign.code, foreign.params ?? {});
  }
  if (error.validation !== undefined) {
    const first = error.validation[0];
    const where = error.validationContext ?? 'request';
    const path = (first?.instancePath ?? '').split('/').filter(Boolean).join('.');
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const name = [where, path, missing].filter(Boolean).join('.');
    return new ByoiError('BYOI_API_INVALID_PARAMETER', { name, reason: first?.message ?? 'is not valid' });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ByoiError('BYOI_API_BODY_TOO_LARGE', { limit: request.routeOptions.bodyLimit ?? 0 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ByoiError('BYOI_API_MEDIA_TYPE', { contentType: String(request.headers['content-type'] ?? 'none').slice(0, 64) });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ByoiError('BYOI_REQUEST_BODY', { reason: error.message });
    default:
      break;
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new ByoiError('BYOI_API_INVALID_VALUE', { name: 'request', reason: error.message });
  }
  return new ByoiError('BYOI_API_INTERNAL', { queryId: request.id });
}
