import { buildApp } from '../../control/build-app.ts';
import { openControlStore } from '../../control/open-control-store.ts';
import { ensureDevTls } from '../../control/tls/ensure-dev-tls.ts';
import { demoCredentialsFileName, ensureDemoAccount } from '../../control/demo/ensure-demo-account.ts';
import { join } from 'node:path';
import { demoDisksDir, seedDemoFleet } from '../../control/demo/seed-demo-fleet.ts';
import { demoImagesDir, demoImagesPrefix } from '../../control/demo/demo-images-plugin.ts';
import { ensureSampleImage, sampleImageName } from '../../control/demo/sample-image.ts';
import { demoDeployExample } from '../../control/demo/demo-deploy-example.ts';
import { controlExtensions } from '../../control/extensions.ts';
import { readFileSync } from 'node:fs';
import { configFromFlags, integerFlag } from './serve-options.ts';
import type { ServeFlags } from './serve.ts';

/**
 * What `byoi serve` does once its options are parsed: opens the store, builds the app, listens, seeds the demo
 * when asked, and resolves when SIGINT or SIGTERM has closed everything.
 */
export async function serveAction(flags: ServeFlags): Promise<void> {
  const config = configFromFlags(flags, {
    host: flags.host,
    port: integerFlag(flags.port),
    'tls.dev': flags.devTls,
    'tls.cert': flags.tlsCert,
    'tls.key': flags.tlsKey,
    publicUrl: flags.publicUrl,
    logLevel: flags.logLevel,
  });
  const { store, key } = await openControlStore(config);

  let https: { key: string | Buffer; cert: string | Buffer } | null = null;
  let caNote = '';
  if (config.tls.dev) {
    const dev = ensureDevTls(config.dataDir);
    https = { key: dev.key, cert: dev.cert };
    caNote = `trust ${dev.caPath} (NODE_EXTRA_CA_CERTS or curl --cacert)`;
  } else if (config.tls.cert !== undefined && config.tls.key !== undefined) {
    https = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
  }

  const { close: closeExtensions, ...extensions } = controlExtensions(config);
  const app = await buildApp({ config, store, closeStore: true, https, ...extensions });
  if (key.source === 'generated') app.log.info({ path: key.path }, 'generated the secret key (keep it: it decrypts the stored secrets)');
  if (store.dialect === 'postgres' && key.source !== 'config') {
    app.log.warn('PostgreSQL with a key file in the data directory: set BYOI_SECRET_KEY so every instance shares the key');
  }

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = https === null ? 'http' : 'https';
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const apiUrl = `${config.publicUrl ?? `${scheme}://${shownHost}:${port}`}/1.0`;

  if (config.demo) {
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
  app.log.info({ apiUrl, database: store.description, tls: caNote || (https === null ? 'off' : 'on') }, 'byoi control plane ready');

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      app.log.info('stopping');
      void app
        .close()
        .then(() => closeExtensions?.())
        .then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
