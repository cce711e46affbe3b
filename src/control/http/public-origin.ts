import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config-schema.ts';

/** The origin clients use to reach this server: config publicUrl, else the request's scheme and Host. */
export function publicOrigin(request: FastifyRequest, config: Config): string {
  return config.publicUrl ?? `${request.protocol}://${request.host}`;
}
