// A control plane with the agent protocol (runner, agent routes, `local` power driver), its demo account and demo
// fleet, on a real port, on SQLite or PostgreSQL. Unlike the core's fixture it can restart on the same database
// and port while the virtual servers (the shared `local` driver and its in-process installers) keep running.
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../../src/control/build-app.ts';
import { loadConfig } from '../../../../src/control/config/load-config.ts';
import type { Config } from '../../../../src/control/config/config-schema.ts';
import { openStore, type Store } from '../../../../src/control/store/open-store.ts';
import { createControlLogger } from '../../../../src/control/http/create-logger.ts';
import { createAgentExtensions, type AgentExtensions } from '../../../../src/control/agent/agent-extensions.ts';
import { createLocalPowerDriver, type LocalPowerDriver } from '../../../../src/control/power/local-driver.ts';
import { ensureDemoAccount, type DemoCredentials } from '../../../../src/control/demo/ensure-demo-account.ts';
import { seedDemoFleet } from '../../../../src/control/demo/seed-demo-fleet.ts';
import { demoImagesPlugin } from '../../../../src/control/demo/demo-images-plugin.ts';
import type { Server } from '../../../../src/control/fleet/server-model.ts';
import { findServerByName } from '../../../../src/control/store/servers-repo.ts';
import type { DatabaseLeg } from '../../control/helpers/database-legs.ts';
import { testTls } from '../../control/helpers/control-fixture.ts';
import { ovhHeaders, type ClientKeys } from '../../control/helpers/ovh-signer.ts';

export interface CallResult {
  status: number;
  body: unknown;
  text: string;
}

export interface AgentControl {
  app: FastifyInstance;
  store: Store;
  config: Config;
  extensions: AgentExtensions;
  localDriver: LocalPowerDriver;
  /** http(s)://127.0.0.1:PORT */
  origin: string;
  ca: string | undefined;
  dir: string;
  databaseUrl: string;
  demo: DemoCredentials;
  servers: Server[];
  /** Every log line of every app this fixture started. */
  logs: string[];
  /** Every response body call() saw. */
  responses: string[];
  /** A signed OVH API call with the demo keys (or `keys`), under /1.0. */
  call(method: string, path: string, options?: { body?: unknown; keys?: ClientKeys }): Promise<CallResult>;
  /** Polls GET task until its status is terminal; returns the last reply. */
  waitForTask(serviceName: string, taskId: number, timeoutMs?: number): Promise<Record<string, unknown>>;
  server(serviceName: string): Promise<Server>;
  /** Stops the app (and its runner) and starts a new one on the same database, key and port. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the app only (the restart test's first half). */
  stopApp(): Promise<void>;
  startApp(): Promise<void>;
  close(): Promise<void>;
}

export async function startAgentControl(
  leg: DatabaseLeg,
  options: { tls?: boolean; config?: Record<string, unknown>; sweepIntervalMs?: number } = {},
): Promise<AgentControl> {
  const dir = mkdtempSync(join(tmpdir(), `byoi-agent-${leg.name}-`));
  const database = await leg.create(dir);
  const masterKey = randomBytes(32);
  const config = loadConfig({ flags: { dataDir: dir, database: database.url, logLevel: 'debug', ...options.config } });
  const tls = options.tls === true ? testTls() : undefined;
  const localDriver = createLocalPowerDriver();
  const logs: string[] = [];
  const responses: string[] = [];
  const logger = createControlLogger(
    'debug',
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const dispatcher = tls === undefined ? undefined : new Agent({ connect: { ca: tls.ca } });
  let port = 0;

  const fixture = {
    config,
    localDriver,
    ca: tls?.ca,
    dir,
    databaseUrl: database.url,
    logs,
    responses,
    servers: [] as Server[],
  } as unknown as AgentControl;

  async function startApp(): Promise<void> {
    const store = await openStore({ url: database.url, masterKey });
    const extensions = createAgentExtensions(config, { ...(tls === undefined ? {} : { ca: tls.ca }), localDriver, pollIntervalMs: 100 });
    const app = await buildApp({
      config,
      store,
      closeStore: true,
      logger,
      https: tls === undefined ? null : { key: tls.key, cert: tls.cert },
      sweepIntervalMs: options.sweepIntervalMs ?? 200,
      taskRunner: extensions.taskRunner,
      powerDrivers: extensions.powerDrivers,
      plugins: [...extensions.plugins, demoImagesPlugin(dir)],
    });
    await app.listen({ host: '127.0.0.1', port });
    const address = app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
    Object.assign(fixture, { app, store, extensions, origin: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}` });
  }

  await startApp();
  const made = await ensureDemoAccount(fixture.store, { dataDir: dir, apiUrl: `${fixture.origin}/1.0` });
  if (made === null) throw new Error('the demo account already existed');
  fixture.demo = made.credentials;
  fixture.servers = await seedDemoFleet({ store: fixture.store, account: made.account, config, log: fixture.app.log });

  fixture.call = async (method, path, callOptions = {}) => {
    const keys = callOptions.keys ?? fixture.demo;
    const body = callOptions.body === undefined ? '' : JSON.stringify(callOptions.body);
    const url = `${fixture.origin}/1.0${path}`;
    const headers: Record<string, string> = ovhHeaders(keys, { method, url: `https://127.0.0.1/1.0${path}`, body });
    if (body !== '') headers['content-type'] = 'application/json';
    const response = await undiciRequest(url, { method: method as 'GET', headers, body: body === '' ? undefined : body, dispatcher });
    const text = await response.body.text();
    responses.push(text);
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.statusCode, body: parsed, text };
  };

  fixture.waitForTask = async (serviceName, taskId, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = await fixture.call('GET', `/dedicated/server/${serviceName}/task/${taskId}`);
      const task = reply.body as Record<string, unknown>;
      if (['done', 'customerError', 'ovhError', 'cancelled'].includes(String(task.status))) return task;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${String(task.status)} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  fixture.server = async (serviceName) => {
    const server = await findServerByName(fixture.store, serviceName);
    if (server === undefined) throw new Error(`no server ${serviceName}`);
    return server;
  };

  fixture.stopApp = async () => {
    await fixture.app.close();
  };
  fixture.startApp = startApp;
  fixture.restart = async (restartOptions = {}) => {
    await fixture.stopApp();
    await new Promise((resolve) => setTimeout(resolve, restartOptions.downMs ?? 0));
    await startApp();
  };

  fixture.close = async () => {
    await localDriver.shutdown();
    await fixture.app.close().catch(() => undefined);
    await dispatcher?.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  return fixture;
}
