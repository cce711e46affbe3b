import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

/**
 * A Fastify `childLoggerFactory` whose request logger (`request.log`, `reply.log`) becomes pino's child logger
 * only when something logs through it. Fastify makes that child for every request (the request id bindings
 * serialised and passed through the redaction, a logger object per level set): about 10 µs, 5 % of a boot script,
 * for a logger most requests never write to (the access line has its own logger, access-log-controller.ts; the
 * boot routes log at `warn`). Set for the whole app (build-app.ts). The child, once made, is
 * exactly the one Fastify's default factory makes (same bindings and options), so every line is unchanged.
 */
export function lazyChildLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}

class LazyChildLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  /** The child logger, made on first use. */
  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  // Reading the level (Fastify's log controller does, per request) does not need the child.
  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#real() as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled(level);
  }

  bindings(): Bindings {
    return (this.#real() as unknown as { bindings(): Bindings }).bindings();
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    (this.#real().fatal as (...args: unknown[]) => void)(...args);
  }

  error(...args: unknown[]): void {
    (this.#real().error as (...args: unknown[]) => void)(...args);
  }

  warn(...args: unknown[]): void {
    (this.#real().warn as (...args: unknown[]) => void)(...args);
  }

  info(...args: unknown[]): void {
    (this.#real().info as (...args: unknown[]) => void)(...args);
  }

  debug(...args: unknown[]): void {
    (this.#real().debug as (...args: unknown[]) => void)(...args);
  }

  trace(...args: unknown[]): void {
    (this.#real().trace as (...args: unknown[]) => void)(...args);
  }

  silent(...args: unknown[]): void {
    (this.#real().silent as (...args: unknown[]) => void)(...args);
  }
}
