import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { createRequire } from 'node:module';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture } from './helpers/control-fixture.ts';
import { seedFileMatches, seedReinstallPayload } from './helpers/seed-payload.ts';

// The official OVH Node clients from npm, unmodified: `ovh` 2.0.3 and its successor `@ovhcloud/node-ovh`.
// Both only speak HTTPS through https.request with the global agent and sign https://HOST/PATH without the
// port (research/ovh-api.md §3), so the control plane serves TLS with a test CA that the global agent trusts.
const require = createRequire(import.meta.url);
type OvhClient = {
  requestPromised(method: string, path: string, params?: Record<string, unknown>): Promise<unknown>;
  consumerKey: string | null;
};
type OvhFactory = (params: Record<string, unknown>) => OvhClient;
const clients: Array<[string, OvhFactory]> = [
  ['ovh@2.0.3', require('ovh') as OvhFactory],
  ['@ovhcloud/node-ovh', require('@ovhcloud/node-ovh') as OvhFactory],
];

for (const leg of databaseLegs()) {
  describe(`official OVH Node clients (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let previousCa: unknown;

    before(async () => {
      control = await startControl(leg, { tls: true });
      previousCa = https.globalAgent.options.ca;
      https.globalAgent.options.ca = control.ca;
    });
    after(async () => {
      https.globalAgent.options.ca = previousCa as string;
      await control?.close();
    });

    for (const [name, ovh] of clients) {
      test(`${name}: credential, operator validation, server list, seed reinstall, task`, async () => {
        const port = Number(new URL(control.origin).port);
        const suffix = name.replace(/[^a-z0-9]/g, '');
        const operator = await control.tenant(`ops-${suffix}`, { operator: true });
        const user = await control.tenant(`user-${suffix}`);
        const server = await control.server(user.account.name);

        // 1. An application asks for a consumer key (unsigned call, X-Ovh-Application only).
        const asker = ovh({ appKey: user.keys.applicationKey, appSecret: user.keys.applicationSecret, host: '127.0.0.1', port });
        const requested = (await asker.requestPromised('POST', '/auth/credential', {
          accessRules: [
            { method: 'GET', path: '/dedicated/server*' },
            { method: 'POST', path: '/dedicated/server/*' },
          ],
          redirection: 'https://example.net/done',
        })) as { consumerKey: string; state: string; validationUrl: string };
        assert.equal(requested.state, 'pendingValidation');
        assert.match(requested.validationUrl, /\/auth\/\?credentialToken=/);

        const pending = ovh({ appKey: user.keys.applicationKey, appSecret: user.keys.applicationSecret, consumerKey: requested.consumerKey, host: '127.0.0.1', port });
        await assert.rejects(pending.requestPromised('GET', '/dedicated/server'), (error: { error: number; message: string }) => {
          assert.equal(error.error, 403);
          assert.equal(error.message, 'This credential is not valid');
          return true;
        });

        // 2. The operator validates it through the admin API, signed by the same client library.
        const ops = ovh({ appKey: operator.keys.applicationKey, appSecret: operator.keys.applicationSecret, consumerKey: operator.keys.consumerKey, host: '127.0.0.1', port });
        const validated = (await ops.requestPromised('POST', '/admin/credential/validate', {
          credential: requested.consumerKey,
          account: user.account.name,
        })) as { state: string; account: string };
        assert.equal(validated.state, 'validated');
        assert.equal(validated.account, user.account.name);

        // 3. The user lists servers, reads one, and reinstalls it with the seed's example payload.
        assert.deepEqual(await pending.requestPromised('GET', '/dedicated/server'), [server.serviceName]);
        const details = (await pending.requestPromised('GET', `/dedicated/server/${server.serviceName}`)) as { name: string };
        assert.equal(details.name, server.serviceName);

        const task = (await pending.requestPromised('POST', `/dedicated/server/${server.serviceName}/reinstall`, seedReinstallPayload())) as Record<string, unknown>;
        assert.equal(task.function, 'reinstallServer');
        assert.equal(task.status, 'init');
        assert.equal(task.comment, 'Start bare metal OS installation');
        assert.equal(task.doneDate, null);
        assert.equal(typeof task.taskId, 'number');
        assert.ok(!Number.isNaN(Date.parse(task.startDate as string)));

        // 4. It polls the task, under /1.0 and under /v1 (basePath '/v1'; 2.0.3 predates the /v1 path mapping of 3.x).
        const polled = (await pending.requestPromised('GET', `/dedicated/server/${server.serviceName}/task/${task.taskId}`)) as Record<string, unknown>;
        assert.equal(polled.taskId, task.taskId);
        assert.equal(polled.status, 'init');
        const v1 = ovh({ appKey: user.keys.applicationKey, appSecret: user.keys.applicationSecret, consumerKey: requested.consumerKey, host: '127.0.0.1', port, basePath: '/v1' });
        const viaV1 = (await v1.requestPromised('GET', `/dedicated/server/${server.serviceName}/task/${task.taskId}`)) as Record<string, unknown>;
        assert.deepEqual(viaV1, polled);

        // A rule the credential lacks (PUT) is refused, and the template route is readable.
        await assert.rejects(pending.requestPromised('PUT', `/dedicated/server/${server.serviceName}`, { bootId: 1 }), (error: { error: number; message: string }) => {
          assert.equal(error.error, 403);
          assert.equal(error.message, 'This call has not been granted');
          return true;
        });
        assert.deepEqual(await pending.requestPromised('GET', `/dedicated/server/${server.serviceName}/install/compatibleTemplates`), { ovh: ['byoi_64'], personal: [] });
      });
    }

    test('the seed payload used here is the guide\'s', { skip: seedFileMatches() === undefined ? 'the seed guide is not readable here' : false }, () => {
      assert.equal(seedFileMatches(), true);
    });
  });
}
