import { test, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createRedfishDriver } from '../../../src/control/power/redfish-driver.ts';
import type { Server } from '../../../src/control/fleet/server-model.ts';
import { testTls } from '../control/helpers/control-fixture.ts';
import { startRedfishStandIn } from './_redfish-stand-in.ts';

// The BMC here is a STAND-IN written in the test (_redfish-stand-in.ts), not a real BMC: it checks that the
// driver speaks Redfish as DSP0266 describes and copes with the misbehaviours seen in the field.

const tls = testTls();
const bmc = await startRedfishStandIn(tls);
after(() => bmc.close());
const driver = createRedfishDriver();
const uefi = { serviceName: 'ns1.example', bootMode: 'uefi' } as Server;
const legacy = { serviceName: 'ns2.example', bootMode: 'legacy' } as Server;
const password = 'bmc-secret-1';
const config = () => driver.validateConfig({ address: bmc.url, user: 'admin', password, caCert: tls.ca, timeoutSeconds: 5 });

beforeEach(() => {
  bmc.requests.length = 0;
  Object.assign(bmc.state, { powerState: 'On', etag: 1, resets: [], boot: { BootSourceOverrideTarget: 'None', BootSourceOverrideEnabled: 'Disabled', BootSourceOverrideMode: 'UEFI' } });
  Object.assign(bmc.behaviour, { revertOverride: false, hang: false, staleOnce: false, withMode: true, actionInfo: false, allowedResets: ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'PowerCycle'] });
});

function assertNoPassword(error: unknown): true {
  assert.ok(!JSON.stringify({ message: (error as Error).message, detail: (error as { detail?: string }).detail }).includes(password), 'no password in errors');
  return true;
}

test('redfish driver: validateConfig() wants an https origin, a user and a password', () => {
  assert.deepEqual(driver.validateConfig({ address: 'https://10.0.0.5/', user: 'u', password: 'p' }), {
    address: 'https://10.0.0.5', user: 'u', password: 'p', auth: 'basic', insecure: false, timeoutSeconds: 30,
  });
  assert.throws(() => driver.validateConfig({ address: 'http://10.0.0.5', user: 'u', password: 'p' }), { code: 'BYOI_API_INVALID_VALUE', message: /must use https/ });
  assert.throws(() => driver.validateConfig({ address: 'https://10.0.0.5/redfish', user: 'u', password: 'p' }), { message: /only the origin/ });
  assert.throws(() => driver.validateConfig({ address: 'https://10.0.0.5', user: 'u' }), { message: /powerDriver\.config\.password: is required/ });
  assert.throws(() => driver.validateConfig({ address: 'https://10.0.0.5', user: 'u', password: 'p', auth: 'digest' }), { message: /must be one of basic, session/ });
});

test('redfish driver: reboot to the network PATCHes a one-time UEFI PXE boot with If-Match, reads it back, then ForceRestart', async () => {
  await driver.reboot(uefi, config(), { next: 'network' });
  const patch = bmc.requests.find((r) => r.method === 'PATCH');
  assert.deepEqual(JSON.parse(patch?.body ?? '{}'), { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' } });
  assert.equal(patch?.headers['if-match'], 'W/"1"');
  const order = bmc.requests.map((r) => `${r.method} ${r.path}`);
  const patchAt = order.indexOf('PATCH /redfish/v1/Systems/1');
  assert.equal(order[patchAt + 1], 'GET /redfish/v1/Systems/1', 'read back right after the PATCH');
  assert.equal(order.at(-1), 'POST /redfish/v1/Systems/1/Actions/ComputerSystem.Reset');
  assert.deepEqual(bmc.state.resets, ['ForceRestart']);
  assert.ok(bmc.requests.every((r) => r.headers.authorization?.startsWith('Basic ')));
});

test('redfish driver: a legacy server asks for Legacy mode; a BMC without the mode property gets none', async () => {
  await driver.reboot(legacy, config(), { next: 'network' });
  assert.equal(bmc.state.boot.BootSourceOverrideMode, 'Legacy');
  bmc.behaviour.withMode = false;
  await driver.reboot(uefi, config(), { next: 'network' });
  const last = bmc.requests.filter((r) => r.method === 'PATCH').at(-1);
  assert.deepEqual(JSON.parse(last?.body ?? '{}'), { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } });
});

test('redfish driver: a BMC that answers 200 but reverts the override is caught before any reset (bmclib#459)', async () => {
  bmc.behaviour.revertOverride = true;
  await assert.rejects(driver.reboot(uefi, config(), { next: 'network' }), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'BYOI_POWER_BOOT_OVERRIDE');
    assert.equal(
      (error as Error).message,
      'The BMC of server ns1.example accepted a one-time UEFI Pxe boot but reads back BootSourceOverrideTarget=None, BootSourceOverrideEnabled=Disabled, BootSourceOverrideMode=UEFI: the override did not hold',
    );
    return true;
  });
  assert.deepEqual(bmc.state.resets, [], 'no reset after a lie');
});

test('redfish driver: a stale ETag (412) is read again and retried once', async () => {
  bmc.behaviour.staleOnce = true;
  await driver.reboot(uefi, config(), { next: 'network' });
  const patches = bmc.requests.filter((r) => r.method === 'PATCH');
  assert.equal(patches.length, 2);
  assert.equal(bmc.state.boot.BootSourceOverrideTarget, 'Pxe');
  assert.deepEqual(bmc.state.resets, ['ForceRestart']);
});

test('redfish driver: respects the BMC\'s allowed reset types, inline or through ActionInfo, and powers on a server that is off', async () => {
  bmc.behaviour.allowedResets = ['On', 'GracefulRestart'];
  await driver.reboot(uefi, config(), { next: 'disk' });
  assert.deepEqual(bmc.state.resets, ['GracefulRestart']);
  assert.equal(bmc.requests.filter((r) => r.method === 'PATCH').length, 0, 'no override for the disk');

  bmc.behaviour.actionInfo = true;
  bmc.state.powerState = 'Off';
  await driver.reboot(uefi, config(), { next: 'network' });
  assert.deepEqual(bmc.state.resets, ['GracefulRestart', 'On']);
  assert.ok(bmc.requests.some((r) => r.path === '/redfish/v1/Systems/1/ResetActionInfo'));

  bmc.behaviour.allowedResets = ['Nmi'];
  await assert.rejects(driver.reboot(uefi, config(), { next: 'disk' }), { code: 'BYOI_POWER_REFUSED', message: /allows only the reset types Nmi/ });
});

test('redfish driver: power state, on and off', async () => {
  assert.equal(await driver.powerState(uefi, config()), 'on');
  await driver.powerOff(uefi, config(), { mode: 'graceful' });
  assert.equal(await driver.powerState(uefi, config()), 'off');
  await driver.powerOn(uefi, config());
  await driver.powerOff(uefi, config(), { mode: 'force' });
  assert.deepEqual(bmc.state.resets, ['GracefulShutdown', 'On', 'ForceOff']);
});

test('redfish driver: session auth creates a session, uses its token and deletes it', async () => {
  await driver.reboot(uefi, driver.validateConfig({ address: bmc.url, user: 'admin', password, caCert: tls.ca, auth: 'session' }), { next: 'network' });
  assert.equal(bmc.requests[0]?.path, '/redfish/v1/SessionService/Sessions');
  assert.ok(bmc.requests.slice(1).every((r) => r.headers['x-auth-token'] === 'tok-1' && r.headers.authorization === undefined));
  assert.equal(bmc.requests.at(-1)?.method, 'DELETE');
});

test('redfish driver: wrong credentials give BYOI_POWER_AUTH without the password', async () => {
  const wrong = driver.validateConfig({ address: bmc.url, user: 'admin', password: 'not-the-password', caCert: tls.ca });
  await assert.rejects(driver.reboot(uefi, wrong, { next: 'network' }), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'BYOI_POWER_AUTH');
    assert.equal((error as Error).message, `The redfish controller of server ns1.example at ${bmc.url} refused the credentials of user admin`);
    assert.ok(!(error as Error).message.includes('not-the-password'));
    return true;
  });
  await assert.rejects(
    driver.reboot(uefi, driver.validateConfig({ address: bmc.url, user: 'admin', password: 'nope', caCert: tls.ca, auth: 'session' }), { next: 'network' }),
    { code: 'BYOI_POWER_AUTH' },
  );
});

test('redfish driver: a self-signed BMC certificate is refused unless its CA is configured', async () => {
  const noCa = driver.validateConfig({ address: bmc.url, user: 'admin', password });
  await assert.rejects(driver.reboot(uefi, noCa, { next: 'network' }), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'BYOI_POWER_TLS');
    assert.match((error as Error).message, /Cannot trust the TLS certificate of the redfish controller of server ns1\.example/);
    return assertNoPassword(error);
  });
  assert.equal(bmc.requests.length, 0, 'nothing was sent');
  assert.equal(await driver.powerState(uefi, driver.validateConfig({ address: bmc.url, user: 'admin', password, insecure: true })), 'on');
});

test('redfish driver: a BMC that never answers times out, and an unreachable one is named', async () => {
  bmc.behaviour.hang = true;
  const started = Date.now();
  await assert.rejects(
    driver.reboot(uefi, driver.validateConfig({ address: bmc.url, user: 'admin', password, caCert: tls.ca, timeoutSeconds: 1 }), { next: 'network' }),
    { code: 'BYOI_POWER_TIMEOUT', message: `The redfish controller of server ns1.example at ${bmc.url} did not answer within 1 seconds (set a one-time network boot and reset)` },
  );
  assert.ok(Date.now() - started < 4000);
  await assert.rejects(
    driver.reboot(uefi, driver.validateConfig({ address: 'https://127.0.0.1:1', user: 'admin', password, timeoutSeconds: 2 }), { next: 'network' }),
    (error: unknown) => (error as { code?: string }).code === 'BYOI_POWER_UNREACHABLE' && assertNoPassword(error),
  );
});
