// `byoi serve --workers 2`, real processes and real HTTP: both workers answer on one port, a demo install through
// the API ends done once (one runner), an SSE stream on one worker sees, without waiting for its database poll,
// the events stored by agent reports that landed on the other, and a killed worker is replaced.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { databaseLegs } from './helpers/database-legs.ts';
import { ovhHeaders, type ClientKeys } from './helpers/ovh-signer.ts';
import { startServe, type ServeProcess } from './helpers/spawn-cli.ts';
import { signedRequest } from './helpers/signed-request.ts';
import { openEventStream, type SseEvent } from './helpers/sse-reader.ts';
import { needTools } from '../../helpers/tools.ts';
import { startSlowImageServer, type SlowImageServer } from '../agent/helpers/slow-image-server.ts';

interface LogLine {
  msg?: string;
  worker?: number;
  workerPid?: number;
  workerRole?: string;
  taskId?: number;
  req?: { method: string; url: string };
}

/** The JSON lines serve printed so far (the banner's plain lines skipped). */
function logLines(served: ServeProcess): LogLine[] {
  return served
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}


/** Boot script requests on fresh connections (round-robin is per connection) until each listed worker answered. */
async function workersAnswering(origin: string, tries = 20): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries && seen.size < 2; i++) {
    const client = new Client(origin);
    try {
      const response = await client.request({ method: 'GET', path: '/boot/02:b0:01:00:10:01.ipxe' });
      await response.body.text();
      assert.equal(response.statusCode, 200);
      seen.add(String(response.headers['x-byoi-worker']));
    } finally {
      await client.close();
    }
  }
  return seen;
}

for (const leg of databaseLegs()) {
  describe(`byoi serve --workers 2 (${leg.name})`, { skip: leg.skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'byoi-workers-'));
    let database: { url: string; drop: () => Promise<void> } | undefined;
    let served: ServeProcess | undefined;
    let slow: SlowImageServer | undefined;
    after(async () => {
      await slow?.close();
      if (served !== undefined) assert.equal(await served.stop(), 0, 'the primary stops its workers and exits 0 on SIGTERM');
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('two workers answer; an install ends done once; SSE on one worker follows reports on the other; a killed worker is replaced', async (t) => {
      if (!needTools(t, 'sgdisk', 'blkid', 'mtype')) return;
      database = await leg.create(dir);
      served = await startServe(
        ['--data-dir', dir, '--port', '0', '--workers', '2', ...(leg.name === 'postgres' ? ['--database', database.url] : [])],
        { BYOI_LOG_LEVEL: 'info' },
        // Three processes start (each loads the sources through tsx): slower than one on a loaded machine.
        { startTimeoutMs: 90_000 },
      );
      const apiUrl = served.apiUrl;
      const origin = apiUrl.replace(/\/1\.0$/, '');
      assert.equal(served.output().split('Demo account created').length - 1, 1, 'the demo keys are printed once');
      assert.equal(logLines(served).filter((line) => line.msg === 'byoi control plane ready').length, 1, 'one ready line');
      assert.deepEqual([...(await workersAnswering(origin))].sort(), ['1', '2'], 'both workers serve the port');

      // The sample image served over ~10 s, so the install's events spread over several of the streams' 2 s polls.
      const keys = JSON.parse(readFileSync(join(dir, 'demo-credentials.json'), 'utf8')) as ClientKeys;
      const sample = readFileSync(join(dir, 'images', 'sample-gpt.raw'));
      slow = await startSlowImageServer(sample, { bytesPerSecond: Math.ceil(sample.length / 10) });
      const started = await signedRequest(apiUrl, keys, 'POST', '/dedicated/server/ns1001.byoi.demo/reinstall', {
        operatingSystem: 'byoi_64',
        customizations: { imageURL: slow.url('/sample.raw'), imageType: 'raw', hostname: 'workers' },
      });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const taskId = started.body.taskId as number;
      const eventsPath = `/1.0/dedicated/server/ns1001.byoi.demo/task/${taskId}/events`;
      const streams = new Map<string, { stream: Awaited<ReturnType<typeof openEventStream>>; client: Client; openedAt: number }>();
      // Round-robin hands a connection to the next worker that acknowledged its last one; the leader, busy running
      // the installer, is often not that worker: retry for a few seconds, at random moments.
      for (let i = 0, until = Date.now() + 5000; streams.size < 2 && (i < 10 || Date.now() < until); i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
        const client = new Client(origin);
        const url = `${origin}${eventsPath}`;
        const openedAt = Date.now();
        const stream = await openEventStream(url, ovhHeaders(keys, { method: 'GET', url: `https://127.0.0.1${eventsPath}`, body: '' }), client);
        assert.equal(stream.status, 200);
        const worker = String(stream.headers['x-byoi-worker']);
        if (streams.has(worker)) {
          stream.close();
          await client.close();
        } else streams.set(worker, { stream, client, openedAt });
      }
      // While the leader runs the demo's in-process installer, round-robin can hand every new connection to the
      // follower for the whole install (seen on a quiet machine). One stream is then enough when it is not on the
      // worker the agent reports to; the relayed bus's unit test covers the relay itself either way.
      assert.ok(streams.size >= 1, 'a stream');

      // Both streams read to the end of the task; the delay from storage to arrival is kept for the events stored
      // after the stream opened (earlier ones are its replayed backlog).
      const received = new Map<string, Array<SseEvent & { delayMs: number | null }>>();
      await Promise.all(
        [...streams].map(async ([worker, { stream, client, openedAt }]) => {
          const events: Array<SseEvent & { delayMs: number | null }> = [];
          for (;;) {
            const event = await stream.next(60_000);
            if (event === null) break;
            const at = Date.parse((JSON.parse(event.data) as { at: string }).at);
            events.push({ ...event, delayMs: at > openedAt ? Date.now() - at : null });
          }
          received.set(worker, events);
          await client.close();
        }),
      );

      const task = (await signedRequest(apiUrl, keys, 'GET', `/dedicated/server/ns1001.byoi.demo/task/${taskId}`)).body;
      assert.equal(task.status, 'done', String(task.comment));
      // The runner logs "install done" just after storing it: the line may trail the stream's end by a moment.
      for (const deadline = Date.now() + 10_000; !logLines(served).some((line) => line.msg === 'install done' && line.taskId === taskId); ) {
        assert.ok(Date.now() < deadline, 'the runner logs the end of the install');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const lines = logLines(served);
      assert.equal(lines.filter((line) => line.msg === 'task claimed' && line.taskId === taskId).length, 1, 'claimed once');
      assert.equal(lines.filter((line) => line.msg === 'install done' && line.taskId === taskId).length, 1, 'finished once');
      for (const events of received.values()) {
        assert.equal(events.filter((event) => event.event === 'task.status' && JSON.parse(event.data).status === 'done').length, 1);
      }
      if (received.size === 2) {
        const [one, two] = [...received.values()] as unknown as [SseEvent[], SseEvent[]];
        assert.deepEqual(one.map((event) => event.id), two.map((event) => event.id), 'both streams see the same events in the same order');
      }

      // The agent keeps its connection: its reports landed on one worker; the other stream saw them relayed.
      const reporters = new Set(lines.filter((line) => line.req?.url === '/agent/v1/events').map((line) => String(line.worker)));
      assert.equal(reporters.size >= 1, true, 'the agent reported events');
      const far = [...received.keys()].find((worker) => !reporters.has(worker));
      if (far === undefined) t.diagnostic(`every stream landed on the reporting worker(s) ${[...reporters].join(', ')}: the cross-worker relay was not exercised in this run`);
      // Progress events come only from agent reports (the leader's runner writes steps and statuses, which wake a
      // stream on the leader by themselves).
      const delays = (received.get(far as string) ?? [])
        .flatMap((event) => (event.delayMs === null || event.event !== 'task.progress' ? [] : [event.delayMs]))
        .sort((a, b) => a - b);
      if (far !== undefined) {
        assert.ok(delays.length >= 5, `enough live events to judge (${delays.length})`);
        const quarter = delays[Math.floor(delays.length / 4)] as number;
        t.diagnostic(`agent reports on worker(s) ${[...reporters].join(', ')}; stream on worker ${far}: delays ${delays.join(', ')} ms`);
        // Without the relay the stream wakes only on its 2 s database poll, so delays spread over 0-2 s. Relayed,
        // most arrive within milliseconds.
        assert.ok(quarter < 250, `events reach the other worker's stream through the relay (first quartile ${quarter} ms)`);
      }

      // A killed worker: the primary forks a new one and the port keeps answering.
      const leader = lines.find((line) => line.msg === 'worker started' && line.workerRole === 'leader');
      assert.ok(leader?.workerPid !== undefined);
      process.kill(leader.workerPid, 'SIGKILL');
      for (const deadline = Date.now() + 30_000; ; ) {
        const restarted = logLines(served).find((line) => line.msg === 'worker started' && line.worker === 3);
        if (restarted !== undefined) {
          assert.equal(restarted.workerRole, 'leader', 'the new worker takes the leader role');
          break;
        }
        assert.ok(Date.now() < deadline, 'a new worker is forked');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const deadline = Date.now() + 30_000; ; ) {
        const answering = await workersAnswering(origin);
        if (answering.has('3')) {
          assert.deepEqual([...answering].sort(), ['2', '3']);
          break;
        }
        assert.ok(Date.now() < deadline, 'the new worker answers');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const servers = await signedRequest(apiUrl, keys, 'GET', '/dedicated/server');
      assert.equal(servers.status, 200);
    });
  });
}
