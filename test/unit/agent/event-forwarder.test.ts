import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentCallError } from '../../../src/agent/agent-client.ts';
import { createEventForwarder } from '../../../src/agent/event-forwarder.ts';
import type { AgentEventsBatch } from '../../../src/contract/agent/agent-protocol.ts';
import type { DeployEvent } from '../../../src/contract/deploy-events.ts';

const progress = (bytes: number): DeployEvent => ({ type: 'write.progress', bytesDownloaded: bytes, bytesTotal: 100, bytesWritten: bytes, rate: 1, etaSeconds: 1 });

test('createEventForwarder() numbers batches from 1, collapses progress, and resends a failed batch unchanged', async () => {
  const posted: AgentEventsBatch[] = [];
  let failNext = 2;
  const troubles: boolean[] = [];
  const forwarder = createEventForwarder({
    intervalMs: 5,
    minDelayMs: 5,
    maxDelayMs: 10,
    onFatal: () => assert.fail('not fatal'),
    onTrouble: ({ failing }) => troubles.push(failing),
    send: async (batch) => {
      posted.push(structuredClone(batch));
      if (failNext > 0) {
        failNext -= 1;
        throw new AgentCallError('POST /agent/v1/events: no answer', 0, null);
      }
    },
  });
  forwarder.push({ type: 'phase.start', phase: 'write' });
  forwarder.push(progress(10));
  forwarder.push(progress(20));
  assert.equal(await forwarder.flush(2000), true);
  forwarder.push({ type: 'phase.end', phase: 'write', seconds: 1 });
  assert.equal(await forwarder.flush(2000), true);
  assert.deepEqual(posted.map((batch) => batch.seq), [1, 1, 1, 2]);
  assert.deepEqual(posted[0], posted[2], 'the retried batch is the same batch');
  assert.deepEqual(posted[0]?.events.map((event) => event.type), ['phase.start', 'write.progress']);
  assert.equal((posted[0]?.events[1] as unknown as { bytesDownloaded: number }).bytesDownloaded, 20);
  assert.deepEqual(troubles, [true, false]);
  forwarder.stop();
});

test('createEventForwarder() stops on a 410 and tells once', async () => {
  const fatal: number[] = [];
  const forwarder = createEventForwarder({
    intervalMs: 1,
    onFatal: (error) => fatal.push(error.status),
    send: async () => {
      throw new AgentCallError('POST /agent/v1/events: 410', 410, 'Client::Gone');
    },
  });
  forwarder.push({ type: 'phase.start', phase: 'preflight' });
  assert.equal(await forwarder.flush(1000), false);
  forwarder.push({ type: 'phase.start', phase: 'wipe' });
  assert.deepEqual(fatal, [410]);
});

test('createEventForwarder() keeps a bounded queue, dropping progress and notices first', async () => {
  const posted: AgentEventsBatch[] = [];
  let reachable = false;
  const forwarder = createEventForwarder({
    intervalMs: 1,
    minDelayMs: 1,
    maxDelayMs: 2,
    maxQueue: 3,
    onFatal: () => undefined,
    send: async (batch) => {
      if (!reachable) throw new AgentCallError('down', 503, null);
      posted.push(batch);
    },
  });
  forwarder.push({ type: 'phase.start', phase: 'preflight' });
  await new Promise((resolve) => setTimeout(resolve, 20)); // batch 1 (phase.start preflight) is now in flight and failing
  forwarder.push({ type: 'download.notice', what: 'retry', message: 'one' });
  forwarder.push({ type: 'phase.end', phase: 'preflight', seconds: 1 });
  forwarder.push({ type: 'download.notice', what: 'retry', message: 'two' });
  forwarder.push({ type: 'phase.start', phase: 'wipe' });
  assert.equal(forwarder.dropped, 1);
  reachable = true;
  assert.equal(await forwarder.flush(2000), true);
  assert.deepEqual(posted.flatMap((batch) => batch.events.map((event) => (event as { message?: string; type: string }).message ?? event.type)), ['phase.start', 'phase.end', 'two', 'phase.start']);
  forwarder.stop();
});
