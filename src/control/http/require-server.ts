import type { FastifyRequest } from 'fastify';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { printable } from '../../contract/request/printable.ts';
import { findServerForAccount } from '../store/servers-repo.ts';
import type { Server } from '../fleet/server-model.ts';
import type { AuthContext } from '../auth/auth-context.ts';

/** The authenticated caller; the auth hook guarantees it on every route of the signed scope. */
export function authOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) throw new ByoiError('BYOI_AUTH_NOT_AUTHENTICATED');
  return request.auth;
}

/**
 * The caller's server `serviceName`. Another account's server answers exactly like a missing one (404 with
 * OVH's message), so a tenant cannot learn which names exist.
 */
export async function requireServer(request: FastifyRequest, serviceName: string): Promise<Server> {
  const server = await findServerForAccount(request.server.store, authOf(request).account.id, serviceName);
  if (server === undefined) throw serviceNotFound(serviceName);
  return server;
}

/** The 404 of a server the caller does not have, missing or another account's alike. */
export function serviceNotFound(serviceName: string): ByoiError {
  return new ByoiError('BYOI_API_SERVICE_NOT_FOUND', { serviceName: printable(serviceName, 255) });
}
