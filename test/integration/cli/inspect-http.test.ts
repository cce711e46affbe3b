import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import type { InspectResult } from '../../../src/image/inspect-result.ts';
import { pseudoRandomBytes, startMisbehavingServer, type MisbehavingServer, type ServerOptions } from '../../helpers/misbehaving-http-server.ts';
import { needTools, run, tempDir } from '../../helpers/tools.ts';
import { assertAgreesWithOracles, INSPECT_TOOLS, makeGptEspDisk, MiB, patch, type InspectFixture } from '../../unit/image/inspect/_fixtures.ts';
import { parseJson, runInspect } from './_inspect-cli.ts';

// `byoi inspect <url>` against a real HTTP server that records every request: a few Range requests when the
// server serves ranges, one whole download into a temporary file when it does not, clear failures, and header
// values that never reach the output.

const dir = tempDir({ after }, 'byoi-cli-inspect-http-');
const MARKER = 'Bearer byoi-secret-marker-7f3a9c';

let image: { fixture: InspectFixture; bytes: Uint8Array } | null = null;

/** A qcow2 image of a GPT disk with an ESP (the case the request count matters for), made once. */
function qcow2Image(t: TestContext): { fixture: InspectFixture; bytes: Uint8Array } | null {
  if (!needTools(t, ...INSPECT_TOOLS)) return null;
  if (image !== null) return image;
  const disk = makeGptEspDisk(dir);
  // 12 MiB of data in the root partition, past its ext4 metadata: the image is then mostly data nobody needs to
  // inspect it, as a real one is.
  patch(disk.path, 80 * MiB, pseudoRandomBytes(12 * MiB));
  const path = join(dir, 'served.qcow2');
  run('qemu-img', ['convert', '-O', 'qcow2', disk.path, path]);
  image = {
    fixture: { name: 'qcow2 served over HTTP', path, format: 'qcow2', guestRaw: disk.path, espOffset: disk.espOffset, problems: [] },
    bytes: new Uint8Array(readFileSync(path)),
  };
  return image;
}

async function serve(t: TestContext, options: ServerOptions): Promise<MisbehavingServer> {
  const server = await startMisbehavingServer(options);
  t.after(() => server.close());
  return server;
}

/** A TMPDIR of its own for the child, to see that a temporary download is deleted. */
function privateTmp(t: TestContext): string {
  const path = mkdtempSync(join(tmpdir(), 'byoi-cli-tmp-'));
  t.after(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

test('byoi inspect <url> reads a qcow2 GPT image with a few Range requests and agrees with the oracles', async (t) => {
  const served = qcow2Image(t);
  if (served === null) return;
  const server = await serve(t, { body: served.bytes });
  const result = await runInspect(['--json', server.url('/debian.qcow2')]);
  assert.equal(result.status, 0, result.stderr);
  const inspection = parseJson<InspectResult>(result);
  assertAgreesWithOracles(inspection, served.fixture);
  assert.equal(inspection.source, server.url('/debian.qcow2'));
  assert.equal(inspection.access.method, 'http-range');
  // Every request the server saw: one HEAD, then Range GETs of 256 KiB blocks, coalesced.
  assert.equal(inspection.access.requests, server.requests.length);
  assert.ok(server.requests.length <= 10, `${server.requests.length} requests`);
  assert.ok(server.imageGets().every((r) => r.range !== undefined && r.ifRange !== undefined), 'every GET is a Range request pinned with If-Range');
  assert.ok(inspection.access.bytesRead < served.bytes.length / 4, `${inspection.access.bytesRead} of ${served.bytes.length} bytes read`);
  t.diagnostic(`${server.requests.length} requests, ${inspection.access.bytesRead} of ${served.bytes.length} bytes`);

  const human = await runInspect([server.url('/debian.qcow2'), '--checksum', 'a'.repeat(64), '--checksum-type', 'sha256']);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`^Read +HTTP Range requests: ${server.requests.length - inspection.access.requests} requests, `, 'm'));
  assert.match(human.stdout, /Checksum +sha256 not computed here \(that would download the whole image\); the deploy verifies it while downloading/);
});

test('byoi inspect <url> falls back to one whole download into a temporary file when Range is not supported, and says so', async (t) => {
  const served = qcow2Image(t);
  if (served === null) return;
  const server = await serve(t, { body: served.bytes, ranges: false });
  const tmp = privateTmp(t);
  const result = await runInspect(['--json', server.url('/debian.qcow2')], { TMPDIR: tmp });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /the server does not support HTTP Range requests: downloading the whole image \(\d+ bytes\) to a temporary file, deleted afterwards/);
  const inspection = parseJson<InspectResult>(result);
  assertAgreesWithOracles(inspection, served.fixture);
  assert.equal(inspection.access.method, 'http-full');
  assert.equal(inspection.access.bytesRead, served.bytes.length);
  assert.equal(server.imageGets().length, 1);
  // (tsx keeps its own cache there too.)
  assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith('byoi-')), [], 'the temporary download is deleted');

  // Downloaded anyway, so the checksum is verified too.
  const { createHash } = await import('node:crypto');
  const sha1 = createHash('sha1').update(served.bytes).digest('hex');
  const checked = await runInspect([server.url('/debian.qcow2'), '--checksum', sha1, '--checksum-type', 'sha1'], { TMPDIR: tmp });
  assert.equal(checked.status, 0, checked.stderr);
  assert.match(checked.stdout, /^Note +the server does not support HTTP Range requests/m);
  assert.match(checked.stdout, /Checksum +sha1 matches/);
  assert.deepEqual(readdirSync(tmp).filter((name) => name.startsWith('byoi-')), []);
});

test('byoi inspect <url> says "Could not download image: HTTP 401 Unauthorized" and never prints a header value', async (t) => {
  const served = qcow2Image(t);
  if (served === null) return;
  const server = await serve(t, { body: served.bytes, requireHeader: { name: 'Authorization', value: MARKER } });

  const refused = await runInspect([server.url('/debian.qcow2'), '--header', 'Authorization: Bearer wrong-byoi-secret-marker']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^byoi inspect: Could not download image: HTTP 401 Unauthorized$/m);
  assert.equal(refused.stdout, '');
  assert.doesNotMatch(refused.stdout + refused.stderr, /wrong-byoi-secret-marker/);

  const json = await runInspect(['--json', server.url('/debian.qcow2')]);
  assert.equal(json.status, 1);
  assert.equal(parseJson<{ error: { message: string } }>(json).error.message, 'Could not download image: HTTP 401 Unauthorized');

  const allowed = await runInspect([server.url('/debian.qcow2'), '-H', `Authorization: ${MARKER}`, '--header', 'X-Trace: byoi-secret-marker-2']);
  assert.equal(allowed.status, 0, allowed.stderr);
  const text = allowed.stdout + allowed.stderr;
  assert.doesNotMatch(text, /byoi-secret-marker/);
  const asJson = await runInspect(['--json', server.url('/debian.qcow2'), '-H', `Authorization: ${MARKER}`]);
  assert.doesNotMatch(asJson.stdout + asJson.stderr, /byoi-secret-marker/);
  assert.ok(server.requests.some((r) => r.headers.authorization === MARKER), 'the header was sent');

  const badHeader = await runInspect([server.url('/debian.qcow2'), '--header', 'Range: bytes=0-byoi-secret-marker']);
  assert.equal(badHeader.status, 2);
  assert.doesNotMatch(badHeader.stdout + badHeader.stderr, /byoi-secret-marker/);
  assert.match(badHeader.stderr, /the Range header cannot be set/);
});

test('byoi inspect <url> hides the URL\'s userinfo and query string', async (t) => {
  const served = qcow2Image(t);
  if (served === null) return;
  const server = await serve(t, { body: served.bytes });
  const url = server.url('/debian.qcow2?X-Amz-Signature=byoi-secret-marker-3').replace('http://', 'http://user:byoi-secret-marker-4@');
  const result = await runInspect([url]);
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stdout + result.stderr, /byoi-secret-marker/);
  assert.match(result.stdout, new RegExp(`^Image +${server.url('/debian.qcow2').replace(/[.?]/g, '\\$&')}$`, 'm'));
});
