import type { FastifyInstance } from 'fastify';

/** `GET /1.0/openapi.json` (and /v1/openapi.json): the OpenAPI 3 document generated from the route schemas. */
export async function openapiRoute(app: FastifyInstance): Promise<void> {
  for (const prefix of ['/1.0', '/v1']) {
    app.get(`${prefix}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  }
}
