import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { needTools, tempDir } from '../../helpers/tools.ts';
import { createQemuDriver } from '../../../src/control/power/qemu-driver.ts';
import type { Server } from '../../../src/control/fleet/server-model.ts';

// Against a REAL qemu-system-x86_64 (TCG, no disk, no display) started with -S and a QMP socket, as the lab
// starts its machines; plus a stand-in socket that accepts but never greets, for the timeout.

const server = { serviceName: 'vm1.lab', mac: '52:54:00:00:00:01' } as Server;
const driver = createQemuDriver();
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('qemu driver: validateConfig() wants an absolute qmpSocket and knows its keys', () => {
  assert.deepEqual(driver.validateConfig({ qmpSocket: '/run/byoi/vm1.qmp' }), { qmpSocket: '/run/byoi/vm1.qmp', timeoutSeconds: 10 });
  assert.throws(() => driver.validateConfig({}), { code: 'BYOI_API_INVALID_VALUE', message: /powerDriver\.config\.qmpSocket: is required/ });
  assert.throws(() => driver.validateConfig({ qmpSocket: 'vm1.qmp' }), { code: 'BYOI_API_INVALID_VALUE', message: /absolute path/ });
  assert.throws(() => driver.validateConfig({ qmpSocket: '/x', socket: '/y' }), { code: 'BYOI_API_INVALID_VALUE', message: /powerDriver\.config\.socket: is not a setting/ });
});

test('qemu driver: reset, power state and power off on a real QEMU over QMP', async (t) => {
  if (!needTools(t, 'qemu-system-x86_64')) return;
  const dir = tempDir(t, 'byoi-qmp-');
  const socket = join(dir, 'qmp.sock');
  const qemu = spawn(
    'qemu-system-x86_64',
    ['-accel', 'tcg', '-machine', 'pc', '-m', '32', '-nodefaults', '-display', 'none', '-no-user-config', '-S', '-qmp', `unix:${socket},server=on,wait=off`],
    { stdio: 'ignore' },
  );
  children.push(qemu);
  await waitFor(() => existsSync(socket));
  const config = driver.validateConfig({ qmpSocket: socket, timeoutSeconds: 5 });

  assert.equal(await driver.powerState(server, config), 'off', 'started with -S: prelaunch counts as off');
  await driver.reboot(server, config, { next: 'network' });
  assert.equal(await driver.powerState(server, config), 'on');
  await driver.reboot(server, config, { next: 'disk' }); // running: system_reset
  assert.equal(await driver.powerState(server, config), 'on');
  await driver.powerOn(server, config); // already on: nothing to do
  await driver.powerOff(server, config, { mode: 'graceful' }); // ACPI button: SeaBIOS alone ignores it
  await driver.powerOff(server, config, { mode: 'force' }); // quit
  await waitFor(() => qemu.exitCode !== null || qemu.signalCode !== null);
  assert.equal(await driver.powerState(server, config), 'off', 'no QEMU behind the socket');
  await assert.rejects(driver.reboot(server, config, { next: 'network' }), {
    code: 'BYOI_POWER_NOT_RUNNING',
    message: `The virtual server vm1.lab is not running: nothing answers on its QMP socket ${socket}`,
  });
});

test('qemu driver: a missing socket, a plain file and a silent listener give clear errors', async (t) => {
  const dir = tempDir(t, 'byoi-qmp-');
  const missing = driver.validateConfig({ qmpSocket: join(dir, 'none.sock') });
  await assert.rejects(driver.reboot(server, missing, { next: 'network' }), { code: 'BYOI_POWER_NOT_RUNNING' });

  const file = join(dir, 'file.sock');
  writeFileSync(file, '');
  await assert.rejects(driver.reboot(server, driver.validateConfig({ qmpSocket: file }), { next: 'network' }), { code: 'BYOI_POWER_NOT_RUNNING' });

  // A stand-in that accepts and never greets (like a socket another client holds).
  const silentPath = join(dir, 'silent.sock');
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
  t.after(() => silent.close());
  const started = Date.now();
  await assert.rejects(driver.reboot(server, driver.validateConfig({ qmpSocket: silentPath, timeoutSeconds: 1 }), { next: 'network' }), {
    code: 'BYOI_POWER_TIMEOUT',
    message: `The qemu controller of server vm1.lab at ${silentPath} did not answer within 1 seconds (read the run state)`,
  });
  assert.ok(Date.now() - started < 3000);
});
