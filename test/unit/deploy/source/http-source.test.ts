import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import packageJson from '../../../../package.json' with { type: 'json' };
import { downloadImage } from '../../../../src/deploy/source/download-image.ts';
import type { DownloadEvent } from '../../../../src/deploy/source/download-events.ts';
import { createHttpSource, type HttpSourceOptions } from '../../../../src/deploy/source/http-source.ts';
import type { ImageSource } from '../../../../src/deploy/source/image-source.ts';
import {
  createTestPki,
  defaultEtag,
  pseudoRandomBytes,
  startMisbehavingServer,
  type MisbehavingServer,
  type ServerOptions,
} from '../../../helpers/misbehaving-http-server.ts';
import { needTools, tempDir } from '../../../helpers/tools.ts';

const MiB = 1024 * 1024;
const image = pseudoRandomBytes(2 * MiB, 7);
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 100 };

const open: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const thing of open.reverse()) await thing.close();
});

async function serve(options: Partial<ServerOptions> = {}): Promise<MisbehavingServer> {
  const server = await startMisbehavingServer({ body: image, ...options });
  open.push(server);
  return server;
}

function source(url: string, options: Partial<HttpSourceOptions> = {}): ImageSource {
  const created = createHttpSource({ url, stallTimeoutMs: 300, retry: fastRetry, ...options });
  open.push(created);
  return created;
}

async function drainAll(src: ImageSource): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of downloadImage(src, { retry: fastRetry })) chunks.push(chunk.slice());
  return Buffer.concat(chunks);
}

/** The messages and codes of an error's cause chain, where a library's text could carry a request header. */
function causes(error: unknown): string[] {
  const out: string[] = [];
  for (let current = (error as { cause?: unknown }).cause; current instanceof Error; current = current.cause) {
    out.push(`${current.name}: ${current.message}`);
  }
  return out;
}

describe('createHttpSource()', () => {
  it('probe() reports size, ranges, validators, type and the final URL without secrets', async () => {
    const server = await serve({ redirects: { '/start': { location: '/image.raw?X-Amz-Signature=s3cr3tsig', status: 302 } } });
    const url = server.url('/start?token=abcdef').replace('http://', 'http://user:pa55word@');
    const src = source(url);
    assert.equal(src.displayName, `${server.origin}/start`);
    assert.deepEqual(await src.probe(), {
      size: image.length,
      acceptsRanges: true,
      etag: defaultEtag(image),
      lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT',
      finalUrl: `${server.origin}/image.raw`,
      contentType: 'application/octet-stream',
    });
    // Userinfo became Basic auth for the URL's own origin.
    assert.equal(server.requests[0]?.headers.authorization, `Basic ${Buffer.from('user:pa55word').toString('base64')}`);
    assert.equal(server.requests[1]?.target, '/image.raw?X-Amz-Signature=s3cr3tsig');
  });

  it('probe() falls back to a one-byte Range GET when HEAD is refused', async () => {
    for (const headStatus of [403, 405, 501]) {
      const server = await serve({ headStatus });
      const facts = await source(server.url()).probe();
      assert.equal(facts.size, image.length);
      assert.equal(facts.acceptsRanges, true);
      assert.equal(server.requests[1]?.range, 'bytes=0-0');
    }
  });

  it('probe() learns the size from a 200 without reading the image when HEAD is refused and Range is not supported', async () => {
    const server = await serve({ headStatus: 405, ranges: false, body: pseudoRandomBytes(16 * MiB, 3) });
    const facts = await source(server.url()).probe();
    assert.equal(facts.size, 16 * MiB);
    assert.equal(facts.acceptsRanges, false);
  });

  it('probe() reports a server without Range support', async () => {
    const server = await serve({ ranges: false });
    const facts = await source(server.url()).probe();
    assert.equal(facts.acceptsRanges, false);
  });

  it('probe() retries a 503 and reports the retry', async () => {
    const events: DownloadEvent[] = [];
    const server = await serve({ headStatus: 503 });
    const src = source(server.url(), { onEvent: (e) => events.push(e), retry: { ...fastRetry, maxAttempts: 2 } });
    await assert.rejects(src.probe(), { code: 'BYOI_DOWNLOAD_FAILED', message: 'Could not download image: HTTP 503 Service Unavailable' });
    assert.equal(server.requests.length, 2);
    assert.deepEqual(events.map((e) => e.type), ['download.retry']);
  });

  it('readRange() returns exactly the bytes asked for, guarded by If-Range', async () => {
    const server = await serve();
    const src = source(server.url());
    await src.probe();
    const bytes = await src.readRange(1000, 5000);
    assert.ok(Buffer.from(bytes).equals(image.subarray(1000, 6000)));
    const last = server.requests.at(-1);
    assert.equal(last?.range, 'bytes=1000-5999');
    assert.equal(last?.ifRange, defaultEtag(image));
    assert.equal((await src.readRange(0, 0)).length, 0);
  });

  it('readRange() fails when the image changed since the probe', async () => {
    const server = await serve({ change: { afterGets: 0, body: image, etag: '"other"' } });
    const src = source(server.url());
    await src.probe();
    await assert.rejects(src.readRange(0, 512), {
      code: 'BYOI_DOWNLOAD_FAILED',
      message: 'Could not download image: the image changed on the server during the download',
    });
  });

  it('readRange() reads from the start without Range support only near the start', async () => {
    const server = await serve({ ranges: false });
    const src = source(server.url(), { rangeFallbackBytes: 1 * MiB });
    await src.probe();
    const bytes = await src.readRange(4096, 4096);
    assert.ok(Buffer.from(bytes).equals(image.subarray(4096, 8192)));
    await assert.rejects(src.readRange(1 * MiB, 4096), {
      code: 'BYOI_DOWNLOAD_FAILED',
      message: `Could not download image: the server does not support HTTP Range requests, needed to read 4096 bytes at byte ${1 * MiB}`,
    });
  });

  it('readRange() past the end throws BYOI_IMAGE_TRUNCATED', async () => {
    const server = await serve();
    const src = source(server.url());
    await assert.rejects(src.readRange(image.length - 10, 20), { code: 'BYOI_IMAGE_TRUNCATED' });
    await assert.rejects(src.readRange(image.length + 10, 20), { code: 'BYOI_IMAGE_TRUNCATED' });
  });

  it('readRange() resumes nothing but retries a cut range read', async () => {
    const server = await serve();
    server.plan({ cutAt: 100_000 });
    const src = source(server.url());
    const bytes = await src.readRange(0, 200_000);
    assert.ok(Buffer.from(bytes).equals(image.subarray(0, 200_000)));
    assert.equal(server.imageGets().length, 2);
  });

  it('createHttpSource() sends byoi/<version>, Accept-Encoding: identity and the user headers', async () => {
    const server = await serve();
    await source(server.url(), { headers: [{ name: 'X-Token', value: 'abc123' }] }).probe();
    const headers = server.requests[0]?.headers;
    assert.equal(headers?.['user-agent'], `byoi/${packageJson.version}`);
    assert.equal(headers?.['accept-encoding'], 'identity');
    assert.equal(headers?.['x-token'], 'abc123');
    await source(server.url(), { headers: [{ name: 'User-Agent', value: 'curl/8' }] }).probe();
    assert.equal(server.requests[1]?.headers['user-agent'], 'curl/8');
  });

  it('createHttpSource() checks its options before any I/O', async () => {
    const server = await serve();
    const refuse = (options: Partial<HttpSourceOptions>, message: RegExp | string): void => {
      assert.throws(() => createHttpSource({ url: server.url(), ...options }), (error: Error & { code?: string }) => {
        if (typeof message === 'string') assert.equal(error.message, message);
        else assert.match(error.message, message);
        return true;
      });
    };
    refuse({ url: 'not a url with secret-ish text' }, 'Could not download image: the image URL is not a valid URL');
    refuse({ url: 'ftp://example.org/x.img' }, 'Could not download image: the image URL must use http or https, not ftp');
    refuse({ headers: [{ name: 'Range', value: 'bytes=0-' }] }, 'Could not download image: HTTP header Range cannot be set in httpHeaders: byoi sets it itself');
    refuse({ headers: [{ name: 'Accept-Encoding', value: 'gzip' }] }, /Accept-Encoding cannot be set/);
    refuse({ headers: [{ name: 'X-Key', value: 'line\r\nInjected: 1' }] }, 'Could not download image: the value of HTTP header X-Key contains a line break or a control character');
    refuse({ headers: [{ name: 'Bad Name', value: 'v' }] }, 'Could not download image: "Bad Name" is not a valid HTTP header name');
    refuse({ extraCaPem: 'not a certificate' }, 'Could not download image: the extra CA holds no PEM certificate');
    refuse({ extraCaPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'Could not download image: the extra CA holds a certificate that cannot be parsed');
    refuse({ maxRedirects: -1 }, /maxRedirects is -1/);
    refuse({ stallTimeoutMs: 0 }, /stallTimeoutMs is 0/);
    assert.equal(server.requests.length, 0);
  });

  it('createHttpSource() follows a redirect chain and reports each hop', async () => {
    const server = await serve({
      redirects: {
        '/a': { location: '/b', status: 301 },
        '/b': { location: '/c', status: 307 },
        '/c': { location: '/image.raw', status: 308 },
      },
    });
    const events: DownloadEvent[] = [];
    const src = source(server.url('/a'), { onEvent: (e) => events.push(e) });
    assert.ok((await drainAll(src)).equals(image));
    const redirects = events.filter((e) => e.type === 'download.redirect');
    assert.equal(redirects.length, 6); // three for the probe, three for the body
    assert.deepEqual(redirects[0], { type: 'download.redirect', status: 301, from: `${server.origin}/a`, to: `${server.origin}/b`, crossOrigin: false });
  });

  it('createHttpSource() refuses a redirect loop with a clear reason', async () => {
    const server = await serve({ redirects: { '/a': { location: '/b' }, '/b': { location: '/a' } } });
    await assert.rejects(source(server.url('/a')).probe(), {
      code: 'BYOI_DOWNLOAD_FAILED',
      message: `Could not download image: redirect loop: ${server.origin}/b redirects back to ${server.origin}/a`,
    });
    assert.equal(server.requests.length, 2);
  });

  it('createHttpSource() refuses more redirects than allowed', async () => {
    const redirects: ServerOptions['redirects'] = {};
    for (let i = 0; i < 4; i += 1) redirects[`/r${i}`] = { location: `/r${i + 1}` };
    const server = await serve({ redirects });
    await assert.rejects(source(server.url('/r0'), { maxRedirects: 3 }).probe(), {
      message: `Could not download image: too many redirects (more than 3), the last to ${server.origin}/r4`,
    });
  });

  it('createHttpSource() sends the user headers only to the origin the user named', async () => {
    const marker = 'MARKER-7f3a9c';
    const other = await serve();
    const first = await serve({
      requireHeader: { name: 'X-Secret', value: marker },
      redirects: { '/image.raw': { location: `${other.url('/elsewhere.raw')}?sig=abc`, status: 302 } },
    });
    const events: DownloadEvent[] = [];
    const src = source(first.url(), { headers: [{ name: 'X-Secret', value: marker }], onEvent: (e) => events.push(e) });
    assert.ok((await drainAll(src)).equals(image));
    assert.ok(first.requests.every((r) => r.headers['x-secret'] === marker));
    assert.ok(other.requests.length > 0);
    assert.ok(other.requests.every((r) => r.headers['x-secret'] === undefined));
    assert.ok(other.requests.every((r) => r.headers['user-agent']?.startsWith('byoi/')));
    const redirect = events.find((e) => e.type === 'download.redirect');
    assert.deepEqual(redirect, { type: 'download.redirect', status: 302, from: `${first.origin}/image.raw`, to: `${other.origin}/elsewhere.raw`, crossOrigin: true });
  });

  it('createHttpSource() refuses a redirect from https to http', async (t) => {
    if (!needTools(t, 'openssl')) return;
    const pki = createTestPki(tempDir(t));
    const plain = await serve();
    const secure = await serve({ tls: pki.server, redirects: { '/image.raw': { location: plain.url() } } });
    await assert.rejects(source(secure.url(), { extraCaPem: pki.caPem }).probe(), {
      message: `Could not download image: a redirect from https to http (${plain.origin}/image.raw) was refused`,
    });
  });

  it('createHttpSource() downloads over https with a private CA and fails readably without it', async (t) => {
    if (!needTools(t, 'openssl')) return;
    const pki = createTestPki(tempDir(t));
    const server = await serve({ tls: pki.server });
    assert.ok((await drainAll(source(server.url(), { extraCaPem: pki.caPem }))).equals(image));

    const host = new URL(server.origin).host;
    await assert.rejects(source(server.url()).probe(), {
      code: 'BYOI_DOWNLOAD_FAILED',
      message: `Could not download image: TLS certificate of ${host} rejected: unable to verify the first certificate`,
    });
    // Certificate errors are not retried: one connection attempt, no request reached the server.
    assert.equal(server.requests.length, 2);

    const expired = await serve({ tls: pki.expired });
    await assert.rejects(source(expired.url(), { extraCaPem: pki.caPem }).probe(), {
      message: `Could not download image: TLS certificate of ${new URL(expired.origin).host} rejected: certificate has expired`,
    });
  });

  it('createHttpSource() reports a refused connection after retries', async () => {
    const server = await serve();
    const url = server.url();
    await server.close();
    const events: DownloadEvent[] = [];
    const src = source(url, { retry: { ...fastRetry, maxAttempts: 2 }, onEvent: (e) => events.push(e) });
    await assert.rejects(src.probe(), { message: `Could not download image: connection refused by ${new URL(url).host}` });
    assert.equal(events.filter((e) => e.type === 'download.retry').length, 1);
  });

  // undici 7 fails an uncatchable assertion, ending the process, when a server closes the connection while the
  // parser is paused on the chunk that ends the body (nodejs/undici#5360). A body of exactly the source's 1 MiB
  // buffer, read late, is paused on its last chunk: each framing must still complete.
  it('openStream() completes a body whose last chunk meets backpressure as the server closes the connection', async () => {
    const body = pseudoRandomBytes(1 * MiB, 11);
    const answers: Array<{ name: string; offset: number; head: string }> = [
      { name: 'Content-Length', offset: 0, head: `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n` },
      { name: '206 without Content-Length', offset: 5, head: `HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 5-${body.length + 4}/${body.length + 5}\r\nConnection: close\r\n\r\n` },
      { name: 'close-delimited, size probed', offset: 0, head: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n' },
    ];
    for (const answer of answers) {
      const server = createServer((socket: Socket) => {
        socket.once('data', (request: Buffer) => {
          if (request.toString('latin1').startsWith('HEAD ')) {
            socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n`);
            return;
          }
          socket.write(answer.head);
          socket.end(body);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
      const { port } = server.address() as { port: number };
      const src = source(`http://127.0.0.1:${port}/image.raw`, { stallTimeoutMs: 5_000 });
      if (answer.name.includes('probed')) assert.equal((await src.probe()).size, body.length);
      const stream = await src.openStream(answer.offset, { ifRange: null });
      await delay(200); // the whole body and the FIN arrive while nobody reads
      const chunks: Buffer[] = [];
      for await (const chunk of stream.body) chunks.push(Buffer.from(chunk));
      assert.ok(Buffer.concat(chunks).equals(body), answer.name);
    }
  });

  it('createHttpSource() keeps a marker header value out of every event, message and detail', async () => {
    const marker = 'MARKER-secret-31337';
    const headers = [
      { name: 'Authorization', value: `Bearer ${marker}` },
      { name: 'X-Api-Key', value: marker },
    ];
    const events: DownloadEvent[] = [];
    const outcomes: unknown[] = [];
    const scenarios: Array<{ server: Partial<ServerOptions>; plan?: Parameters<MisbehavingServer['plan']>; always?: MisbehavingServer['always'] }> = [
      { server: {}, plan: [{ cutAt: 500_000 }, { stallAt: 1 * MiB }, { status: 503, retryAfter: '0' }, { resetAt: 1_500_000 }] },
      { server: { ranges: false }, plan: [{ cutAt: 1 * MiB }] },
      { server: { requireHeader: { name: 'X-Api-Key', value: 'something else' } } },
      { server: {}, always: { status: 500 } },
      { server: { change: { afterGets: 1, body: pseudoRandomBytes(image.length, 99), etag: '"v2"' } }, plan: [{ cutAt: 1 * MiB }] },
      { server: { headSize: 10, framing: 'chunked' } },
      { server: { redirects: { '/a': { location: '/b' }, '/b': { location: '/a' } } } },
    ];
    for (const scenario of scenarios) {
      const server = await serve(scenario.server);
      if (scenario.plan !== undefined) server.plan(...scenario.plan);
      if (scenario.always !== undefined) server.always = scenario.always;
      const path = scenario.server.redirects === undefined ? '/image.raw' : '/a';
      const src = source(server.url(path), { headers, stallTimeoutMs: 100, onEvent: (e) => events.push(e) });
      try {
        for await (const chunk of downloadImage(src, { retry: { ...fastRetry, maxAttempts: 2 }, onEvent: (e) => events.push(e) })) {
          assert.ok(chunk.length > 0);
        }
        outcomes.push('ok');
      } catch (error) {
        const e = error as Error & { detail?: string; params?: unknown; toRecord?: () => unknown };
        outcomes.push({ message: e.message, detail: e.detail, params: e.params, record: e.toRecord?.(), cause: causes(e) });
      }
      // The secret reached the server: the test proves it was in play.
      assert.ok(server.requests.some((r) => r.headers['x-api-key'] === marker));
    }
    assert.ok(events.some((e) => e.type === 'download.resume'));
    assert.ok(events.some((e) => e.type === 'download.retry'));
    assert.ok(events.some((e) => e.type === 'download.restart'));
    assert.ok(outcomes.filter((o) => o !== 'ok').length >= 5);
    const everything = JSON.stringify({ events, outcomes });
    assert.equal(everything.includes(marker), false);
  });
});
