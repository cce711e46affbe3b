import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sqliteLeg } from '../../../integration/control/helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from '../../../integration/control/helpers/control-fixture.ts';

let control: ControlFixture;
let alice: Tenant;
let serverName: string;

before(async () => {
  control = await startControl(sqliteLeg, {
    listen: false,
    app: {
      plugins: [
        async (app: FastifyInstance) => {
          app.get('/boom', async () => {
            throw new Error('secret internal detail at /src/x.ts:12');
          });
        },
      ],
    },
  });
  alice = await control.tenant('alice');
  serverName = (
    await control.server('alice', {
      bootMode: 'legacy',
      memorySizeMb: 65536,
      diskGroups: [
        { diskType: 'NVMe', disks: [{ sizeBytes: 960_000_000_000 }, { sizeBytes: 960_000_000_000 }] },
        { diskType: 'HDD', raidController: 'LSI', disks: [{ sizeBytes: 4_000_000_000_000 }] },
      ],
    })
  ).serviceName;
});
after(async () => control?.close());

test('GET /1.0/openapi.json is an OpenAPI 3 document of the /1.0 routes with their schemas', async () => {
  const reply = await control.call(null, 'GET', '/1.0/openapi.json');
  assert.equal(reply.status, 200);
  const document = reply.body as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses?: Record<string, unknown> }>> };
  assert.equal(document.openapi, '3.0.3');
  const paths = Object.keys(document.paths);
  assert.ok(paths.every((path) => !path.startsWith('/v1/')), 'the /v1 copies are not listed twice');
  const reinstall = document.paths['/1.0/dedicated/server/{serviceName}/reinstall']?.post;
  assert.ok(reinstall?.requestBody !== undefined, 'the reinstall body schema is documented');
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      assert.ok(operation.responses?.['200'] !== undefined || operation.responses?.['204'] !== undefined, `${method} ${path} has no success schema`);
    }
  }
  assert.deepEqual((await control.call(null, 'GET', '/v1/openapi.json')).body, document);
});

test('an unexpected error is a 500 with the query id, never the message or stack', async () => {
  const reply = await control.call(null, 'GET', '/boom');
  assert.equal(reply.status, 500);
  const queryId = String(reply.headers['x-ovh-queryid']);
  assert.deepEqual(reply.body, { class: 'Server::InternalServerError', message: `Internal server error (query ${queryId})` });
  assert.ok(control.logs.some((line) => line.includes('secret internal detail')), 'the detail goes to the log');
});

test('specifications/hardware reports boot mode, memory and disk groups in OVH units', async () => {
  const reply = await control.call(alice.keys, 'GET', `/1.0/dedicated/server/${serverName}/specifications/hardware`);
  const body = reply.body as { bootMode: string; memorySize: unknown; diskGroups: Array<Record<string, unknown>> };
  assert.equal(body.bootMode, 'legacy');
  assert.deepEqual(body.memorySize, { unit: 'MB', value: 65536 });
  assert.deepEqual(
    body.diskGroups.map(({ diskGroupId, numberOfDisks, diskType, diskSize, raidController }) => ({ diskGroupId, numberOfDisks, diskType, diskSize, raidController })),
    [
      { diskGroupId: 1, numberOfDisks: 2, diskType: 'NVMe', diskSize: { unit: 'GB', value: 960 }, raidController: null },
      { diskGroupId: 2, numberOfDisks: 1, diskType: 'HDD', diskSize: { unit: 'GB', value: 4000 }, raidController: 'LSI' },
    ],
  );
});

test('PUT sets efiBootloaderPath, bootScript (selecting boot 3) and bootId 1 (clearing the script)', async () => {
  const path = `/1.0/dedicated/server/${serverName}`;
  assert.equal((await control.call(alice.keys, 'PUT', path, { body: { efiBootloaderPath: '\\efi\\debian\\grubx64.efi', monitoring: true } })).status, 200);
  assert.equal((await control.call(alice.keys, 'PUT', path, { body: { bootScript: '#!ipxe\nshell\n' } })).status, 200);
  let server = (await control.call(alice.keys, 'GET', path)).body as Record<string, unknown>;
  assert.deepEqual([server.efiBootloaderPath, server.bootId, server.bootScript], ['\\efi\\debian\\grubx64.efi', 3, '#!ipxe\nshell\n']);
  assert.equal((await control.call(alice.keys, 'PUT', path, { body: { bootId: 1 } })).status, 200);
  server = (await control.call(alice.keys, 'GET', path)).body as Record<string, unknown>;
  assert.deepEqual([server.bootId, server.bootScript], [1, null]);
  const noScript = await control.call(alice.keys, 'PUT', path, { body: { bootId: 3 }, timestamp: Math.floor(Date.now() / 1000) - 1 });
  assert.equal(noScript.status, 400);
});

test('boot options, compatible templates and auth/details', async () => {
  const base = `/1.0/dedicated/server/${serverName}`;
  assert.deepEqual((await control.call(alice.keys, 'GET', `${base}/boot`)).body, [1, 2, 3]);
  assert.deepEqual((await control.call(alice.keys, 'GET', `${base}/boot?bootType=harddisk`)).body, [1]);
  assert.deepEqual((await control.call(alice.keys, 'GET', `${base}/boot/1`)).body, { bootId: 1, bootType: 'harddisk', description: 'Boot from the disk', kernel: 'harddisk' });
  assert.deepEqual((await control.call(alice.keys, 'GET', `${base}/install/compatibleTemplates`)).body, { ovh: ['byoi_64'], personal: [] });
  const details = (await control.call(alice.keys, 'GET', '/1.0/auth/details')).body as Record<string, unknown>;
  assert.equal(details.account, 'alice');
  assert.equal(details.method, 'account');
  const current = (await control.call(alice.keys, 'GET', '/v1/auth/currentCredential')).body as Record<string, unknown>;
  assert.equal(current.status, 'validated');
});

test('POST /auth/credential answers a validation URL whose page tells how to validate', async () => {
  const reply = await control.call(alice.keys, 'POST', '/1.0/auth/credential', { unsigned: true, body: { accessRules: [{ method: 'GET', path: '/*' }], redirection: 'https://example.net' } });
  assert.equal(reply.status, 200);
  const body = reply.body as { validationUrl: string; consumerKey: string; state: string };
  assert.match(body.consumerKey, /^[A-Za-z0-9]{32}$/);
  const page = await control.call(null, 'GET', new URL(body.validationUrl).pathname + new URL(body.validationUrl).search);
  assert.equal(page.status, 200);
  assert.match(page.text, /byoi admin credential validate \d+ --account ACCOUNT/);
  assert.ok(!page.text.includes(body.consumerKey));
  const invalid = await control.call(alice.keys, 'POST', '/1.0/auth/credential', { unsigned: true, body: { accessRules: [{ method: 'PATCH', path: '/*' }] } });
  assert.equal(invalid.status, 400);
});
