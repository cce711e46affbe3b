import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { seedReinstallPayload } from './helpers/seed-payload.ts';

interface Operation {
  method: string;
  path: string;
}

/** Every operation of the OpenAPI document whose path matches, so a new route is covered without editing this test. */
async function operations(control: ControlFixture, filter: (path: string) => boolean): Promise<Operation[]> {
  const document = (await control.call(null, 'GET', '/1.0/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    if (!filter(path)) continue;
    for (const method of Object.keys(methods)) out.push({ method: method.toUpperCase(), path });
  }
  return out;
}

for (const leg of databaseLegs()) {
  describe(`tenancy (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let alice: Tenant;
    let bob: Tenant;
    let aliceServer: string;
    let bobServer: string;
    let bobTaskId: number;

    before(async () => {
      control = await startControl(leg);
      alice = await control.tenant('alice');
      bob = await control.tenant('bob');
      aliceServer = (await control.server('alice')).serviceName;
      bobServer = (await control.server('bob')).serviceName;
      const task = await control.call(bob.keys, 'POST', `/1.0/dedicated/server/${bobServer}/reinstall`, { body: seedReinstallPayload() });
      assert.equal(task.status, 200, task.text);
      bobTaskId = (task.body as { taskId: number }).taskId;
    });
    after(async () => control?.close());

    test('a tenant lists only its own servers', async () => {
      assert.deepEqual((await control.call(alice.keys, 'GET', '/1.0/dedicated/server')).body, [aliceServer]);
      assert.deepEqual((await control.call(bob.keys, 'GET', '/1.0/dedicated/server')).body, [bobServer]);
    });

    test('every server route answers 404 for another tenant\'s server, exactly as for a server that does not exist', async () => {
      const routes = await operations(control, (path) => path.includes('{serviceName}') && !path.startsWith('/1.0/admin'));
      assert.ok(routes.length >= 14, `only ${routes.length} server routes in the OpenAPI document`);
      for (const prefix of ['/1.0', '/v1']) {
        for (const route of routes) {
          const concrete = (name: string) =>
            route.path.replace('/1.0', prefix).replace('{serviceName}', name).replace('{taskId}', String(bobTaskId)).replace('{bootId}', '1');
          const body = route.path.endsWith('/reinstall')
            ? seedReinstallPayload()
            : route.path.endsWith('/byoi/inspect')
              ? { imageURL: 'http://127.0.0.1:9/never-fetched.qcow2' }
              : route.method === 'PUT'
                ? { bootId: 1 }
                : undefined;
          const foreign = await control.call(alice.keys, route.method, concrete(bobServer), body === undefined ? {} : { body });
          const missing = await control.call(alice.keys, route.method, concrete('no-such-server.test'), body === undefined ? {} : { body });
          const label = `${route.method} ${concrete(bobServer)}`;
          assert.equal(foreign.status, 404, `${label}: ${foreign.text}`);
          assert.deepEqual(foreign.body, { class: 'Client::NotFound', message: `The requested object (serviceName = ${bobServer}) does not exist` }, label);
          assert.equal(missing.status, 404, label);
          assert.equal((missing.body as { class: string }).class, 'Client::NotFound', label);
        }
      }
      // Nothing alice tried changed bob's server: his install is still the only task, still running.
      const tasks = await control.call(bob.keys, 'GET', `/1.0/dedicated/server/${bobServer}/task`);
      assert.deepEqual(tasks.body, [bobTaskId]);
      const task = await control.call(bob.keys, 'GET', `/1.0/dedicated/server/${bobServer}/task/${bobTaskId}`);
      assert.equal((task.body as { status: string }).status, 'init');
    });

    test('another tenant\'s task id through one\'s own server is 404', async () => {
      for (const [method, suffix] of [['GET', ''], ['POST', '/cancel'], ['GET', '/events']] as const) {
        const result = await control.call(alice.keys, method, `/1.0/dedicated/server/${aliceServer}/task/${bobTaskId}${suffix}`);
        assert.equal(result.status, 404, `${method} ${suffix}`);
        assert.deepEqual(result.body, { class: 'Client::NotFound', message: `The requested object (taskId = ${bobTaskId}) does not exist` });
      }
    });

    test('task GETs of two tenants sent together each get their own answer', async () => {
      // On PostgreSQL concurrent reads share one statement (read-batcher.ts): each caller must still get its own row.
      const get = (tenant: Tenant, server: string, taskId: number) => control.call(tenant.keys, 'GET', `/1.0/dedicated/server/${server}/task/${taskId}`);
      const [own, foreignServer, foreignTask, missing, again] = await Promise.all([
        get(bob, bobServer, bobTaskId),
        get(alice, bobServer, bobTaskId),
        get(alice, aliceServer, bobTaskId),
        get(alice, 'no-such-server.test', bobTaskId),
        get(bob, bobServer, bobTaskId),
      ]);
      assert.equal(own.status, 200, own.text);
      assert.equal((own.body as { taskId: number }).taskId, bobTaskId);
      assert.deepEqual(again.body, own.body);
      assert.deepEqual(foreignServer.body, { class: 'Client::NotFound', message: `The requested object (serviceName = ${bobServer}) does not exist` });
      assert.deepEqual(foreignTask.body, { class: 'Client::NotFound', message: `The requested object (taskId = ${bobTaskId}) does not exist` });
      assert.equal(missing.status, 404, missing.text);
    });

    test('a service name no database can hold (NUL) is not found, and fails no other request', async () => {
      const [nul, own] = await Promise.all([
        control.call(bob.keys, 'GET', `/1.0/dedicated/server/${bobServer}%00/task/${bobTaskId}`),
        control.call(bob.keys, 'GET', `/1.0/dedicated/server/${bobServer}/task/${bobTaskId}`),
      ]);
      assert.equal(nul.status, 404, nul.text);
      assert.equal(own.status, 200, own.text);
    });

    test('the admin API refuses accounts without the operator flag (403 NOT_GRANTED_CALL), even with /* rules', async () => {
      const routes = await operations(control, (path) => path.startsWith('/1.0/admin'));
      assert.ok(routes.length >= 10);
      for (const route of routes) {
        const path = route.path.replace('{serviceName}', bobServer).replace('{credentialId}', '1');
        const result = await control.call(alice.keys, route.method, path, route.method === 'POST' || route.method === 'PUT' ? { body: {} } : {});
        assert.equal(result.status, 403, `${route.method} ${path}: ${result.text}`);
        assert.equal((result.body as { errorCode: string }).errorCode, 'NOT_GRANTED_CALL');
      }
    });
  });
}
