import type { FastifyInstance } from 'fastify';
import { ByoiError } from '../../contract/errors/byoi-error.ts';

/**
 * Parses JSON bodies while keeping their exact bytes on `request.rawBody` (null when the request had no body): OVH signatures cover the body as
 * sent. An empty body is accepted as "no body": the official Node client sends `Content-Type:
 * application/json` with no body on POSTs without parameters (research/ovh-api.md §3 step 3).
 */
export function registerRawJsonParser(app: FastifyInstance): void {
  app.decorateRequest('rawBody', null);
  // JSON only: any other body would be parsed without its bytes kept, so its signature could not be checked.
  // Fastify then answers 415 (BYOI_API_MEDIA_TYPE) before authentication, which reveals nothing.
  app.removeContentTypeParser(['text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    request.rawBody = bytes;
    if (bytes.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(bytes.toString('utf8')) as unknown);
    } catch (error) {
      done(new ByoiError('BYOI_REQUEST_BODY', { reason: `it is not valid JSON (${(error as Error).message})` }), undefined);
    }
  });
}
