import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

/**
 * How many body bytes a response announces: its Content-Length, else the span of its Content-Range, else what
 * `fallback` says for that status (the probed image size for a close-delimited 200), else null (unknown).
 */
export type BodyLengthFallback = (statusCode: number) => number | null;

/**
 * An undici interceptor that never lets backpressure pause the parser on the chunk that ends a body.
 *
 * Why: undici 7's HTTP/1 parser must not be paused when it reads the server's FIN. If the consumer's buffer is
 * full exactly when the last body bytes arrive, the parser pauses before it reaches the end of the message; a
 * server that closes after each response (`Connection: close`, e.g. busybox httpd) then makes `Parser.finish()`
 * fail an assertion in a socket event handler, which no handler can catch: the process ends (nodejs/undici#5360,
 * fixed in undici 8 only, which needs Node 22). Letting that one chunk through costs at most one socket read
 * above the body's high-water mark, and the parser completes the message before the FIN is read.
 *
 * A body of unknown length (a close-delimited 200 while no size was probed) keeps normal backpressure: its end
 * cannot be known in advance, and the download refuses such a body anyway.
 */
export function unpausedBodyEnd(fallback: BodyLengthFallback): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => dispatch(options, new UnpausedEndHandler(handler as Dispatcher.DispatchHandler, fallback));
}

class UnpausedEndHandler implements Dispatcher.DispatchHandler {
  readonly #inner: Dispatcher.DispatchHandler;
  readonly #fallback: BodyLengthFallback;
  /** Body bytes still expected, or null when the length is unknown. */
  #remaining: number | null = null;

  constructor(inner: Dispatcher.DispatchHandler, fallback: BodyLengthFallback) {
    this.#inner = inner;
    this.#fallback = fallback;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, socket: Duplex): void {
    this.#inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.#remaining = announcedBodyLength(statusCode, headers) ?? this.#fallback(statusCode);
    this.#inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#remaining === null) {
      this.#inner.onResponseData?.(controller, chunk);
      return;
    }
    this.#remaining -= chunk.length;
    this.#inner.onResponseData?.(this.#remaining <= 0 ? withoutPause(controller) : controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.#inner.onResponseError?.(controller, error);
  }
}

/** The body length a response states itself: Content-Length, or the span of a 206's Content-Range. */
function announcedBodyLength(statusCode: number, headers: IncomingHttpHeaders): number | null {
  const length = headers['content-length'];
  if (typeof length === 'string' && /^\d+$/.test(length)) return Number(length);
  if (statusCode !== 206) return null;
  const range = /^bytes (\d+)-(\d+)\//.exec(String(headers['content-range'] ?? ''));
  return range === null ? null : Number(range[2]) - Number(range[1]) + 1;
}

/** The same controller, except that pause() does nothing. */
function withoutPause(controller: Dispatcher.DispatchController): Dispatcher.DispatchController {
  return {
    get aborted() {
      return controller.aborted;
    },
    get paused() {
      return controller.paused;
    },
    get reason() {
      return controller.reason;
    },
    abort: (reason: Error) => controller.abort(reason),
    pause: () => {},
    resume: () => controller.resume(),
  };
}
