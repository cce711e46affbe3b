// Secrets through a real install: a marker header value, marker user data, the agent tokens and the first-boot
// token go where they must (the image server, the config drive, the agent's job) and nowhere else: not in a log
// line, an API reply, a task event, a task comment, or the database in clear.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import { ovhHeaders } from '../control/helpers/ovh-signer.ts';
import { openEventStream } from '../control/helpers/sse-reader.ts';
import { ensureSampleImage, type SampleImage } from '../../../src/control/demo/sample-image.ts';
import { startMisbehavingServer, type MisbehavingServer } from '../../helpers/misbehaving-http-server.ts';
import { needTools } from '../../helpers/tools.ts';
import { startAgentControl, type AgentControl } from './helpers/agent-control.ts';
import { readDeployedDisk } from './helpers/deployed-disk.ts';
import { reinstall } from './helpers/install-helpers.ts';

/** A marker as sent, and the base64 forms it may take (at its three alignments). */
function forms(marker: string): string[] {
  const out = [marker];
  for (let shift = 0; shift < 3; shift++) out.push(Buffer.from(`${'x'.repeat(shift)}${marker}`).toString('base64').slice(4, 28));
  return out;
}

for (const leg of databaseLegs()) {
  describe(`secrets through a real install (${leg.name})`, { skip: leg.skip }, () => {
    let control: AgentControl;
    let sample: SampleImage;
    let imageServer: MisbehavingServer;
    const headerMarker = `Bearer MarkerHeader${randomBytes(8).toString('hex')}`;
    const userDataMarker = `MarkerUserData${randomBytes(8).toString('hex')}`;
    const agentTokens: string[] = [];

    before(async () => {
      control = await startAgentControl(leg);
      sample = ensureSampleImage(`${control.dir}/images`);
      imageServer = await startMisbehavingServer({ body: readFileSync(sample.path), requireHeader: { name: 'Authorization', value: headerMarker } });
      // Record every agent token handed out (the runner goes through app.tasks).
      const issue = control.app.tasks.issueAgentToken.bind(control.app.tasks);
      control.app.tasks.issueAgentToken = async (taskId) => {
        const token = await issue(taskId);
        agentTokens.push(token);
        return token;
      };
    });
    after(async () => {
      await imageServer?.close();
      await control?.close();
    });

    test('markers reach the image server and the config drive, and appear in no log, reply, event, comment or database row', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      const userData = `#cloud-config\n# ${userDataMarker}\nhostname: marked\n`;
      const customizations = {
        imageURL: imageServer.url('/private/sample.raw'),
        httpHeaders: { Authorization: headerMarker },
        configDriveUserData: Buffer.from(userData).toString('base64'),
        imageCheckSum: sample.sha512,
        imageCheckSumType: 'sha512',
      };
      const ok = await reinstall(control, 'ns1001.byoi.demo', customizations);
      assert.equal((await control.waitForTask('ns1001.byoi.demo', ok)).status, 'done');
      // A failing one too: its error travels agent → control plane → task comment.
      const failed = await reinstall(control, 'ns1002.byoi.demo', { ...customizations, imageCheckSum: 'ff'.repeat(64) });
      assert.equal((await control.waitForTask('ns1002.byoi.demo', failed)).status, 'customerError');

      // Where they must be.
      assert.equal(imageServer.imageGets().at(-1)?.headers.authorization, headerMarker);
      const disk = await readDeployedDisk((await control.server('ns1001.byoi.demo')).diskGroups[0]?.disks[0]?.path as string);
      assert.equal(disk.userData?.toString('utf8'), userData);
      const phoneHomeToken = new URL(disk.phoneHomeUrl as string).searchParams.get('token') as string;
      assert.ok(phoneHomeToken.length >= 40);
      assert.ok(agentTokens.length >= 2);

      // Everything a client reads.
      for (const path of ['', '/task', `/task/${ok}`, `/task/${failed}`, '/install/status']) {
        await control.call('GET', `/dedicated/server/ns1001.byoi.demo${path}`);
        await control.call('GET', `/dedicated/server/ns1002.byoi.demo${path}`);
      }
      const events: string[] = [];
      for (const [server, id] of [['ns1001.byoi.demo', ok], ['ns1002.byoi.demo', failed]] as const) {
        const path = `/1.0/dedicated/server/${server}/task/${id}/events`;
        const stream = await openEventStream(`${control.origin}${path}`, ovhHeaders(control.demo, { method: 'GET', url: `https://127.0.0.1${path}`, body: '' }));
        for (let event = await stream.next(); event !== null; event = await stream.next()) events.push(event.data);
        stream.close();
      }
      assert.ok(events.length > 10, 'the event streams were read');

      const secrets: Record<string, string[]> = {
        header: forms(headerMarker.slice('Bearer '.length)),
        userData: forms(userDataMarker),
        agentTokens,
        phoneHomeToken: [phoneHomeToken, encodeURIComponent(phoneHomeToken)],
      };
      const comments = (await control.store.db.selectFrom('tasks').select('comment').execute()).map((row) => row.comment).join('\n');
      const places = { logs: control.logs.join(''), replies: control.responses.join('\n'), events: events.join('\n'), comments, database: await databaseText(control, leg.name) };
      assert.ok(places.logs.includes('installer enrolled'), 'the log capture works');
      for (const [where, text] of Object.entries(places)) {
        for (const [name, values] of Object.entries(secrets)) {
          for (const value of values) assert.ok(!text.includes(value), `${name} appears in the ${where}`);
        }
      }
    });
  });
}

/** The whole database as text: the raw SQLite files, or every PostgreSQL row as JSON. */
async function databaseText(control: AgentControl, leg: string): Promise<string> {
  if (leg === 'sqlite') {
    await sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(control.store.db);
    const path = control.databaseUrl.slice('sqlite:'.length);
    const text = [path, `${path}-wal`]
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('\n');
    assert.ok(text.includes('ns1001.byoi.demo'), 'the raw file holds the data');
    return text;
  }
  const rows: string[] = [];
  for (const table of ['meta', 'accounts', 'applications', 'credentials', 'servers', 'tasks', 'task_events', 'replay_guard', 'agent_sessions']) {
    const result = await sql<{ row: string }>`SELECT row_to_json(t)::text AS row FROM ${sql.table(table)} t`.execute(control.store.db);
    rows.push(...result.rows.map((row) => row.row));
  }
  return rows.join('\n');
}
