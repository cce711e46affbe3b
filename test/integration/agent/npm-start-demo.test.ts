// `npm start` on a fresh data directory, as a newcomer runs it: the real `node bin/byoi.mjs serve` process, its
// printed keys and demo fleet, the banner's one-line example deploying the sample image, the task polled to
// `done`. Then the process is stopped while an installer writes and started again: the install still ends done.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import type { ClientKeys } from '../control/helpers/ovh-signer.ts';
import { startServe, type ServeProcess } from '../control/helpers/spawn-cli.ts';
import { signedRequest } from '../control/helpers/signed-request.ts';
import { needTools } from '../../helpers/tools.ts';
import { readDeployedDisk } from './helpers/deployed-disk.ts';
import { startSlowImageServer } from './helpers/slow-image-server.ts';

const repo = new URL('../../../', import.meta.url).pathname;

/** `node bin/byoi.mjs serve ARGS`, as `npm start` runs it. */
function serve(args: string[]): Promise<ServeProcess> {
  return startServe(args, { BYOI_LOG_LEVEL: 'info' }, { entry: 'bin' });
}


async function waitDone(apiUrl: string, keys: ClientKeys, server: string, taskId: number): Promise<Record<string, unknown>> {
  for (const deadline = Date.now() + 60_000; ; ) {
    const task = (await signedRequest(apiUrl, keys, 'GET', `/dedicated/server/${server}/task/${taskId}`)).body;
    if (!['init', 'todo', 'doing'].includes(String(task.status))) return task;
    assert.ok(Date.now() < deadline, `task ${taskId} still ${String(task.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function run(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

for (const leg of databaseLegs()) {
  describe(`npm start: a working control plane with its demo fleet (${leg.name})`, { skip: leg.skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'byoi-npm-start-'));
    let database: { url: string; drop: () => Promise<void> } | undefined;
    const running: ServeProcess[] = [];
    after(async () => {
      for (const served of running) await served.stop().catch(() => undefined);
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('first start prints the keys and a one-line example; the example deploys the sample image on a demo server; the task ends done', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      database = await leg.create(dir);
      const args = ['--data-dir', dir, '--port', '0', ...(leg.name === 'postgres' ? ['--database', database.url] : [])];
      const first = await serve(args);
      running.push(first);
      const keys = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')) as ClientKeys & { apiUrl: string };
      assert.equal(keys.apiUrl, first.apiUrl);
      const servers = (await signedRequest(first.apiUrl, keys, 'GET', '/dedicated/server')).body as unknown as string[];
      assert.deepEqual(servers, ['ns1001.byoi.demo', 'ns1002.byoi.demo', 'ns1003.byoi.demo']);
      const hardware = (await signedRequest(first.apiUrl, keys, 'GET', '/dedicated/server/ns1003.byoi.demo/specifications/hardware')).body as { diskGroups: unknown[]; bootMode: string };
      assert.equal(hardware.diskGroups.length, 2);
      assert.equal(((await signedRequest(first.apiUrl, keys, 'GET', '/dedicated/server/ns1002.byoi.demo/specifications/hardware')).body as { bootMode: string }).bootMode, 'legacy');

      // The banner's example, run as printed.
      const example = /^ {2}(node -e .*)$/m.exec(first.output())?.[1];
      assert.ok(example !== undefined, `the banner has the example:\n${first.output()}`);
      const ran = await run(example);
      assert.equal(ran.code, 0, ran.stderr);
      const task = JSON.parse(ran.stdout) as { taskId: number; status: string; function: string };
      assert.equal(task.function, 'reinstallServer');
      const done = await waitDone(first.apiUrl, keys, 'ns1001.byoi.demo', task.taskId);
      assert.equal(done.status, 'done', String(done.comment));
      const disk = await readDeployedDisk(join(dir, 'disks', 'ns1001.byoi.demo-group1-disk0.img'));
      assert.deepEqual(disk.efiBootloaderPaths, ['\\EFI\\BOOT\\BOOTX64.EFI', '\\EFI\\debian\\grubx64.efi']);
      assert.equal(disk.metaData.hostname, 'demo');
    });

    test('stopped while an installer writes and started again: the installer starts over and the install ends done', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      const first = running.shift() as ServeProcess;
      assert.ok(first !== undefined, 'runs after the first test');
      const keys = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')) as ClientKeys;
      const sample = readFileSync(join(dir, 'images', 'sample-gpt.raw'));
      const slow = await startSlowImageServer(sample, { bytesPerSecond: 8 * 1024 * 1024 });
      try {
        const started = await signedRequest(first.apiUrl, keys, 'POST', '/dedicated/server/ns1003.byoi.demo/reinstall', {
          operatingSystem: 'byoi_64',
          customizations: { imageURL: slow.url('/sample.raw'), imageType: 'raw', hostname: 'twice' },
          storage: [{ diskGroupId: 1 }],
        });
        assert.equal(started.status, 200, JSON.stringify(started.body));
        const taskId = started.body.taskId as number;
        for (const deadline = Date.now() + 30_000; ; ) {
          const status = (await signedRequest(first.apiUrl, keys, 'GET', '/dedicated/server/ns1003.byoi.demo/install/status')).body as { byoi?: { bytesWritten: number | null } };
          if ((status.byoi?.bytesWritten ?? 0) > 0) break;
          assert.ok(Date.now() < deadline, 'the installer starts writing');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.equal(await first.stop(), 0, 'serve stops cleanly on SIGTERM, installer running or not');

        const args = ['--data-dir', dir, '--port', '0', ...(leg.name === 'postgres' ? ['--database', (database as { url: string }).url] : [])];
        const second = await serve(args);
        running.push(second);
        assert.ok(!second.output().includes('applicationSecret'), 'the keys are printed on the first start only');
        const done = await waitDone(second.apiUrl, keys, 'ns1003.byoi.demo', taskId);
        assert.equal(done.status, 'done', String(done.comment));
        const disk = await readDeployedDisk(join(dir, 'disks', 'ns1003.byoi.demo-group1-disk0.img'));
        assert.equal(disk.metaData.hostname, 'twice');
        assert.match(second.output(), /starting the installer again|resuming task/);
      } finally {
        await slow.close();
      }
    });
  });
}
