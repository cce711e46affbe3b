// The whole journey through OVH's own Node clients: a credential, the seed's reinstall payload on a demo server,
// polling the task to `done`, then the disk read with byoi's readers and the real tools, and the installed
// system's first boot reported the way cloud-init's phone_home module does it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Agent, request } from 'undici';
import { databaseLegs } from '../control/helpers/database-legs.ts';
import { seedReinstallPayload } from '../control/helpers/seed-payload.ts';
import { openEventStream, type SseEvent } from '../control/helpers/sse-reader.ts';
import { ovhHeaders } from '../control/helpers/ovh-signer.ts';
import { validateCredential } from '../../../src/control/auth/credential-admin.ts';
import { startMisbehavingServer, type MisbehavingServer } from '../../helpers/misbehaving-http-server.ts';
import { needTools } from '../../helpers/tools.ts';
import { assertImageRegionEqual, changedRanges, deployTools, makeRawGpt, type RawFixture } from '../deploy/_fixtures.ts';
import { startAgentControl, type AgentControl } from './helpers/agent-control.ts';
import { readDeployedDisk } from './helpers/deployed-disk.ts';

const require = createRequire(import.meta.url);
type OvhClient = { requestPromised(method: string, path: string, params?: Record<string, unknown>): Promise<unknown> };
type OvhFactory = (params: Record<string, unknown>) => OvhClient;
const clients: Array<{ name: string; ovh: OvhFactory; serverName: string; diskGroupId: number | null }> = [
  { name: 'ovh@2.0.3', ovh: require('ovh') as OvhFactory, serverName: 'ns1001.byoi.demo', diskGroupId: null },
  // The second client installs on the demo server with two disk groups, on its second group (the 32 GiB HDD).
  { name: '@ovhcloud/node-ovh', ovh: require('@ovhcloud/node-ovh') as OvhFactory, serverName: 'ns1003.byoi.demo', diskGroupId: 2 },
];
const basicAuth = 'Basic bG9naW46cGFzc3dvcmQ=';

for (const leg of databaseLegs()) {
  describe(`official OVH clients install the seed payload on demo servers, end to end (${leg.name})`, { skip: leg.skip }, () => {
    let control: AgentControl;
    let image: RawFixture;
    let imageServer: MisbehavingServer;
    let previousCa: unknown;
    const imageDir = mkdtempSync(join(tmpdir(), 'byoi-agent-image-'));

    before(async () => {
      control = await startAgentControl(leg, { tls: true });
      previousCa = https.globalAgent.options.ca;
      https.globalAgent.options.ca = control.ca;
    });
    after(async () => {
      https.globalAgent.options.ca = previousCa as string;
      await imageServer?.close();
      await control?.close();
      rmSync(imageDir, { recursive: true, force: true });
    });

    for (const client of clients) {
      test(`${client.name}: credential, reinstall with the seed payload, task done, disk and config drive checked, first boot confirmed`, async (t) => {
        if (!needTools(t, ...deployTools, 'openssl')) return;
        if (image === undefined) {
          image = makeRawGpt(imageDir, { sizeMiB: 48, esp: true });
          imageServer = await startMisbehavingServer({ body: readFileSync(image.path), requireHeader: { name: 'Authorization', value: basicAuth } });
        }
        const port = Number(new URL(control.origin).port);
        const keys = { appKey: control.demo.applicationKey, appSecret: control.demo.applicationSecret };

        // 1. A consumer key, validated by the operator for the demo account.
        const asker = client.ovh({ ...keys, host: '127.0.0.1', port });
        const credential = (await asker.requestPromised('POST', '/auth/credential', {
          accessRules: [{ method: 'GET', path: '/*' }, { method: 'POST', path: '/dedicated/server/*' }],
        })) as { consumerKey: string };
        await validateCredential(control.store, { reference: credential.consumerKey, accountName: 'demo' });
        const ovh = client.ovh({ ...keys, consumerKey: credential.consumerKey, host: '127.0.0.1', port });

        // 2. The seed's example payload, pointing at a local image server that wants the Basic auth header.
        const payload = seedReinstallPayload({ imageURL: imageServer.url('/debian-11-generic-amd64.raw') });
        const customizations = payload.customizations as Record<string, unknown>;
        customizations.imageCheckSum = createHash('sha512').update(readFileSync(image.path)).digest('hex');
        customizations.configDriveMetadata = { role: 'web', owner: client.name };
        if (client.diskGroupId !== null) payload.storage = [{ diskGroupId: client.diskGroupId }];
        const task = (await ovh.requestPromised('POST', `/dedicated/server/${client.serverName}/reinstall`, payload)) as { taskId: number; status: string };
        assert.equal(task.status, 'init');

        // 3. Poll the task as a client does; watch install/status meanwhile.
        const seen = new Set<string>();
        let polled: { status: string; comment: string };
        for (const deadline = Date.now() + 60_000; ; ) {
          polled = (await ovh.requestPromised('GET', `/dedicated/server/${client.serverName}/task/${task.taskId}`)) as typeof polled;
          if (!['init', 'todo', 'doing'].includes(polled.status)) break;
          try {
            const status = (await ovh.requestPromised('GET', `/dedicated/server/${client.serverName}/install/status`)) as { progress: Array<{ status: string }> };
            assert.equal(status.progress.length, 9);
            seen.add(status.progress.map((step) => step.status).join(','));
          } catch (error) {
            assert.equal((error as { error: number }).error, 404, 'only "not being installed" once done');
          }
          assert.ok(Date.now() < deadline, 'the task ends within a minute');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.equal(polled.status, 'done', polled.comment);
        // The sample image installs in well under a second, so a poll may fall between two steps; what must show
        // is an install part-way: some steps done, others still to come.
        assert.ok(
          [...seen].some((steps) => steps.includes('done') && /todo|doing/.test(steps)),
          `install/status showed the install part-way: ${[...seen].join(' | ')}`,
        );
        // OVH's semantics: once done, the server is no longer being installed.
        await assert.rejects(ovh.requestPromised('GET', `/dedicated/server/${client.serverName}/install/status`), (error: { error: number }) => error.error === 404);

        // 4. The disk: the image, bit for bit outside the edited tables, the GPT at the end, the config drive.
        const server = await control.server(client.serverName);
        const group = server.diskGroups.find((g) => g.diskGroupId === (client.diskGroupId ?? 1));
        const diskPath = group?.disks[0]?.path as string;
        assertImageRegionEqual(diskPath, image.path, image.size, changedRanges(image));
        const disk = await readDeployedDisk(diskPath);
        assert.ok(disk.efiBootloaderPaths.includes('\\EFI\\debian\\grubx64.efi'), disk.efiBootloaderPaths.join());
        assert.equal(disk.metaData.hostname, 'mon-tux');
        assert.deepEqual(disk.metaData.meta, { role: 'web', owner: client.name });
        assert.equal((disk.metaData.public_keys as Record<string, string>).default, customizations.sshKey);
        assert.deepEqual(disk.userData, Buffer.from(customizations.configDriveUserData as string, 'base64'));
        assert.equal(imageServer.imageGets().at(-1)?.headers.authorization, basicAuth);

        // The server now boots its disk, with the loader found on the ESP; the virtual server rebooted from it.
        const details = (await ovh.requestPromised('GET', `/dedicated/server/${client.serverName}`)) as Record<string, unknown>;
        assert.deepEqual([details.os, details.bootId, details.efiBootloaderPath], ['byoi_64', 1, '\\EFI\\debian\\grubx64.efi']);
        assert.deepEqual(control.localDriver.state(client.serverName).power === 'on' && control.localDriver.state(client.serverName), {
          ...control.localDriver.state(client.serverName),
          running: 'disk',
        });

        // 5. The steps: all done but the first boot, which waits for the installed system.
        const steps = async () => ((await control.app.tasks.get(task.taskId))?.steps ?? []).map((step) => `${step.id}:${step.status}`);
        assert.deepEqual(await steps(), [
          'reboot-installer:done', 'check-image:done', 'download-write:done', 'verify-checksum:done', 'move-gpt:done',
          'config-drive:done', 'switch-boot:done', 'last-reboot:done', 'first-boot:todo',
        ]);
        const events = await replayEvents(control, client.serverName, task.taskId);
        assert.ok(events.some((e) => e.event === 'task.progress'), 'progress events were streamed');
        assert.equal(events.filter((e) => e.event === 'task.status').at(-1)?.data.includes('"done"'), true);

        // 6. First boot: cloud-init's phone_home POSTs a form to the URL of vendor_data.json.
        assert.ok(disk.phoneHomeUrl !== null, 'vendor_data.json has a phone_home');
        const phoneHome = new URL(disk.phoneHomeUrl);
        assert.equal(`${phoneHome.origin}${phoneHome.pathname}`, `${control.origin}/agent/v1/first-boot`);
        const form = new URLSearchParams({ instance_id: String(disk.metaData.uuid), hostname: 'mon-tux', fqdn: 'mon-tux', pub_key_rsa: 'ssh-rsa AAAA' });
        const wrong = new URL(phoneHome);
        wrong.searchParams.set('token', 'not-the-token-0123456789');
        assert.equal((await postForm(control, wrong.toString(), form)).status, 403, 'a wrong token is refused');
        const confirmed = await postForm(control, phoneHome.toString(), form);
        assert.equal(confirmed.status, 200, confirmed.text);
        assert.deepEqual(JSON.parse(confirmed.text), { confirmed: true });
        const reused = await postForm(control, phoneHome.toString(), form);
        assert.equal(reused.status, 403, 'a used token is refused');
        assert.match(reused.text, /already used/);
        assert.ok((await steps()).every((step) => step.endsWith(':done')), 'every step is done once the first boot is confirmed');
        const after = await replayEvents(control, client.serverName, task.taskId);
        assert.ok(after.some((e) => e.event === 'task.step' && e.data.includes('"first-boot"') && e.data.includes('"done"')));
        assert.ok(!control.logs.join('').includes(phoneHome.searchParams.get('token') as string), 'the first-boot token is not logged');
      });
    }
  });
}

async function postForm(control: AgentControl, url: string, form: URLSearchParams): Promise<{ status: number; text: string }> {
  const dispatcher = new Agent({ connect: { ca: control.ca } });
  try {
    const response = await request(url, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, dispatcher });
    return { status: response.statusCode, text: await response.body.text() };
  } finally {
    await dispatcher.close();
  }
}

/** Every stored event of the task, through the SSE stream's replay. */
async function replayEvents(control: AgentControl, serverName: string, taskId: number): Promise<SseEvent[]> {
  const path = `/1.0/dedicated/server/${serverName}/task/${taskId}/events`;
  const headers = ovhHeaders(control.demo, { method: 'GET', url: `https://127.0.0.1${path}`, body: '' });
  const dispatcher = new Agent({ connect: { ca: control.ca } });
  const stream = await openEventStream(`${control.origin}${path}`, headers, dispatcher);
  const events: SseEvent[] = [];
  try {
    if (stream.status !== 200) return events;
    for (;;) {
      const event = await stream.next(2000);
      if (event === null) break;
      events.push(event);
    }
  } finally {
    stream.close();
    await dispatcher.close();
  }
  return events;
}
