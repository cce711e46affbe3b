import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { ovhHeaders } from './helpers/ovh-signer.ts';
import { createCredential } from '../../../src/control/store/credentials-repo.ts';
import { findApplicationByKey } from '../../../src/control/store/applications-repo.ts';
import { refuseCredential, revokeCredential, validateCredential } from '../../../src/control/auth/credential-admin.ts';

function expectAuthError(result: { status: number; body: unknown }, status: number, errorCode: string, message: string): void {
  assert.equal(result.status, status, JSON.stringify(result.body));
  const body = result.body as Record<string, unknown>;
  assert.equal(body.errorCode, errorCode);
  assert.equal(body.message, message);
  assert.equal(body.httpCode, `${status} ${status === 400 ? 'Bad Request' : status === 401 ? 'Unauthorized' : 'Forbidden'}`);
  assert.equal(typeof body.class, 'string');
}

for (const leg of databaseLegs()) {
  describe(`OVH signatures (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let alice: Tenant;
    let serverName: string;

    before(async () => {
      control = await startControl(leg, { config: { 'auth.clockSkewSeconds': 60 } });
      alice = await control.tenant('alice');
      serverName = (await control.server('alice')).serviceName;
    });
    after(async () => control?.close());

    async function pendingCredential(keys: Tenant['keys']): Promise<{ id: number; consumerKey: string }> {
      const found = await findApplicationByKey(control.store, keys.applicationKey);
      const { credential, consumerKey } = await createCredential(control.store, {
        applicationId: found!.application.id,
        rules: [{ method: 'GET', path: '/*' }],
        redirection: null,
      });
      return { id: credential.id, consumerKey };
    }

    test('GET /auth/time answers a bare integer near the server clock', async () => {
      const result = await control.call(null, 'GET', '/1.0/auth/time');
      assert.equal(result.status, 200);
      assert.match(result.text, /^\d+$/);
      assert.ok(Math.abs(Number(result.text) - Date.now() / 1000) < 5);
    });

    test('both signed URL forms are accepted: node-ovh (https, no port) and go/python (scheme, host and port)', async () => {
      assert.equal((await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { urlForm: 'node' })).status, 200);
      assert.equal((await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { urlForm: 'full' })).status, 200);
      assert.equal((await control.call(alice.keys, 'GET', '/v1/dedicated/server?x=1', { urlForm: 'full' })).status, 200);
    });

    test('a wrong signature is 400 INVALID_SIGNATURE, including a body changed after signing', async () => {
      const wrong = { ...alice.keys, applicationSecret: 'x'.repeat(32) };
      expectAuthError(await control.call(wrong, 'GET', '/1.0/dedicated/server'), 400, 'INVALID_SIGNATURE', 'Invalid signature');
      const path = `/1.0/dedicated/server/${serverName}`;
      const host = new URL(control.origin).host;
      const headers = ovhHeaders(alice.keys, { method: 'PUT', url: `https://127.0.0.1${path}`, body: '{"bootId":1}' });
      const changed = await control.app.inject({
        method: 'PUT',
        url: path,
        headers: { host, 'content-type': 'application/json', ...headers },
        payload: '{"bootId":2}',
      });
      expectAuthError({ status: changed.statusCode, body: changed.json() }, 400, 'INVALID_SIGNATURE', 'Invalid signature');
      const same = await control.app.inject({
        method: 'PUT',
        url: path,
        headers: { host, 'content-type': 'application/json', ...ovhHeaders(alice.keys, { method: 'PUT', url: `https://127.0.0.1${path}`, body: '{"bootId":1}' }) },
        payload: '{"bootId":1}',
      });
      assert.equal(same.statusCode, 200, same.body);
    });

    test('a timestamp outside the clock-skew window is 400 QUERY_TIME_OUT, both ways', async () => {
      const now = Math.floor(Date.now() / 1000);
      expectAuthError(await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { timestamp: now - 61 }), 400, 'QUERY_TIME_OUT', 'Query out of time');
      expectAuthError(await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { timestamp: now + 61 }), 400, 'QUERY_TIME_OUT', 'Query out of time');
      assert.equal((await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { timestamp: now - 50 })).status, 200);
    });

    test('an unknown application key is 403 INVALID_KEY, signed or not', async () => {
      const unknown = { ...alice.keys, applicationKey: 'NoSuchApplicationKey' };
      expectAuthError(await control.call(unknown, 'GET', '/1.0/dedicated/server'), 403, 'INVALID_KEY', 'This application key is invalid');
      expectAuthError(
        await control.call(unknown, 'POST', '/1.0/auth/credential', { unsigned: true, body: { accessRules: [{ method: 'GET', path: '/*' }] } }),
        403,
        'INVALID_KEY',
        'This application key is invalid',
      );
      expectAuthError(await control.call(null, 'GET', '/1.0/dedicated/server'), 403, 'INVALID_KEY', 'This application key is invalid');
    });

    test('no consumer key is 401 NOT_AUTHENTICATED; an unknown one, or another application\'s, is 403 NOT_CREDENTIAL', async () => {
      const unsigned = await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { unsigned: true });
      expectAuthError(unsigned, 401, 'NOT_AUTHENTICATED', 'You must login first');
      expectAuthError(
        await control.call({ ...alice.keys, consumerKey: 'x' }, 'GET', '/1.0/dedicated/server'),
        403,
        'NOT_CREDENTIAL',
        'This credential does not exist',
      );
      const bob = await control.tenant('bob-sig');
      expectAuthError(
        await control.call({ ...bob.keys, consumerKey: alice.keys.consumerKey }, 'GET', '/1.0/dedicated/server'),
        403,
        'NOT_CREDENTIAL',
        'This credential does not exist',
      );
    });

    test('a consumer key that is pending, refused, revoked or past its expiry is 403 INVALID_CREDENTIAL', async () => {
      const pending = await pendingCredential(alice.keys);
      const keys = { ...alice.keys, consumerKey: pending.consumerKey };
      expectAuthError(await control.call(keys, 'GET', '/1.0/dedicated/server'), 403, 'INVALID_CREDENTIAL', 'This credential is not valid');
      // Without the secret, nobody learns the state: a bad signature on a pending key is a bad signature.
      expectAuthError(await control.call({ ...keys, applicationSecret: 'y'.repeat(32) }, 'GET', '/1.0/dedicated/server'), 400, 'INVALID_SIGNATURE', 'Invalid signature');

      const refused = await pendingCredential(alice.keys);
      await refuseCredential(control.store, String(refused.id));
      expectAuthError(await control.call({ ...alice.keys, consumerKey: refused.consumerKey }, 'GET', '/1.0/dedicated/server'), 403, 'INVALID_CREDENTIAL', 'This credential is not valid');

      const revoked = await pendingCredential(alice.keys);
      await validateCredential(control.store, { reference: String(revoked.id), accountName: 'alice' });
      assert.equal((await control.call({ ...alice.keys, consumerKey: revoked.consumerKey }, 'GET', '/1.0/dedicated/server')).status, 200);
      await revokeCredential(control.store, String(revoked.id));
      expectAuthError(await control.call({ ...alice.keys, consumerKey: revoked.consumerKey }, 'GET', '/1.0/dedicated/server'), 403, 'INVALID_CREDENTIAL', 'This credential is not valid');

      const shortLived = await pendingCredential(alice.keys);
      await validateCredential(control.store, { reference: String(shortLived.id), accountName: 'alice', expiresInSeconds: 1 });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expectAuthError(await control.call({ ...alice.keys, consumerKey: shortLived.consumerKey }, 'GET', '/1.0/dedicated/server'), 403, 'INVALID_CREDENTIAL', 'This credential is not valid');
    });

    test('access rules: a call outside the rules is 403 NOT_GRANTED_CALL', async () => {
      const narrow = await control.tenant('narrow', { rules: [{ method: 'GET', path: '/dedicated/server' }] });
      const own = await control.server('narrow');
      assert.equal((await control.call(narrow.keys, 'GET', '/1.0/dedicated/server')).status, 200);
      expectAuthError(await control.call(narrow.keys, 'GET', `/1.0/dedicated/server/${own.serviceName}`), 403, 'NOT_GRANTED_CALL', 'This call has not been granted');
      expectAuthError(await control.call(narrow.keys, 'POST', `/1.0/dedicated/server/${own.serviceName}/reboot`), 403, 'NOT_GRANTED_CALL', 'This call has not been granted');
    });

    test('a replayed POST (same signature, same timestamp) is refused; a repeated GET is not', async () => {
      const timestamp = Math.floor(Date.now() / 1000);
      const first = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${serverName}/reboot`, { timestamp });
      assert.equal(first.status, 200, first.text);
      const replay = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${serverName}/reboot`, { timestamp });
      assert.equal(replay.status, 400);
      assert.deepEqual(replay.body, { class: 'Client::BadRequest', message: 'This signed query was already received' });
      // The replay never reached the route: no second task.
      const tasks = (await control.call(alice.keys, 'GET', `/1.0/dedicated/server/${serverName}/task?function=hardReboot`)).body as number[];
      assert.ok(tasks.includes((first.body as { taskId: number }).taskId));
      const again1 = await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { timestamp });
      const again2 = await control.call(alice.keys, 'GET', '/1.0/dedicated/server', { timestamp });
      assert.equal(again1.status, 200);
      assert.equal(again2.status, 200);
    });

    test('replies carry X-Ovh-QueryID and errors never carry a stack', async () => {
      const result = await control.call({ ...alice.keys, applicationSecret: 'z'.repeat(32) }, 'GET', '/1.0/dedicated/server');
      assert.match(String(result.headers['x-ovh-queryid']), /^BYOI\.[0-9a-f]{16}$/);
      assert.doesNotMatch(result.text, /at .*\.ts:\d+/);
    });
  });
}
