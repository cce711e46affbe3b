import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControl, type ControlFixture } from '../../../integration/control/helpers/control-fixture.ts';
import { sqliteLeg } from '../../../integration/control/helpers/database-legs.ts';
import { seedReinstallPayload } from '../../../integration/control/helpers/seed-payload.ts';
import { bootServicePlugin, type BootServiceOptions } from '../../../../src/control/boot/boot-service-plugin.ts';
import type { GrubChainLoader } from '../../../../src/control/boot/grub-chain-loader.ts';
import { updateServer } from '../../../../src/control/store/servers-repo.ts';
import { parseReinstallBody } from '../../../../src/contract/request/parse-reinstall-body.ts';
import type { Server } from '../../../../src/control/fleet/server-model.ts';

const fakeGrub: GrubChainLoader = {
  available: true,
  unavailableReason: undefined,
  async build() {
    return { bytes: Buffer.from('MZ fake efi'), sha256: 'f'.repeat(64), path: '/nowhere' };
  },
};

async function bootControl(boot: Partial<BootServiceOptions['boot']> = {}, grub: GrubChainLoader | null = fakeGrub): Promise<ControlFixture> {
  let fixture: ControlFixture | undefined;
  const plugin = async (app: Parameters<ReturnType<typeof bootServicePlugin>>[0]) => {
    const config = app.byoiConfig;
    await bootServicePlugin({ boot: { ...config.boot, retrySeconds: 7, ...boot }, dataDir: config.dataDir, grub })(app);
  };
  fixture = await startControl(sqliteLeg, { listen: false, app: { plugins: [plugin] } });
  await fixture.tenant('acme');
  return fixture;
}

async function get(fixture: ControlFixture, url: string) {
  const response = await fixture.app.inject({ method: 'GET', url, headers: { host: '10.0.2.100' } });
  return { status: response.statusCode, text: response.body, headers: response.headers, raw: response.rawPayload };
}

function dashed(server: Server): string {
  return server.mac.replaceAll(':', '-');
}

const control = await bootControl();
after(() => control.close());

test('GET /boot/{mac}.ipxe for an unknown MAC prints why and asks again, as a 200 text script', async () => {
  const reply = await get(control, '/boot/52-54-00-AA-BB-CC.ipxe');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(reply.headers['cache-control'], 'no-store');
  assert.match(reply.text, /^#!ipxe\necho byoi: unknown MAC 52:54:00:aa:bb:cc: no server/);
  assert.match(reply.text, /sleep 7 \|\|\nchain --replace --autofree http:\/\/10\.0\.2\.100\/boot\/52-54-00-aa-bb-cc\.ipxe\n$/);
});

test('GET /boot/{mac}.ipxe with something that is not a MAC answers a script that exits', async () => {
  const reply = await get(control, '/boot/not-a-mac.ipxe');
  assert.equal(reply.status, 200);
  assert.match(reply.text, /does not name a MAC address/);
  assert.match(reply.text, /exit 1\n$/);
});

test('GET /boot/{mac}.ipxe boots a legacy server\'s first disk, whatever the MAC notation', async () => {
  const server = await control.server('acme', { bootMode: 'legacy' });
  for (const form of [server.mac.toUpperCase(), dashed(server), server.mac.replaceAll(':', '')]) {
    const reply = await get(control, `/boot/${form}.ipxe`);
    assert.match(reply.text, /^#!ipxe\necho Boot first local hdd in LEGACY mode\nsanboot --no-describe --drive 0x80 \|\| goto byoi_failed\n/, form);
    assert.ok(reply.text.includes(`http://10.0.2.100/boot/${dashed(server)}/boot-failed?reason=legacy-sanboot-failed`));
  }
});

test('GET /boot/{mac}.ipxe boots a UEFI server\'s efiBootloaderPath, then the GRUB loader', async () => {
  const server = await control.server('acme');
  await updateServer(control.store, server.id, { efiBootloaderPath: '\\efi\\debian\\grubx64.efi' });
  const reply = await get(control, `/boot/${server.mac}.ipxe`);
  assert.match(reply.text, /\nsanboot --no-describe --drive 0x80 --filename \\efi\\debian\\grubx64\.efi \|\| goto byoi_grub\n/);
  assert.ok(reply.text.includes(`chain --autofree http://10.0.2.100/boot/grub/${dashed(server)}/byoi-chain.efi || goto byoi_failed`));

  const config = await get(control, `/boot/grub/${dashed(server)}/grub.cfg`);
  assert.equal(config.status, 200);
  assert.match(config.text, /set byoi_path='\/efi\/debian\/grubx64\.efi'/);
  const image = await get(control, `/boot/grub/${dashed(server)}/byoi-chain.efi`);
  assert.equal(image.status, 200);
  assert.equal(image.headers['content-type'], 'application/efi');
  assert.equal(image.raw.subarray(0, 2).toString(), 'MZ');
});

test('GET /boot/{mac}.ipxe serves bootScript for bootId 3 and the rescue system for bootId 2', async () => {
  const server = await control.server('acme');
  await updateServer(control.store, server.id, { bootId: 3, bootScript: '#!ipxe\necho custom\nshell' });
  assert.equal((await get(control, `/boot/${server.mac}.ipxe`)).text, '#!ipxe\necho custom\nshell\n');

  await updateServer(control.store, server.id, { bootId: 2, bootScript: null });
  const missing = await get(control, `/boot/${server.mac}.ipxe`);
  assert.match(missing.text, /has none \(vmlinuz and initrd\.img missing in its rescue directory\)/);

  mkdirSync(join(control.dir, 'rescue'), { recursive: true });
  writeFileSync(join(control.dir, 'rescue', 'vmlinuz'), 'kernel bytes');
  writeFileSync(join(control.dir, 'rescue', 'initrd.img'), 'initrd bytes');
  const rescue = await get(control, `/boot/${server.mac}.ipxe`);
  assert.match(rescue.text, /booting the byoi rescue system\n/);
  assert.match(rescue.text, /kernel --name vmlinuz http:\/\/10\.0\.2\.100\/boot\/rescue\/vmlinuz initrd=initrd\.img byoi\.control=http:\/\/10\.0\.2\.100 quiet console=tty0 console=ttyS0,115200n8 \|\| goto byoi_retry/);
  assert.doesNotMatch(rescue.text, /byoi\.token=/);

  const kernel = await get(control, '/boot/rescue/vmlinuz');
  assert.equal(kernel.status, 200);
  assert.equal(kernel.text, 'kernel bytes');
  assert.equal((await get(control, '/boot/rescue/other')).status, 404);
});

test('GET /boot/{mac}.ipxe during an install without a rescue system says so and issues no token', async () => {
  const bare = await bootControl();
  try {
    const server = await bare.server('acme');
    const task = await bare.app.tasks.createInstallTask({ server, request: parseReinstallBody(seedReinstallPayload()), route: 'reinstall' });
    const reply = await get(bare, `/boot/${server.mac}.ipxe`);
    assert.match(reply.text, /should boot the byoi rescue system, but the control plane has none/);
    assert.doesNotMatch(reply.text, /byoi\.token/);
    const row = await bare.store.db.selectFrom('tasks').select('agent_token_hash').where('id', '=', task.id).executeTakeFirstOrThrow();
    assert.equal(row.agent_token_hash, null);
  } finally {
    await bare.close();
  }
});

test('GET /boot/{mac}.ipxe during an install issues a fresh one-time token per render', async () => {
  mkdirSync(join(control.dir, 'rescue'), { recursive: true });
  writeFileSync(join(control.dir, 'rescue', 'vmlinuz'), 'kernel bytes');
  writeFileSync(join(control.dir, 'rescue', 'initrd.img'), 'initrd bytes');
  const server = await control.server('acme', { bootMode: 'legacy' });
  await updateServer(control.store, server.id, { bootId: 3, bootScript: '#!ipxe\necho custom' });
  const task = await control.app.tasks.createInstallTask({ server, request: parseReinstallBody(seedReinstallPayload()), route: 'reinstall' });

  const first = await get(control, `/boot/${server.mac}.ipxe`);
  assert.match(first.text, new RegExp(`booting the byoi installer for task ${task.id}\\n`));
  const token1 = /byoi\.token=([A-Za-z0-9]+) /.exec(first.text)?.[1];
  assert.ok(token1 !== undefined && token1.length >= 32);
  assert.equal((await control.app.tasks.findByAgentToken(token1))?.id, task.id);

  const second = await get(control, `/boot/${server.mac}.ipxe`);
  const token2 = /byoi\.token=([A-Za-z0-9]+) /.exec(second.text)?.[1];
  assert.ok(token2 !== undefined && token2 !== token1);
  assert.equal(await control.app.tasks.findByAgentToken(token1), undefined, 'the first token no longer works');
  assert.equal((await control.app.tasks.findByAgentToken(token2))?.id, task.id);
  assert.ok(!control.logs.join('').includes(token2), 'the token is never logged');

  // Once the boot is switched to the disk, the server boots its disk (here: its custom script, bootId 3).
  await control.app.tasks.setStep(task.id, 'switch-boot', 'done');
  assert.equal((await get(control, `/boot/${server.mac}.ipxe`)).text, '#!ipxe\necho custom\n');
  await control.app.tasks.cancelTask((await control.app.tasks.get(task.id))!);
});

test('GET /boot/{mac}/boot-failed ends the install waiting for its first boot as customerError', async () => {
  const server = await control.server('acme');
  await updateServer(control.store, server.id, { efiBootloaderPath: '\\EFI\\wrong\\loader.efi' });
  const task = await control.app.tasks.createInstallTask({ server, request: parseReinstallBody(seedReinstallPayload()), route: 'reinstall' });
  assert.equal((await control.app.tasks.claimNext('test-runner'))?.id, task.id);
  await control.app.tasks.transition(task.id, 'doing');
  await control.app.tasks.setStep(task.id, 'first-boot', 'doing');

  const bad = await get(control, `/boot/${dashed(server)}/boot-failed?reason=whatever`);
  assert.equal(bad.status, 400);
  const reply = await get(control, `/boot/${dashed(server)}/boot-failed?reason=uefi-loader-failed`);
  assert.equal(reply.status, 200);
  const ended = await control.app.tasks.get(task.id);
  assert.equal(ended?.status, 'customerError');
  assert.equal(ended?.errorCode, 'BYOI_BOOT_DISK_FAILED');
  assert.equal(ended?.errorMessage, `Server ${server.serviceName} did not boot from its disk: efiBootloaderPath \\EFI\\wrong\\loader.efi was not found on any disk, or did not start`);
  assert.equal((await get(control, '/boot/52-54-00-00-00-99/boot-failed?reason=uefi-loader-failed')).status, 404);
});

test('GET /boot/ipxe/chain.ipxe chains to the MAC of the booting interface', async () => {
  const reply = await get(control, '/boot/ipxe/chain.ipxe');
  assert.equal(reply.text, '#!ipxe\nchain --replace --autofree http://10.0.2.100/boot/${netX/mac:hexhyp}.ipxe\n');
});

test('boot.allowedNetworks refuses other sources without issuing a token', async () => {
  const restricted = await bootControl({ allowedNetworks: ['10.20.0.0/16'] });
  try {
    const server = await restricted.server('acme');
    const task = await restricted.app.tasks.createInstallTask({ server, request: parseReinstallBody(seedReinstallPayload()), route: 'reinstall' });
    const reply = await get(restricted, `/boot/${server.mac}.ipxe`);
    assert.match(reply.text, /requests from 127\.0\.0\.1 may not fetch boot scripts \(boot\.allowedNetworks\)/);
    assert.doesNotMatch(reply.text, /byoi\.token/);
    assert.match(reply.text, /chain --replace --autofree/);
    assert.equal((await get(restricted, `/boot/grub/${dashed(server)}/byoi-chain.efi`)).status, 403);
    void task;
  } finally {
    await restricted.close();
  }
});

test('boot.requireServerIp serves a server\'s scripts only to its registered ip', async () => {
  const restricted = await bootControl({ requireServerIp: true });
  try {
    const other = await restricted.server('acme', { ip: '203.0.113.10' });
    assert.match((await get(restricted, `/boot/${other.mac}.ipxe`)).text, /only its registered ip may/);
    const self = await restricted.server('acme', { ip: '127.0.0.1', bootMode: 'legacy' });
    assert.match((await get(restricted, `/boot/${self.mac}.ipxe`)).text, /Boot first local hdd in LEGACY mode/);
  } finally {
    await restricted.close();
  }
});

test('without a GRUB loader the UEFI script falls back to the firmware and says so', async () => {
  const bare = await bootControl({}, { available: false, unavailableReason: 'test', build: () => Promise.reject(new Error('no')) });
  try {
    const server = await bare.server('acme');
    const reply = await get(bare, `/boot/${server.mac}.ipxe`);
    assert.match(reply.text, /no GRUB EFI loader to find it/);
    assert.match(reply.text, /reason=uefi-no-chain-loader/);
    assert.equal((await get(bare, `/boot/grub/${dashed(server)}/byoi-chain.efi`)).status, 503);
  } finally {
    await bare.close();
  }
});
