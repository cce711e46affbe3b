import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { request as undiciRequest, Agent } from 'undici';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../../../src/control/build-app.ts';
import { loadConfig } from '../../../../src/control/config/load-config.ts';
import type { Config } from '../../../../src/control/config/config-schema.ts';
import { openStore, type Store } from '../../../../src/control/store/open-store.ts';
import { createControlLogger } from '../../../../src/control/http/create-logger.ts';
import { createAccount, type Account } from '../../../../src/control/store/accounts-repo.ts';
import { createApplication } from '../../../../src/control/store/applications-repo.ts';
import { createCredential } from '../../../../src/control/store/credentials-repo.ts';
import { validateCredential } from '../../../../src/control/auth/credential-admin.ts';
import { registerServer } from '../../../../src/control/fleet/server-admin.ts';
import { parseServerSpec } from '../../../../src/control/fleet/server-spec.ts';
import type { Server } from '../../../../src/control/fleet/server-model.ts';
import type { AccessRule } from '../../../../src/control/auth/access-rule.ts';
import { ensureDevTls } from '../../../../src/control/tls/ensure-dev-tls.ts';
import type { DatabaseLeg } from './database-legs.ts';
import { ovhHeaders, type ClientKeys } from './ovh-signer.ts';

export interface Tenant {
  account: Account;
  keys: ClientKeys;
}

export interface CallOptions {
  body?: unknown;
  /** A body sent as these exact bytes (JSON.stringify(body) otherwise). */
  rawBody?: string;
  /** Which URL to sign: node-ovh's https://host-without-port/path (default) or go/python's full URL. */
  urlForm?: 'node' | 'full';
  timestamp?: number;
  headers?: Record<string, string>;
  /** Skip signing (only X-Ovh-Application when keys are given). */
  unsigned?: boolean;
}

export interface CallResult {
  status: number;
  body: unknown;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A control plane on a real port (or inject-only), with helpers to make tenants, servers and signed calls. */
export interface ControlFixture {
  app: FastifyInstance;
  store: Store;
  config: Config;
  /** http(s)://127.0.0.1:PORT, or '' when not listening. */
  origin: string;
  /** Test CA (PEM) when serving TLS. */
  ca: string | undefined;
  /** Every log line the app wrote. */
  logs: string[];
  /** Every response body seen by call(). */
  responses: string[];
  dir: string;
  databaseUrl: string;
  tenant(name: string, options?: { operator?: boolean; rules?: AccessRule[] }): Promise<Tenant>;
  server(account: string, overrides?: Record<string, unknown>): Promise<Server>;
  call(keys: ClientKeys | null, method: string, path: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

let devTls: { key: string; cert: string; ca: string } | undefined;

/** One test CA and server certificate per test process (openssl takes a moment). */
export function testTls(): { key: string; cert: string; ca: string } {
  if (devTls === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'byoi-tls-'));
    try {
      const made = ensureDevTls(dir);
      devTls = { key: made.key, cert: made.cert, ca: readFileSync(made.caPath, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return devTls;
}

let macCounter = 0;

export async function startControl(
  leg: DatabaseLeg,
  options: { listen?: boolean; tls?: boolean; config?: Record<string, unknown>; app?: Partial<AppOptions>; masterKey?: Buffer } = {},
): Promise<ControlFixture> {
  const dir = mkdtempSync(join(tmpdir(), `byoi-control-${leg.name}-`));
  const database = await leg.create(dir);
  const config = loadConfig({ flags: { dataDir: dir, database: database.url, logLevel: 'info', ...options.config } });
  const store = await openStore({ url: database.url, masterKey: options.masterKey ?? randomBytes(32) });
  const logs: string[] = [];
  const logger = createControlLogger(
    'debug',
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const tls = options.tls ? testTls() : undefined;
  const app = await buildApp({ config, store, closeStore: true, logger, https: tls ? { key: tls.key, cert: tls.cert } : null, ...options.app });
  let origin = '';
  if (options.listen !== false) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    origin = `${tls ? 'https' : 'http'}://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }
  const dispatcher = tls ? new Agent({ connect: { ca: tls.ca } }) : undefined;
  const responses: string[] = [];

  const fixture: ControlFixture = {
    app,
    store,
    config,
    origin,
    ca: tls?.ca,
    logs,
    responses,
    dir,
    databaseUrl: database.url,

    async tenant(name, tenantOptions = {}) {
      const account = await createAccount(store, { name, operator: tenantOptions.operator ?? false });
      const { application, applicationSecret } = await createApplication(store, { accountId: account.id, name: `${name}-app`, description: '' });
      const rules = tenantOptions.rules ?? (['GET', 'POST', 'PUT', 'DELETE'] as const).map((method) => ({ method, path: '/*' }));
      const { credential, consumerKey } = await createCredential(store, { applicationId: application.id, rules, redirection: null });
      await validateCredential(store, { reference: String(credential.id), accountName: name });
      return { account, keys: { applicationKey: application.applicationKey, applicationSecret, consumerKey } };
    },

    async server(account, overrides = {}) {
      macCounter++;
      const spec = parseServerSpec({
        serviceName: `ns${macCounter}.${account}.test`,
        account,
        mac: `02:00:00:00:${(macCounter >> 8).toString(16).padStart(2, '0')}:${(macCounter & 0xff).toString(16).padStart(2, '0')}`,
        bootMode: 'uefi',
        powerDriver: { name: 'none', config: {} },
        diskGroups: [{ diskType: 'SSD', disks: [{ sizeBytes: 8 * 1024 ** 3 }] }],
        ...overrides,
      });
      return registerServer(store, spec, new Map());
    },

    async call(keys, method, path, callOptions = {}) {
      const body = callOptions.rawBody ?? (callOptions.body === undefined ? '' : JSON.stringify(callOptions.body));
      const headers: Record<string, string> = { ...callOptions.headers };
      if (body !== '') headers['content-type'] ??= 'application/json';
      if (keys !== null) {
        if (callOptions.unsigned) headers['x-ovh-application'] = keys.applicationKey;
        else {
          const host = origin === '' ? 'localhost:80' : new URL(origin).host;
          const url =
            callOptions.urlForm === 'full'
              ? `${origin === '' ? 'http://localhost:80' : origin}${path}`
              : `https://${host.replace(/:\d+$/, '')}${path}`;
          Object.assign(headers, ovhHeaders(keys, { method, url, body, ...(callOptions.timestamp === undefined ? {} : { timestamp: callOptions.timestamp }) }));
        }
        Object.assign(headers, callOptions.headers);
      }
      let result: CallResult;
      if (origin === '') {
        const response = await app.inject({ method: method as 'GET', url: path, headers: { host: 'localhost:80', ...headers }, payload: body === '' ? undefined : body });
        result = { status: response.statusCode, text: response.body, body: parse(response.body), headers: response.headers as CallResult['headers'] };
      } else {
        const response = await undiciRequest(`${origin}${path}`, { method: method as 'GET', headers, body: body === '' ? undefined : body, dispatcher });
        const text = await response.body.text();
        result = { status: response.statusCode, text, body: parse(text), headers: response.headers };
      }
      responses.push(result.text);
      return result;
    },

    async close() {
      await app.close();
      await dispatcher?.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
