import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { ByoiError } from '../../../src/contract/errors/byoi-error.ts';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { seedReinstallPayload } from './helpers/seed-payload.ts';
import { openEventStream } from './helpers/sse-reader.ts';

/** Every form in which a marker could leak: as sent, and base64 of it. */
function forms(marker: string): string[] {
  return [marker, Buffer.from(marker).toString('base64').slice(0, 24)];
}

for (const leg of databaseLegs()) {
  describe(`secrets never leak (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let alice: Tenant;
    let operator: Tenant;
    const headerMarker = `MarkerHeaderValue${randomBytes(6).toString('hex')}`;
    const userDataMarker = `MarkerUserData${randomBytes(6).toString('hex')}`;
    const powerMarker = `MarkerBmcPassword${randomBytes(6).toString('hex')}`;
    const secrets: Record<string, string[]> = {};

    before(async () => {
      control = await startControl(leg);
      alice = await control.tenant('alice');
      operator = await control.tenant('root', { operator: true });
    });
    after(async () => control?.close());

    test('markers in httpHeaders, user data, power config, tokens and keys appear in no response, log line or database row', async () => {
      const created = await control.call(operator.keys, 'POST', '/1.0/admin/server', {
        body: {
          serviceName: 'secret-1.test',
          account: 'alice',
          mac: '02:aa:bb:cc:dd:ee',
          bootMode: 'legacy',
          powerDriver: { name: 'ipmi', config: { address: '10.0.0.9', user: 'admin', password: powerMarker } },
          diskGroups: [{ disks: [{ sizeBytes: 2 ** 34 }] }],
        },
      });
      assert.equal(created.status, 200, created.text);
      const base = '/1.0/dedicated/server/secret-1.test';

      // Refused requests with markers in them: the errors must not echo the values.
      const badHeader = await control.call(alice.keys, 'POST', `${base}/reinstall`, {
        body: { ...seedReinstallPayload(), customizations: { ...(seedReinstallPayload().customizations as object), httpHeaders: { 'X-Ok': `bad\nvalue ${headerMarker}` } } },
      });
      assert.equal(badHeader.status, 400, badHeader.text);
      const badUserData = await control.call(alice.keys, 'POST', `${base}/reinstall`, {
        body: { ...seedReinstallPayload(), customizations: { ...(seedReinstallPayload().customizations as object), configDriveUserData: `#cloud-config\n${userDataMarker}: [unclosed` } },
      });
      assert.equal(badUserData.status, 400, badUserData.text);

      // Accepted requests: /reinstall with clear-text user data, then /install/start with indexed headers.
      const payload = seedReinstallPayload();
      const customizations = payload.customizations as Record<string, unknown>;
      customizations.httpHeaders = { Authorization: `Bearer ${headerMarker}` };
      customizations.configDriveUserData = `#cloud-config\nwrite_files:\n  - path: /etc/marker\n    content: ${userDataMarker}\n`;
      const reinstall = await control.call(alice.keys, 'POST', `${base}/reinstall`, { body: payload });
      assert.equal(reinstall.status, 200, reinstall.text);
      const taskId = (reinstall.body as { taskId: number }).taskId;

      const tasks = control.app.tasks;
      await tasks.claimNext('runner');
      const agentToken = await tasks.issueAgentToken(taskId);
      secrets.agentToken = [agentToken];
      const request = await tasks.readInstallRequest(taskId);
      assert.equal(request?.image.httpHeaders[0]?.value, `Bearer ${headerMarker}`, 'the runner still gets the secret');
      await tasks.transition(taskId, 'doing');
      await tasks.notice(taskId, 'retrying the download');
      control.app.log.info({ installRequest: request, body: payload }, 'a careless log line with the request');

      // Everything a client can read about it.
      const reads = [
        `${base}`,
        `${base}/task`,
        `${base}/task/${taskId}`,
        `${base}/install/status`,
        `${base}/specifications/hardware`,
      ];
      for (const path of reads) assert.equal((await control.call(alice.keys, 'GET', path)).status, 200, path);
      for (const path of ['/1.0/admin/server', '/1.0/admin/server/secret-1.test', '/1.0/admin/task', '/1.0/admin/credential', '/1.0/admin/application']) {
        assert.equal((await control.call(operator.keys, 'GET', path)).status, 200, path);
      }
      const session = await control.call(alice.keys, 'POST', '/1.0/byoi/session');
      const cookie = String(session.headers['set-cookie']).split(';')[0] as string;
      const stream = await openEventStream(`${control.origin}${base}/task/${taskId}/events`, { cookie });
      const events: string[] = [];
      await tasks.finish(taskId, { ok: false, error: { code: 'BYOI_DOWNLOAD_FAILED', message: new ByoiError('BYOI_DOWNLOAD_FAILED', { reason: 'HTTP 401' }).message } });
      for (let event = await stream.next(); event !== null; event = await stream.next()) events.push(event.data);
      assert.ok(events.length >= 4);
      control.responses.push(...events);
      assert.equal((await control.call(alice.keys, 'GET', `${base}/install/status`)).status, 200);

      const started = await control.call(alice.keys, 'POST', `${base}/install/start`, {
        body: {
          templateName: 'byoi_64',
          userMetadata: [
            { key: 'imageURL', value: 'https://images.example.net/x.qcow2' },
            { key: 'imageType', value: 'qcow2' },
            { key: 'httpHeaders0Key', value: 'X-Token' },
            { key: 'httpHeaders0Value', value: headerMarker },
            { key: 'configDriveUserData', value: Buffer.from(`#!/bin/sh\necho ${userDataMarker}\n`).toString('base64') },
          ],
        },
      });
      assert.equal(started.status, 200, started.text);

      secrets.header = forms(headerMarker);
      secrets.userData = forms(userDataMarker);
      secrets.power = forms(powerMarker);
      secrets.aliceConsumerKey = [alice.keys.consumerKey];
      secrets.aliceApplicationSecret = [alice.keys.applicationSecret];
      secrets.operatorConsumerKey = [operator.keys.consumerKey];
      secrets.operatorApplicationSecret = [operator.keys.applicationSecret];

      const responses = control.responses.join('\n');
      const logs = control.logs.join('');
      assert.ok(logs.includes('a careless log line'), 'the log capture works');
      assert.ok(logs.includes('[redacted]'), 'redaction ran on the careless line');
      for (const [name, values] of Object.entries(secrets)) {
        for (const value of values) {
          assert.ok(!responses.includes(value), `${name} appears in an API response`);
          assert.ok(!logs.includes(value), `${name} appears in the logs`);
        }
      }
      // No task comment carries anything but catalogue text.
      const comments = (await control.store.db.selectFrom('tasks').select('comment').execute()).map((row) => row.comment).join('\n');
      for (const values of Object.values(secrets)) for (const value of values) assert.ok(!comments.includes(value));
    });

    test('the database holds none of them in clear (raw SQLite files, or every PostgreSQL row as text)', async () => {
      assert.ok(Object.keys(secrets).length >= 7, 'runs after the previous test');
      let contents: string;
      if (leg.name === 'sqlite') {
        await sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(control.store.db);
        const path = control.databaseUrl.slice('sqlite:'.length);
        contents = [path, `${path}-wal`, `${path}-shm`]
          .filter((file) => existsSync(file))
          .map((file) => readFileSync(file).toString('latin1'))
          .join('\n');
        assert.ok(contents.includes('secret-1.test'), 'the raw file is readable and holds the data');
      } else {
        const rows: string[] = [];
        for (const table of ['meta', 'accounts', 'applications', 'credentials', 'servers', 'tasks', 'task_events', 'replay_guard']) {
          const result = await sql<{ row: string }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(table)} t`.execute(control.store.db);
          rows.push(...result.rows.map((row) => row.row));
        }
        contents = rows.join('\n');
        assert.ok(contents.includes('secret-1.test'));
      }
      for (const [name, values] of Object.entries(secrets)) {
        for (const value of values) assert.ok(!contents.includes(value), `${name} is stored in clear`);
      }
    });
  });
}
