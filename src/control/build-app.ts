import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import type { Config } from './config/config-schema.ts';
import type { Store } from './store/open-store.ts';
import { storePlugin } from './store/store-plugin.ts';
import { tasksPlugin } from './tasks/tasks-plugin.ts';
import type { TaskRunner } from './tasks/task-runner.ts';
import type { TaskBus } from './tasks/task-bus.ts';
import type { PowerDriver, PowerDriverRegistry } from './power/power-driver.ts';
import { registerRawJsonParser } from './http/raw-json-parser.ts';
import { registerErrorHandler } from './http/error-handler.ts';
import { ovhApiPlugin } from './http/ovh-api-plugin.ts';
import { openapiRoute } from './http/openapi-route.ts';
import { validationPageRoute } from './http/routes/validation-page-route.ts';
import { createControlLogger } from './http/create-logger.ts';
import { newQueryId } from './http/query-id.ts';
import { AccessLogController } from './http/access-log-controller.ts';
import { lazyChildLoggerFactory } from './http/lazy-child-logger.ts';
import { servePanel } from './web/serve-panel.ts';
import type {} from './http/fastify-types.ts';

export interface AppOptions {
  config: Config;
  /** An open store (openStore()); the app closes it on close when `closeStore` is true. */
  store: Store;
  closeStore?: boolean;
  /** A logger from createControlLogger() (tests give one writing to memory); default: config.logLevel on stdout. */
  logger?: Logger;
  /** The runner that executes tasks (the agent protocol's); without one, tasks wait in `init`. */
  taskRunner?: TaskRunner;
  powerDrivers?: PowerDriverRegistry;
  /**
   * More encapsulated plugins (the boot service, the agent routes), registered after the OVH API with
   * access to app.store, app.tasks and app.taskBus. They bring their own authentication.
   */
  plugins?: ReadonlyArray<(app: FastifyInstance) => Promise<void>>;
  https?: { key: string | Buffer; cert: string | Buffer } | null;
  /** Housekeeping period (lease expiry), ms; tests shorten it. */
  sweepIntervalMs?: number;
  /** The task bus; default an in-process one (a cluster worker gives cluster/relayed-task-bus.ts's). */
  taskBus?: TaskBus;
  /** Run the lease sweeper and replay-guard purge; default true (a follower worker leaves them to the leader). */
  housekeeping?: boolean;
  /** The cluster worker id, sent as `x-byoi-worker` on every response; unset with a single process. */
  workerId?: number;
  /** The built web panel (index.html and assets/); default web/dist of this checkout. */
  panelDir?: string;
}

/** Builds the control plane's Fastify app, ready for inject() or listen(); it does not listen. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const serverOptions: FastifyServerOptions & { https?: unknown } = {
    trustProxy: config.auth.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    // go-ovh reports X-Ovh-QueryID; byoi uses it as the request id so a client's report finds the log line.
    genReqId: newQueryId,
    requestIdHeader: false,
    routerOptions: { ignoreTrailingSlash: true },
  };
  const logger = options.logger ?? createControlLogger(config.logLevel);
  serverOptions.loggerInstance = logger;
  // One access line per request instead of Fastify's two (access-log-controller.ts says why it skips redaction).
  serverOptions.logController = new AccessLogController(logger.child({}, { redact: [] }));
  // Request loggers are made when a route writes a line, not for every request (lazy-child-logger.ts).
  serverOptions.childLoggerFactory = lazyChildLoggerFactory;
  if (options.https) serverOptions.https = options.https;

  const app = Fastify(serverOptions) as unknown as FastifyInstance;
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-ovh-queryid', request.id);
    done(null, payload);
  });
  if (options.workerId !== undefined) {
    // Which worker answered: for operators and the cluster tests. raw.setHeader also reaches hijacked replies (SSE).
    const worker = String(options.workerId);
    app.addHook('onRequest', (_request, reply, done) => {
      reply.raw.setHeader('x-byoi-worker', worker);
      done();
    });
  }
  app.decorateRequest('auth', null);
  app.decorate('byoiConfig', config);
  const powerDrivers: PowerDriverRegistry = options.powerDrivers ?? new Map<string, PowerDriver>();
  app.decorate('powerDrivers', powerDrivers);
  registerRawJsonParser(app);
  registerErrorHandler(app);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'byoi control plane',
        description:
          'OVHcloud-compatible API for Bring Your Own Image on bare-metal fleets. Paths are shown under /1.0; /v1 serves the same API. Authentication: OVH signatures (see docs/API.md).',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          application: { type: 'apiKey', in: 'header', name: 'X-Ovh-Application' },
          consumer: { type: 'apiKey', in: 'header', name: 'X-Ovh-Consumer' },
          timestamp: { type: 'apiKey', in: 'header', name: 'X-Ovh-Timestamp' },
          signature: { type: 'apiKey', in: 'header', name: 'X-Ovh-Signature', description: '"$1$" + sha1(AS+"+"+CK+"+"+METHOD+"+"+URL+"+"+BODY+"+"+TS)' },
          session: { type: 'apiKey', in: 'cookie', name: 'byoi_session' },
        },
      },
      security: [{ application: [], consumer: [], timestamp: [], signature: [] }, { session: [] }],
    },
    transform: ({ schema, url }) => ({ schema: url.startsWith('/v1/') ? { ...schema, hide: true } : schema, url }),
  });

  await app.register(storePlugin, { store: options.store, closeWithApp: options.closeStore ?? false });
  await app.register(tasksPlugin, {
    config,
    runner: options.taskRunner,
    sweepIntervalMs: options.sweepIntervalMs,
    bus: options.taskBus,
    housekeeping: options.housekeeping,
  });
  await app.register(validationPageRoute);
  await app.register(openapiRoute);
  for (const prefix of ['/1.0', '/v1']) await app.register(ovhApiPlugin, { prefix, config });
  // The web panel at / (its pages and /assets/ only): a client of the API above.
  await app.register(servePanel(options.panelDir === undefined ? {} : { dir: options.panelDir }));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  return app;
}
