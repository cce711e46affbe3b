import { buildApp } from '../../control/build-app.ts';
import { openControlStore } from '../../control/open-control-store.ts';
import { ensureDevTls } from '../../control/tls/ensure-dev-tls.ts';
import { demoCredentialsFileName, ensureDemoAccount } from '../../control/demo/ensure-demo-account.ts';
import { join } from 'node:path';
import { demoDisksDir, seedDemoFleet } from '../../control/demo/seed-demo-fleet.ts';
import { demoImagesDir, demoImagesPrefix } from '../../control/demo/demo-images-plugin.ts';
import { ensureSampleImage, sampleImageName } from '../../control/demo/sample-image.ts';
import { demoDeployExample } from '../../control/demo/demo-deploy-example.ts';
import { controlExtensions, type ClusterPart } from '../../control/extensions.ts';
import { readFileSync } from 'node:fs';
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { SecretKey } from '../../control/crypto/load-secret-key.ts';
import { configFromFlags, integerFlag } from './serve-options.ts';
import type { ServeFlags } from './serve.ts';
import type { Config } from '../../control/config/config-schema.ts';
import { workerCountOf } from '../../control/config/load-config.ts';
import { createControlLogger } from '../../control/http/create-logger.ts';
import { workerChannel } from '../../control/cluster/cluster-messages.ts';
import { createRelayedTaskBus } from '../../control/cluster/relayed-task-bus.ts';
import { runPrimary, workerRoleVariable } from '../../control/cluster/run-primary.ts';

/** A worker of `byoi serve --workers N`: its role and channel to the primary (ClusterPart), and its cluster id. */
interface WorkerPart extends ClusterPart {
  id: number;
}

/**
 * What `byoi serve` does once its options are parsed: opens the store, builds the app, listens, seeds the demo
 * when asked, and resolves when SIGINT or SIGTERM has closed everything. With more than one worker, this process
 * becomes the cluster's primary and each forked worker comes back here (docs/ARCHITECTURE.md, "Workers").
 */
export async function serveAction(flags: ServeFlags): Promise<void> {
  const config = configFromFlags(flags, {
    host: flags.host,
    port: integerFlag(flags.port),
    workers: integerFlag(flags.workers),
    'tls.dev': flags.devTls,
    'tls.cert': flags.tlsCert,
    'tls.key': flags.tlsKey,
    publicUrl: flags.publicUrl,
    logLevel: flags.logLevel,
  });
  const workers = workerCountOf(config);
  if (workers === 1) return serveProcess(config, null);
  if (cluster.isPrimary) return servePrimary(config, workers);
  const channel = workerChannel();
  const role = process.env[workerRoleVariable];
  if (channel === null || cluster.worker === undefined || (role !== 'leader' && role !== 'follower')) {
    throw new Error(`byoi serve: a cluster worker needs ${workerRoleVariable}=leader|follower from its primary`);
  }
  try {
    return await serveProcess(config, { role, channel, id: cluster.worker.id });
  } catch (error) {
    // The channel would keep a worker that failed to start alive; the primary sees it exit before "ready".
    process.disconnect();
    throw error;
  }
}

/**
 * The primary: does once what the workers must not race on (migrations, the generated secret key, the dev CA,
 * the demo's sample image), then forks and watches them. The workers open the store again, migrated by then.
 */
async function servePrimary(config: Config, workers: number): Promise<void> {
  const log = createControlLogger(config.logLevel, undefined, { cluster: 'primary' });
  const { store, key } = await openControlStore(config);
  const database = store.description;
  await store.close();
  reportSecretKey(log, store.dialect, key);
  let tls = config.tls.cert !== undefined ? 'on' : 'off';
  if (config.tls.dev) tls = trustDevCaNote(ensureDevTls(config.dataDir).caPath);
  if (config.demo) ensureSampleImage(demoImagesDir(config.dataDir));
  const status = await runPrimary({ workers, log, readyFields: { database, tls } });
  if (status !== 0) process.exitCode = status;
}

/** Where the secret key came from, when the operator must know: a new key file, or one file per PostgreSQL instance. */
function reportSecretKey(log: Pick<Logger, 'info' | 'warn'>, dialect: string, key: Pick<SecretKey, 'source' | 'path'>): void {
  if (key.source === 'generated') log.info({ path: key.path }, 'generated the secret key (keep it: it decrypts the stored secrets)');
  if (dialect === 'postgres' && key.source !== 'config') {
    log.warn('PostgreSQL with a key file in the data directory: set BYOI_SECRET_KEY so every instance shares the key');
  }
}

/** The line that tells how to trust `--dev-tls`'s CA. */
function trustDevCaNote(caPath: string): string {
  return `trust ${caPath} (NODE_EXTRA_CA_CERTS or curl --cacert)`;
}

/** One process that serves HTTP: the whole control plane (`worker` null), or one worker of a cluster. */
async function serveProcess(config: Config, worker: WorkerPart | null): Promise<void> {
  const { store, key } = await openControlStore(config);
  const leads = worker === null || worker.role === 'leader';

  let https: { key: string | Buffer; cert: string | Buffer } | null = null;
  let caNote = '';
  if (config.tls.dev) {
    const dev = ensureDevTls(config.dataDir);
    https = { key: dev.key, cert: dev.cert };
    caNote = trustDevCaNote(dev.caPath);
  } else if (config.tls.cert !== undefined && config.tls.key !== undefined) {
    https = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
  }

  const { close: closeExtensions, ...extensions } = controlExtensions(config, worker === null ? {} : { cluster: worker });
  const app = await buildApp({
    config,
    store,
    closeStore: true,
    https,
    ...extensions,
    ...(worker === null
      ? {}
      : {
          logger: createControlLogger(config.logLevel, undefined, { worker: worker.id }),
          taskBus: createRelayedTaskBus(worker.channel),
          housekeeping: leads,
          workerId: worker.id,
        }),
  });
  // A worker's primary said it already (and made the key before forking).
  if (worker === null) reportSecretKey(app.log, store.dialect, key);

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = https === null ? 'http' : 'https';
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const apiUrl = `${config.publicUrl ?? `${scheme}://${shownHost}:${port}`}/1.0`;

  // First-start work (and its once-only banner) belongs to one process: the leader of a cluster.
  if (config.demo && leads) {
    const demo = await ensureDemoAccount(store, { dataDir: config.dataDir, apiUrl });
    if (demo !== null) {
      const servers = await seedDemoFleet({ store, account: demo.account, config, log: app.log });
      const sample = ensureSampleImage(demoImagesDir(config.dataDir));
      const example = demoDeployExample({
        credentialsPath: join(config.dataDir, demoCredentialsFileName),
        serverName: servers[0]?.serviceName ?? 'ns1001.byoi.demo',
        imageUrl: `${apiUrl.replace(/\/1\.0$/, '')}${demoImagesPrefix}${sampleImageName}`,
        sha256: sample.sha256,
        ...(config.tls.dev ? { caPath: join(config.dataDir, 'dev-ca.pem') } : {}),
      });
      // Printed once: later starts only say where the file is.
      process.stdout.write(
        [
          '',
          `Demo account created. Its API keys (also in ${join(config.dataDir, demoCredentialsFileName)}, shown only this once):`,
          `  applicationKey:    ${demo.credentials.applicationKey}`,
          `  applicationSecret: ${demo.credentials.applicationSecret}`,
          `  consumerKey:       ${demo.credentials.consumerKey}`,
          `  apiUrl:            ${apiUrl}`,
          '',
          `Demo servers (local power driver, sparse disk files in ${demoDisksDir(config.dataDir)}): ${servers.map((s) => s.serviceName).join(', ')}`,
          `Deploy the sample image (a structural sample, not a bootable OS) on ${servers[0]?.serviceName ?? 'a demo server'}:`,
          `  ${example}`,
          '',
        ].join('\n'),
      );
    }
  }
  if (worker === null) app.log.info({ apiUrl, database: store.description, tls: caNote || (https === null ? 'off' : 'on') }, 'byoi control plane ready');
  else worker.channel.send({ byoi: 'ready', apiUrl });

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      app.log.info('stopping');
      void app
        .close()
        .then(() => closeExtensions?.())
        // A worker's IPC channel would keep it alive once everything else is closed.
        .then(() => (worker === null ? undefined : process.disconnect()))
        .then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
