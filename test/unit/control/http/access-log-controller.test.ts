import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sqliteLeg } from '../../../integration/control/helpers/database-legs.ts';
import { startControl, type ControlFixture, type Tenant } from '../../../integration/control/helpers/control-fixture.ts';

let control: ControlFixture;
let alice: Tenant;

before(async () => {
  control = await startControl(sqliteLeg, {
    listen: false,
    app: { plugins: [async (app: FastifyInstance) => void app.get('/quiet', { logLevel: 'warn' }, async () => 'ok')] },
  });
  alice = await control.tenant('alice');
});
after(async () => control?.close());

/** The JSON log lines of one request, by its query id. */
function linesOf(queryId: string): Array<Record<string, unknown>> {
  return control.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes(queryId))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('AccessLogController writes one "request completed" line per request, with the request and its status', async () => {
  const reply = await control.call(alice.keys, 'GET', '/1.0/dedicated/server');
  assert.equal(reply.status, 200);
  const queryId = String(reply.headers['x-ovh-queryid']);
  const lines = linesOf(queryId);
  assert.deepEqual(lines.map((line) => line.msg), ['request completed']);
  const [line] = lines;
  assert.equal(line?.reqId, queryId);
  assert.deepEqual({ ...(line?.req as object), remotePort: undefined }, { method: 'GET', url: '/1.0/dedicated/server', host: 'localhost:80', remoteAddress: '127.0.0.1', remotePort: undefined });
  assert.deepEqual(line?.res, { statusCode: 200 });
  assert.equal(typeof line?.responseTime, 'number');
  assert.ok(!control.logs.join('').includes(alice.keys.consumerKey), 'the consumer key is never logged');
});

test('AccessLogController writes nothing for a route whose logLevel is above info (the boot service\'s)', async () => {
  const reply = await control.call(null, 'GET', '/quiet');
  assert.equal(reply.status, 200);
  assert.deepEqual(linesOf(String(reply.headers['x-ovh-queryid'])), []);
});
