import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture } from './helpers/control-fixture.ts';
import { runCli, runCliInProcess, startServe } from './helpers/spawn-cli.ts';
import type { ClientKeys } from './helpers/ovh-signer.ts';
import { signedRequest } from './helpers/signed-request.ts';

describe('byoi serve: first start, demo credentials, restart, dev TLS, config errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'byoi-serve-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('first start makes the demo account, prints its keys once and writes demo-credentials.json (0600)', async () => {
    const served = await startServe(['--data-dir', dir, '--port', '0']);
    try {
      assert.match(served.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/1\.0$/);
      const file = join(dir, 'demo-credentials.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'byoi.db')).mode & 0o777, 0o600);
      const demo = JSON.parse(readFileSync(file, 'utf8')) as ClientKeys & { apiUrl: string };
      assert.deepEqual(Object.keys(demo).sort(), ['apiUrl', 'applicationKey', 'applicationSecret', 'consumerKey']);
      assert.equal(demo.apiUrl, served.apiUrl);
      assert.ok(served.output().includes(demo.applicationSecret), 'printed once on first start');
      // The demo fleet (src/control/demo/seed-demo-fleet.ts) comes with the demo account.
      const list = await signedRequest(served.apiUrl, demo, 'GET', '/dedicated/server');
      assert.deepEqual(list, { status: 200, body: ['ns1001.byoi.demo', 'ns1002.byoi.demo', 'ns1003.byoi.demo'] });
    } finally {
      assert.equal(await served.stop(), 0);
    }

    const again = await startServe(['--data-dir', dir, '--port', '0']);
    try {
      const demo = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')) as ClientKeys & { apiUrl: string };
      assert.ok(!again.output().includes(demo.applicationSecret), 'not printed again');
      assert.equal(demo.apiUrl, again.apiUrl, 'the file follows the new port');
      assert.equal((await signedRequest(again.apiUrl, demo, 'GET', '/auth/details')).status, 200);
    } finally {
      await again.stop();
    }
  });

  test('--dev-tls serves HTTPS with DIR/dev-ca.pem, and the demo apiUrl starts with https', async () => {
    const tlsDir = join(dir, 'tls');
    const served = await startServe(['--data-dir', tlsDir, '--port', '0', '--dev-tls', '--log-level', 'info']);
    try {
      assert.match(served.apiUrl, /^https:\/\/127\.0\.0\.1:\d+\/1\.0$/);
      const ca = readFileSync(join(tlsDir, 'dev-ca.pem'), 'utf8');
      const demo = JSON.parse(readFileSync(join(tlsDir, 'demo-credentials.json'), 'utf8')) as ClientKeys;
      assert.equal((await signedRequest(served.apiUrl, demo, 'GET', '/dedicated/server', undefined, { ca })).status, 200);
      const viaLocalhost = served.apiUrl.replace('127.0.0.1', 'localhost');
      assert.equal((await signedRequest(viaLocalhost, demo, 'GET', '/dedicated/server', undefined, { ca })).status, 200);
    } finally {
      await served.stop();
    }
  });

  test('a bad setting stops the start with a message naming the key and its source', async () => {
    // One real process for the exit status and stderr; the other cases in-process.
    const result = await runCli(['serve', '--data-dir', dir, '--port', '99999']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^byoi: Invalid configuration: port \(from --port\) must be <= 65535, got 99999$/m);
    process.env.BYOI_CLOCK_SKEW_SECONDS = 'soon';
    try {
      const fromEnv = await runCliInProcess(['serve', '--data-dir', dir]);
      assert.match(fromEnv.stderr, /Invalid configuration: auth\.clockSkewSeconds \(from BYOI_CLOCK_SKEW_SECONDS\) must be an integer/);
    } finally {
      delete process.env.BYOI_CLOCK_SKEW_SECONDS;
    }
    const both = await runCliInProcess(['serve', '--data-dir', dir, '--dev-tls', '--tls-cert', 'a.pem', '--tls-key', 'b.pem']);
    assert.match(both.stderr, /tls\.dev/);
  });
});

for (const leg of databaseLegs()) {
  describe(`byoi admin beside a running control plane (${leg.name})`, { skip: leg.skip }, () => {
    const masterKey = randomBytes(32);
    let control: ControlFixture;
    let configFile: string;

    before(async () => {
      control = await startControl(leg, { masterKey });
      // The CLI finds the same database and key through a config file, as an operator's would.
      configFile = join(control.dir, 'byoi.yaml');
      writeFileSync(configFile, `dataDir: ${control.dir}\ndatabase: "${control.databaseUrl}"\nsecretKey: ${masterKey.toString('base64')}\n`);
    });
    after(async () => control?.close());

    test('accounts, applications, a requested credential validated from the CLI, and a server added with flags', async () => {
      const cli = async (...args: string[]) => {
        const result = await runCliInProcess(['admin', ...args, '--config', configFile]);
        assert.equal(result.code, 0, result.stderr);
        return JSON.parse(result.stdout) as Record<string, unknown>;
      };
      await cli('account', 'create', 'carol');
      const application = await cli('application', 'create', '--account', 'carol', '--name', 'terraform');
      assert.match(String(application.applicationSecret), /^[A-Za-z0-9]{32}$/);

      // The user asks for a consumer key over HTTP; the operator validates it with the CLI.
      const asked = await request(`${control.origin}/1.0/auth/credential`, {
        method: 'POST',
        headers: { 'x-ovh-application': String(application.applicationKey), 'content-type': 'application/json' },
        body: JSON.stringify({ accessRules: [{ method: 'GET', path: '/*' }] }),
      });
      const { consumerKey } = (await asked.body.json()) as { consumerKey: string };
      const pending = (await cli('credential', 'list', '--state', 'pendingValidation')) as unknown as Array<{ credentialId: number }>;
      assert.equal(pending.length, 1);
      const validated = await cli('credential', 'validate', String(pending[0]?.credentialId), '--account', 'carol');
      assert.equal(validated.state, 'validated');
      assert.ok(!JSON.stringify(validated).includes(consumerKey));

      const added = await cli('server', 'add', 'ns42.carol.test', '--account', 'carol', '--mac', '02-00-00-00-42-42', '--boot-mode', 'uefi',
        '--power-driver', 'redfish', '--power-config', '{"address":"https://10.0.0.42","user":"root","password":"calvin"}',
        '--disks', 'NVMe:1T,1T', '--disks', `SSD:2G@${join(control.dir, 'disk2.img')}`);
      assert.equal(added.mac, '02:00:00:00:42:42');
      assert.ok(!JSON.stringify(added).includes('calvin'));
      assert.equal((await cli('server', 'list', '--account', 'carol') as unknown as unknown[]).length, 1);

      const keys = { applicationKey: String(application.applicationKey), applicationSecret: String(application.applicationSecret), consumerKey };
      assert.deepEqual(await signedRequest(`${control.origin}/1.0`, keys, 'GET', '/dedicated/server'), { status: 200, body: ['ns42.carol.test'] });
      const hardware = await signedRequest(`${control.origin}/1.0`, keys, 'GET', '/dedicated/server/ns42.carol.test/specifications/hardware');
      assert.equal((hardware.body as { diskGroups: unknown[] }).diskGroups.length, 2);

      const refusal = await runCliInProcess(['admin', 'server', 'add', 'ns43.carol.test', '--account', 'nobody', '--mac', '02:00:00:00:42:43', '--boot-mode', 'uefi', '--power-driver', 'none', '--disks', 'SSD:1G', '--config', configFile]);
      assert.equal(refusal.code, 1);
      assert.equal(refusal.stderr, 'byoi: Account nobody does not exist\n');
      const revoked = await cli('credential', 'revoke', consumerKey);
      assert.equal(revoked.state, 'expired');
      assert.equal((await signedRequest(`${control.origin}/1.0`, keys, 'GET', '/dedicated/server')).status, 403);
    });
  });
}
