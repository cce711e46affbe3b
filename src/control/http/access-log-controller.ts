import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/**
 * Fastify's request log lines, one per request: "request completed" with the request (method, url, host,
 * address), the status and the time; "incoming request" is not written. Routes with a higher logLevel (the
 * boot service's) stay silent as before; every other line (errors, 404s) is Fastify's.
 *
 * The line is written by `lineLogger`, a child of the app's logger without the redaction pass: the line is
 * built here from those few fields, none of which is at a redacted path (redact-paths.ts), so the pass could
 * not change a byte of it, and it cost about 28 µs per line (two lines were ~14 % of a signed task GET's CPU).
 */
export class AccessLogController extends LogController {
  readonly #lineLogger: Logger;

  constructor(lineLogger: Logger) {
    super();
    this.#lineLogger = lineLogger;
  }

  override incomingRequest(): void {
    // Logged with the outcome, in requestCompleted().
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    // An error (the reply stream failed) carries arbitrary objects: that line keeps the redaction pass.
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      return;
    }
    // reply.log has the route's level (logLevel 'warn' on the boot routes).
    const levels = this.#lineLogger.levels.values;
    // 'silent' has no number: nothing is enabled.
    if ((levels[reply.log.level] ?? Number.POSITIVE_INFINITY) > (levels.info ?? 30)) return;
    this.#lineLogger.info(
      {
        reqId: request.id,
        req: { method: request.method, url: request.url, host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort },
        res: { statusCode: reply.statusCode },
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  }
}
