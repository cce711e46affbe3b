import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import { authenticate, type RequestFacts } from './authenticate.ts';
import { csrfHeaderName, sessionCookieName } from './session-token.ts';
import type {} from '../http/fastify-types.ts';

/** Strips the API prefix: "/1.0/dedicated/server?x=1" → "/dedicated/server". */
export function apiPathOf(url: string): string {
  const path = url.split('?')[0] ?? '';
  const match = /^\/(?:1\.0|v1)(\/.*)?$/.exec(path);
  return match === null ? path : (match[1] ?? '/');
}

/**
 * The preValidation hook of the OVH routes: it runs after the body is read (the signature covers it) and
 * before validation (so an unauthenticated caller learns nothing from validation errors). On success it sets
 * `request.auth`; on failure the ByoiError goes to the error handler.
 */
export function ovhAuthHook(config: Config): preValidationAsyncHookHandler {
  return async function checkOvhAuth(request: FastifyRequest) {
    request.auth = await authenticate(request.server.store, requestFacts(request), {
      clockSkewSeconds: config.auth.clockSkewSeconds,
      publicUrl: config.publicUrl,
    });
  };
}

const noBody = new Uint8Array(0);

function requestFacts(request: FastifyRequest): RequestFacts {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    method: request.method,
    target: request.raw.url ?? request.url,
    apiPath: apiPathOf(request.url),
    // Fastify reads X-Forwarded-Proto/Host only when the app trusts its proxy (config auth.trustProxy).
    protocol: request.protocol,
    host: request.host,
    body: request.rawBody ?? noBody,
    applicationKey: header('x-ovh-application'),
    consumerKey: header('x-ovh-consumer'),
    timestamp: header('x-ovh-timestamp'),
    signature: header('x-ovh-signature'),
    sessionToken: request.cookies?.[sessionCookieName],
    csrfToken: header(csrfHeaderName),
  };
}
