import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { databaseLegs } from './helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from './helpers/control-fixture.ts';
import { seedReinstallPayload } from './helpers/seed-payload.ts';
import { ovhHeaders } from './helpers/ovh-signer.ts';
import { openEventStream } from './helpers/sse-reader.ts';

for (const leg of databaseLegs()) {
  describe(`task events over SSE and browser sessions (${leg.name})`, { skip: leg.skip }, () => {
    let control: ControlFixture;
    let alice: Tenant;

    before(async () => {
      control = await startControl(leg);
      alice = await control.tenant('alice');
    });
    after(async () => control?.close());

    let lastTimestamp = Number.POSITIVE_INFINITY;
    async function session(keys: Tenant['keys']): Promise<{ cookie: string; csrfToken: string }> {
      // A distinct timestamp per call: the same signed POST twice within the window would be a replay. Each call
      // goes one second below the one before when the clock has not moved past it (now minus a counter could
      // repeat a timestamp when a second ticks between two calls).
      const timestamp = Math.min(Math.floor(Date.now() / 1000), lastTimestamp - 1);
      lastTimestamp = timestamp;
      const reply = await control.call(keys, 'POST', '/1.0/byoi/session', { timestamp });
      assert.equal(reply.status, 200, reply.text);
      const setCookie = String(reply.headers['set-cookie']);
      assert.match(setCookie, /^byoi_session=[^;]+; .*HttpOnly/i);
      assert.match(setCookie, /SameSite=Strict/i);
      return { cookie: setCookie.split(';')[0] as string, csrfToken: (reply.body as { csrfToken: string }).csrfToken };
    }

    test('a session cookie (what EventSource sends) streams a task live, and Last-Event-ID replays from the database', async () => {
      const server = await control.server('alice');
      const created = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${server.serviceName}/reinstall`, { body: seedReinstallPayload() });
      const taskId = (created.body as { taskId: number }).taskId;
      const { cookie } = await session(alice.keys);
      const url = `${control.origin}/1.0/dedicated/server/${server.serviceName}/task/${taskId}/events`;

      const stream = await openEventStream(url, { cookie });
      assert.equal(stream.status, 200);
      assert.match(stream.contentType, /^text\/event-stream/);
      const first = await stream.next();
      assert.equal(first?.event, 'task.status');
      assert.equal(JSON.parse(first?.data ?? '{}').status, 'init');

      const tasks = control.app.tasks;
      await tasks.claimNext('runner');
      await tasks.transition(taskId, 'doing');
      await tasks.recordProgress(taskId, { bytesDownloaded: 10, bytesTotal: 100, bytesWritten: 10, rate: 5, etaSeconds: 18 });
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(await stream.next());
      assert.deepEqual(seen.map((event) => event?.event), ['task.status', 'task.status', 'task.progress']);
      assert.deepEqual(seen.map((event) => JSON.parse(event?.data ?? '{}').status), ['todo', 'doing', undefined]);
      assert.equal(JSON.parse(seen[2]?.data ?? '{}').etaSeconds, 18);
      const lastSeen = seen[2]?.id as string;
      stream.close();

      // Events while nobody listens, then a reconnect that says where it stopped.
      await tasks.setStep(taskId, 'download-write', 'done');
      await tasks.finish(taskId, { ok: true, result: null });
      const resumed = await openEventStream(url, { cookie, 'last-event-id': lastSeen });
      const replayed = [];
      for (let event = await resumed.next(); event !== null; event = await resumed.next()) replayed.push(event);
      assert.ok(replayed.every((event) => Number(event.id) > Number(lastSeen)), 'only events after Last-Event-ID');
      assert.equal(replayed[0]?.event, 'task.step');
      const final = replayed.findLast((event) => event.event === 'task.status');
      assert.equal(JSON.parse(final?.data ?? '{}').status, 'done');

      // Nothing left to say about a finished task: 204, which makes EventSource stop reconnecting.
      const over = await request(url, { headers: { cookie, 'last-event-id': replayed.at(-1)?.id as string } });
      assert.equal(over.statusCode, 204);
      await over.body.dump();
    });

    test('the stream also accepts OVH signature headers, and checks tenancy', async () => {
      const server = await control.server('alice');
      const created = await control.call(alice.keys, 'POST', `/1.0/dedicated/server/${server.serviceName}/reinstall`, { body: seedReinstallPayload() });
      const taskId = (created.body as { taskId: number }).taskId;
      const path = `/1.0/dedicated/server/${server.serviceName}/task/${taskId}/events`;
      const stream = await openEventStream(`${control.origin}${path}?lastEventId=0`, ovhHeaders(alice.keys, { method: 'GET', url: `https://127.0.0.1${path}?lastEventId=0`, body: '' }));
      assert.equal(stream.status, 200);
      assert.equal((await stream.next())?.event, 'task.status');
      stream.close();

      const mallory = await control.tenant('mallory');
      const { cookie } = await session(mallory.keys);
      const foreign = await request(`${control.origin}${path}`, { headers: { cookie } });
      assert.equal(foreign.statusCode, 404);
      await foreign.body.dump();
      await control.app.tasks.cancelTask((await control.app.tasks.get(taskId))!);
    });

    test('cookie sessions: GET works, other methods need X-Byoi-Csrf, a forged or missing cookie is 401, a dead credential ends the session', async () => {
      const server = await control.server('alice');
      const { cookie, csrfToken } = await session(alice.keys);
      const get = await request(`${control.origin}/1.0/dedicated/server/${server.serviceName}`, { headers: { cookie } });
      assert.equal(get.statusCode, 200);
      await get.body.dump();

      const withoutCsrf = await request(`${control.origin}/1.0/dedicated/server/${server.serviceName}/reboot`, { method: 'POST', headers: { cookie } });
      assert.equal(withoutCsrf.statusCode, 401);
      assert.equal(((await withoutCsrf.body.json()) as { message: string }).message, 'The session is missing, expired or not valid for this call');
      const withCsrf = await request(`${control.origin}/1.0/dedicated/server/${server.serviceName}/reboot`, { method: 'POST', headers: { cookie, 'x-byoi-csrf': csrfToken } });
      assert.equal(withCsrf.statusCode, 200);
      const taskId = ((await withCsrf.body.json()) as { taskId: number }).taskId;
      await control.app.tasks.cancelTask((await control.app.tasks.get(taskId))!);

      const forged = await request(`${control.origin}/1.0/dedicated/server`, { headers: { cookie: `${cookie.slice(0, -2)}xx` } });
      assert.equal(forged.statusCode, 401);
      await forged.body.dump();

      const bob = await control.tenant('bob-session');
      const bobSession = await session(bob.keys);
      await control.call(bob.keys, 'POST', '/1.0/auth/logout');
      const afterLogout = await request(`${control.origin}/1.0/dedicated/server`, { headers: { cookie: bobSession.cookie } });
      assert.equal(afterLogout.statusCode, 403);
      assert.equal(((await afterLogout.body.json()) as { errorCode: string }).errorCode, 'INVALID_CREDENTIAL');
    });
  });
}
