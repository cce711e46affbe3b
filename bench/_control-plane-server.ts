// The control plane under benchmark, in its own process so the load generator does not share its event loop:
// the app as `byoi serve` builds it (OVH API + boot service; no runner), on loopback, logging at info level
// to /dev/null, with N servers registered. Prints one JSON line with what the load generator needs, including
// the pids whose CPU time is the server's. BENCH_WORKERS=N (N > 1): this process seeds the database, then forks N
// node:cluster workers serving the same app on one port, as `byoi serve --workers N` does (worker id header,
// relayed task bus).
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/control/build-app.ts';
import { loadConfig } from '../src/control/config/load-config.ts';
import { openStore } from '../src/control/store/open-store.ts';
import { createControlLogger } from '../src/control/http/create-logger.ts';
import { createAccount } from '../src/control/store/accounts-repo.ts';
import { createApplication } from '../src/control/store/applications-repo.ts';
import { createCredential } from '../src/control/store/credentials-repo.ts';
import { validateCredential } from '../src/control/auth/credential-admin.ts';
import { findServerByName } from '../src/control/store/servers-repo.ts';
import { bootServicePlugin } from '../src/control/boot/boot-service-plugin.ts';
import { nowIso } from '../src/control/store/now-iso.ts';
import { workerChannel } from '../src/control/cluster/cluster-messages.ts';
import { createRelayedTaskBus } from '../src/control/cluster/relayed-task-bus.ts';

const workers = Number(process.env.BENCH_WORKERS ?? 1);
if (cluster.isWorker) {
  await serveWorker();
} else {
  await seedAndServe();
}

/** A cluster worker: the same app on the primary's database, listening on the shared port. */
async function serveWorker(): Promise<void> {
  const dir = process.env.BENCH_DIR as string;
  const database = process.env.BENCH_DATABASE_URL as string;
  const config = loadConfig({ flags: { dataDir: dir, database, logLevel: 'info', demo: false } });
  const store = await openStore({ url: database, masterKey: Buffer.from(process.env.BENCH_MASTER_KEY as string, 'base64') });
  const channel = workerChannel();
  if (channel === null || cluster.worker === undefined) throw new Error('not a cluster worker');
  const app = await buildApp({
    config,
    store,
    closeStore: true,
    logger: createControlLogger('info', pino.destination('/dev/null'), { worker: cluster.worker.id }),
    plugins: [bootServicePlugin({ boot: config.boot, dataDir: dir })],
    taskBus: createRelayedTaskBus(channel),
    housekeeping: cluster.worker.id === 1,
    workerId: cluster.worker.id,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  channel.send({ byoi: 'ready', apiUrl: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}` });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

async function seedAndServe(): Promise<void> {

  const servers = Number(process.env.BENCH_SERVERS ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'byoi-bench-'));
  const database = process.env.BENCH_DATABASE_URL ?? `sqlite:${join(dir, 'byoi.db')}`;
  const config = loadConfig({ flags: { dataDir: dir, database, logLevel: 'info', demo: false } });
  const masterKey = randomBytes(32);
  const store = await openStore({ url: database, masterKey });
  const app = await buildApp({
    config,
    store,
    closeStore: true,
    logger: createControlLogger('info', pino.destination('/dev/null')),
    plugins: [bootServicePlugin({ boot: config.boot, dataDir: dir })],
  });

  const account = await createAccount(store, { name: 'bench', operator: false });
  const { application, applicationSecret } = await createApplication(store, { accountId: account.id, name: 'bench-app', description: '' });
  const { credential, consumerKey } = await createCredential(store, { applicationId: application.id, rules: [{ method: 'GET', path: '/*' }], redirection: null });
  await validateCredential(store, { reference: String(credential.id), accountName: 'bench' });

  // Servers in batches (one sealed power config reused: the benchmark never reads it).
  const sealed = store.secrets.seal('{}', 'servers.power_config');
  const now = nowIso();
  const diskGroups = JSON.stringify([{ diskGroupId: 1, diskType: 'SSD', raidController: null, disks: [{ sizeBytes: 8 * 1024 ** 3 }] }]);
  for (let start = 0; start < servers; start += 500) {
    const rows = [];
    for (let i = start; i < Math.min(servers, start + 500); i++) {
      rows.push({
        service_name: `ns${i}.bench`, account_id: account.id, display_name: `ns${i}.bench`, mac: benchMac(i),
        boot_mode: i % 2 === 0 ? 'uefi' : 'legacy', memory_size_mb: 65536, power_driver: 'none', power_config_enc: sealed,
        disk_groups: diskGroups, efi_bootloader_path: i % 2 === 0 ? '\\EFI\\debian\\grubx64.efi' : null, boot_id: 1, boot_script: null,
        os: 'none_64', state: 'ok', datacenter: 'bench', ip: null, created_at: now, updated_at: now,
      });
    }
    await store.db.insertInto('servers').values(rows).execute();
  }
  const first = await findServerByName(store, 'ns0.bench');
  if (first === undefined) throw new Error('seeding failed');
  const task = await app.tasks.createRebootTask(first);

  const info = { servers, dialect: store.dialect, keys: { applicationKey: application.applicationKey, applicationSecret, consumerKey }, taskPath: `/1.0/dedicated/server/ns0.bench/task/${task.id}` };
  if (workers <= 1) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ origin: `http://127.0.0.1:${port}`, ...info, workers: 1, pids: [process.pid] })}\n`);
    process.on('SIGTERM', () => void app.close().then(() => exitRemoving(dir)));
    return;
  }
  // The seeding app closes (and its store); the workers open the seeded database again.
  await app.close();
  const forked = Array.from({ length: workers }, () =>
    cluster.fork({ BENCH_DIR: dir, BENCH_DATABASE_URL: database, BENCH_MASTER_KEY: masterKey.toString('base64') }),
  );
  const origins = await Promise.all(
    forked.map(
      (worker) =>
        new Promise<string>((resolve, reject) => {
          worker.once('exit', (code) => reject(new Error(`bench worker exited (${code})`)));
          worker.on('message', (message: { byoi?: string; apiUrl?: string }) => {
            if (message.byoi === 'ready') resolve(message.apiUrl as string);
          });
        }),
    ),
  );
  process.stdout.write(`${JSON.stringify({ origin: origins[0], ...info, workers, pids: [process.pid, ...forked.map((w) => w.process.pid as number)] })}\n`);
  process.on('SIGTERM', () => {
    let left = forked.length;
    for (const worker of forked) {
      worker.once('exit', () => --left === 0 && exitRemoving(dir));
      worker.process.kill('SIGTERM');
    }
  });
}

/** Exits after removing the run's directory (its SQLite file holds the seeded fleet: megabytes a run). */
function exitRemoving(dir: string): never {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

/** The MAC of bench server i: 02:bb:00 + i in the last three bytes (locally administered). */
function benchMac(i: number): string {
  return `02:bb:00:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
}
