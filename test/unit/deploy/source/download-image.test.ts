import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { downloadImage as realDownloadImage, type DownloadOptions, type ImageDownload } from '../../../../src/deploy/source/download-image.ts';
import type { DownloadEvent } from '../../../../src/deploy/source/download-events.ts';
import { createHttpSource, type HttpSourceOptions } from '../../../../src/deploy/source/http-source.ts';
import type { ImageSource } from '../../../../src/deploy/source/image-source.ts';
import {
  defaultEtag,
  pseudoRandomBytes,
  startMisbehavingServer,
  type MisbehavingServer,
  type ServerOptions,
} from '../../../helpers/misbehaving-http-server.ts';
import { needTools, run, tempDir } from '../../../helpers/tools.ts';

const MiB = 1024 * 1024;
const image = pseudoRandomBytes(4 * MiB, 42);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

// Short timers keep the suite to seconds; real defaults are in the source.
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 200 };

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

/** downloadImage() with the suite's short backoff unless a test gives its own policy. */
function downloadImageFast(src: ImageSource, options: DownloadOptions = {}): ImageDownload {
  return realDownloadImage(src, { ...options, retry: { ...fastRetry, ...options.retry } });
}

/** Resolves once the server has no open connection left; fails after `ms`. */
async function connectionsClosed(server: MisbehavingServer, ms = 1000): Promise<void> {
  const deadline = performance.now() + ms;
  while (server.openConnections() > 0) {
    if (performance.now() > deadline) assert.fail(`${server.openConnections()} connection(s) still open after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function drain(download: ImageDownload): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of download) chunks.push(chunk.slice()); // a lent chunk: valid until the next is asked for
  return Buffer.concat(chunks);
}

function recorder(): { events: DownloadEvent[]; onEvent: (event: DownloadEvent) => void; of: <T extends DownloadEvent['type']>(type: T) => Extract<DownloadEvent, { type: T }>[] } {
  const events: DownloadEvent[] = [];
  return {
    events,
    onEvent: (event) => events.push(event),
    of: (type) => events.filter((e) => e.type === type) as never,
  };
}

/** Every test runs twice: hashing on this thread (images under workerHashMinBytes) and on a worker thread. */
const hashings = [
  { name: 'on this thread', workerHashMinBytes: Number.MAX_SAFE_INTEGER },
  { name: 'on a worker thread', workerHashMinBytes: 0 },
];

for (const hashing of hashings) {
  describe(`downloadImage() hashing ${hashing.name}`, () => {
    const downloadImage = (src: ImageSource, options: DownloadOptions = {}): ImageDownload =>
      downloadImageFast(src, { workerHashMinBytes: hashing.workerHashMinBytes, ...options });

    it('downloadImage() resumes with Range and If-Range after a cut', async (t) => {
      if (!needTools(t, 'openssl')) return;
      const server = await serve();
      server.plan({ cutAt: 1 * MiB }, { cutAt: 3 * MiB });
      const src = source(server.url());
      const facts = await src.probe();
      const rec = recorder();
      const download = downloadImage(src, { facts, onEvent: rec.onEvent, progressIntervalMs: 0 });
      const bytes = await drain(download);

      assert.equal(bytes.length, image.length);
      assert.ok(bytes.equals(image));
      const file = join(tempDir(t), 'image.raw');
      writeFileSync(file, image);
      const expected = run('openssl', ['dgst', '-sha256', '-r', file]).split(' ')[0];
      assert.equal(download.result.digest.hex, expected);
      assert.equal(download.result.digest.algorithm, 'sha256');

      const gets = server.imageGets();
      assert.equal(gets.length, 3);
      assert.equal(gets[0]?.range, undefined);
      for (const [index, get] of gets.slice(1).entries()) {
        const start = Number(/^bytes=(\d+)-$/.exec(get.range ?? '')?.[1]);
        assert.ok(start > 0 && start <= [1, 3][index]! * MiB, `resume ${index + 1} starts at ${start}`);
        assert.equal(get.ifRange, defaultEtag(image));
      }
      assert.deepEqual(
        { requests: download.result.requests, resumes: download.result.resumes, restarts: download.result.restarts, retries: download.result.retries },
        { requests: 3, resumes: 2, restarts: 0, retries: 0 },
      );
      assert.equal(rec.of('download.resume').length, 2);
      const progress = rec.of('download.progress').map((e) => e.bytes);
      assert.ok(progress.every((bytes, i) => i === 0 || bytes >= (progress[i - 1] ?? 0)));
      assert.deepEqual(rec.of('download.progress').at(-1), { type: 'download.progress', bytes: image.length, total: image.length });
      assert.equal(rec.events[0]?.type, 'download.start');
      assert.equal(rec.events.at(-1)?.type, 'download.end');
    });

    it('downloadImage() resumes after a connection reset', async () => {
      const server = await serve();
      server.plan({ resetAt: 2 * MiB });
      const download = downloadImage(source(server.url()));
      const bytes = await drain(download);
      assert.equal(sha256(bytes), sha256(image));
      assert.equal(download.result.resumes, 1);
      assert.equal(server.imageGets().length, 2);
    });

    it('downloadImage() restarts from byte 0 without Range support, verifies the prefix and says so', async () => {
      const server = await serve({ ranges: false });
      server.plan({ cutAt: 1 * MiB });
      const rec = recorder();
      const download = downloadImage(source(server.url()), { onEvent: rec.onEvent });
      const bytes = await drain(download);
      assert.ok(bytes.equals(image));
      assert.equal(download.result.restarts, 1);
      assert.equal(download.result.resumes, 0);
      const [restart] = rec.of('download.restart');
      assert.ok(restart !== undefined && restart.offset > 0);
      assert.match(restart.reason, /does not resume/);
      assert.deepEqual(rec.of('download.restart-verified'), [{ type: 'download.restart-verified', offset: restart.offset }]);
      // The re-sent prefix is verified, never delivered twice.
      assert.equal(download.result.bytes, image.length);
    });

    it('downloadImage() fails when the image changed on the server during the download', async () => {
      const changedImage = Buffer.from(image);
      changedImage[100] = (changedImage[100] ?? 0) ^ 0xff;
      const server = await serve({ change: { afterGets: 1, body: changedImage, etag: '"v2"' } });
      server.plan({ cutAt: 1 * MiB });
      const rec = recorder();
      const download = downloadImage(source(server.url()), { onEvent: rec.onEvent });
      await assert.rejects(drain(download), {
        code: 'BYOI_DOWNLOAD_FAILED',
        message: 'Could not download image: the image changed on the server during the download',
      });
      const gets = server.imageGets();
      assert.equal(gets.length, 2);
      assert.equal(gets[1]?.ifRange, defaultEtag(image));
      assert.equal(rec.of('download.restart')[0]?.reason.includes('validator changed'), true);
      assert.equal(rec.events.at(-1)?.type, 'download.error');
      assert.throws(() => download.result, TypeError);
    });

    it('downloadImage() continues after a restart when the re-sent prefix is identical', async () => {
      // Only bytes after the cut changed: the result is exactly the new image, verified end to end.
      const changedImage = Buffer.from(image);
      changedImage[3 * MiB] = (changedImage[3 * MiB] ?? 0) ^ 0xff;
      const server = await serve({ change: { afterGets: 1, body: changedImage, etag: '"v2"' } });
      server.plan({ cutAt: 1 * MiB });
      const download = downloadImage(source(server.url()));
      const bytes = await drain(download);
      assert.ok(bytes.equals(changedImage));
      assert.equal(download.result.digest.hex, sha256(changedImage));
      assert.equal(download.result.restarts, 1);
    });

    it('downloadImage() treats a stall as a cut and resumes', async () => {
      const server = await serve();
      server.plan({ stallAt: 1 * MiB });
      const rec = recorder();
      const started = performance.now();
      const download = downloadImage(source(server.url(), { stallTimeoutMs: 200 }), { onEvent: rec.onEvent });
      const bytes = await drain(download);
      assert.ok(bytes.equals(image));
      assert.ok(performance.now() - started < 3000);
      const [resume] = rec.of('download.resume');
      assert.match(resume?.reason ?? '', /^no data received for 0\.2 s at byte \d+$/);
      assert.equal(server.imageGets().length, 2);
    });

    it('downloadImage() retries 503 twice then succeeds', async () => {
      const server = await serve();
      server.plan({ status: 503 }, { status: 503 });
      const rec = recorder();
      const download = downloadImage(source(server.url()), { onEvent: rec.onEvent });
      const bytes = await drain(download);
      assert.ok(bytes.equals(image));
      assert.equal(download.result.retries, 2);
      assert.equal(download.result.requests, 3);
      assert.deepEqual(
        rec.of('download.retry').map((e) => [e.attempt, e.reason]),
        [
          [1, 'HTTP 503 Service Unavailable'],
          [2, 'HTTP 503 Service Unavailable'],
        ],
      );
    });

    it('downloadImage() honours Retry-After within its bound', async () => {
      const server = await serve();
      server.plan({ status: 503, retryAfter: '3600' }, { status: 429, retryAfter: '0' });
      const rec = recorder();
      const bytes = await drain(downloadImage(source(server.url()), { onEvent: rec.onEvent, retry: fastRetry }));
      assert.ok(bytes.equals(image));
      assert.deepEqual(rec.of('download.retry').map((e) => e.delayMs), [200, 0]);
    });

    it('downloadImage() gives up after too many 5xx with the last reason', async () => {
      const server = await serve();
      server.always = { status: 502 };
      const download = downloadImage(source(server.url()), { retry: { ...fastRetry, maxAttempts: 3 } });
      await assert.rejects(drain(download), { code: 'BYOI_DOWNLOAD_FAILED', message: 'Could not download image: HTTP 502 Bad Gateway' });
      assert.equal(server.imageGets().length, 3);
    });

    it('downloadImage() reports HTTP 401 Unauthorized without retrying', async () => {
      const server = await serve({ requireHeader: { name: 'Authorization', value: 'Bearer right' } });
      const src = source(server.url(), { headers: [{ name: 'Authorization', value: 'Bearer wrong' }] });
      await assert.rejects(drain(downloadImage(src)), {
        code: 'BYOI_DOWNLOAD_FAILED',
        message: 'Could not download image: HTTP 401 Unauthorized',
      });
      // The probe (HEAD) was refused once; no GET, no retry.
      assert.equal(server.requests.length, 1);
    });

    it('downloadImage() reports HTTP 404 Not Found on the body request without retrying', async () => {
      const server = await serve();
      server.always = { status: 404 };
      const src = source(server.url());
      const facts = await src.probe();
      await assert.rejects(drain(downloadImage(src, { facts })), { message: 'Could not download image: HTTP 404 Not Found' });
      assert.equal(server.imageGets().length, 1);
    });

    it('downloadImage() fails when the body is longer than the size announced by the probe', async () => {
      const server = await serve({ headSize: image.length - 1000, framing: 'chunked' });
      const download = downloadImage(source(server.url()));
      const chunks: Uint8Array[] = [];
      await assert.rejects(
        (async () => {
          for await (const chunk of download) chunks.push(chunk.slice());
        })(),
        { code: 'BYOI_DOWNLOAD_FAILED', message: `Could not download image: the server sent more than the ${image.length - 1000} bytes it announced` },
      );
      // Nothing past the announced size was delivered.
      assert.ok(Buffer.concat(chunks).length <= image.length - 1000);
    });

    it('downloadImage() fails when the body request announces another size than the probe', async () => {
      const server = await serve({ headSize: image.length - 1000 });
      await assert.rejects(drain(downloadImage(source(server.url()))), {
        code: 'BYOI_DOWNLOAD_FAILED',
        message: `Could not download image: the image size changed on the server from ${image.length - 1000} to ${image.length} bytes`,
      });
    });

    it('downloadImage() never calls a short body a success when it cannot resume', async () => {
      // No Range support and every answer cut at 1 MiB: each restart re-reads the same prefix and makes no progress.
      const server = await serve({ ranges: false });
      server.always = { cutAt: 1 * MiB };
      const rec = recorder();
      const download = downloadImage(source(server.url()), { onEvent: rec.onEvent, retry: { ...fastRetry, maxAttempts: 3 } });
      await assert.rejects(drain(download), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'BYOI_DOWNLOAD_TRUNCATED');
        assert.match(error.message, /^Could not download image: the (connection to 127\.0\.0\.1:\d+ closed unexpectedly|server ended the body) at byte \d+/);
        return true;
      });
      assert.equal(server.imageGets().length, 4);
      assert.equal(rec.of('download.end').length, 0);
    });

    it('downloadImage() gives up after maxResumes cuts with BYOI_DOWNLOAD_TRUNCATED', async () => {
      const server = await serve();
      server.plan({ cutAt: 1 * MiB }, { cutAt: 2 * MiB }, { cutAt: 3 * MiB });
      const rec = recorder();
      await assert.rejects(drain(downloadImage(source(server.url()), { onEvent: rec.onEvent, retry: { maxResumes: 2 } })), (error: Error & { code?: string; detail?: string }) => {
        assert.equal(error.code, 'BYOI_DOWNLOAD_TRUNCATED');
        assert.match(error.message, /^Could not download image: the connection to 127\.0\.0\.1:\d+ closed unexpectedly at byte \d+$/);
        assert.match(error.detail ?? '', /2 resumes used/);
        return true;
      });
      assert.equal(rec.of('download.resume').length, 2);
      assert.equal(server.imageGets().length, 3);
    });

    it('downloadImage() resumes a body that announced a length and ended early', async () => {
      // The server announces 4 MiB, sends 2 MiB and closes: a premature end, resumed like a cut.
      const server = await serve();
      server.plan({ cutAt: 2 * MiB });
      const download = downloadImage(source(server.url()));
      assert.ok((await drain(download)).equals(image));
      assert.equal(server.imageGets()[1]?.range, `bytes=${2 * MiB}-`);
    });

    it('downloadImage() refuses a body without length or chunked end when the size is unknown', async () => {
      const server = await serve({ headSize: null, framing: 'close' });
      await assert.rejects(drain(downloadImage(source(server.url()))), {
        code: 'BYOI_DOWNLOAD_TRUNCATED',
        message: `Could not download image: the server sent ${image.length} bytes with neither a length nor a chunked end, so a complete image cannot be told from a cut one`,
      });
    });

    it('downloadImage() resumes a close-delimited body when the probe gave the size', async () => {
      const server = await serve({ framing: 'close' });
      server.plan({ cutAt: 1 * MiB });
      const download = downloadImage(source(server.url()));
      assert.ok((await drain(download)).equals(image));
      assert.equal(download.result.resumes, 1);
    });

    it('downloadImage() accepts a chunked body of unknown size that ended with its terminator', async () => {
      const server = await serve({ headSize: null, framing: 'chunked' });
      const download = downloadImage(source(server.url()));
      assert.ok((await drain(download)).equals(image));
    });

    it('downloadImage() works when HEAD is refused (405)', async () => {
      const server = await serve({ headStatus: 405 });
      const download = downloadImage(source(server.url()));
      assert.ok((await drain(download)).equals(image));
      assert.deepEqual(
        server.requests.map((r) => [r.method, r.range]),
        [
          ['HEAD', undefined],
          ['GET', 'bytes=0-0'],
          ['GET', undefined],
        ],
      );
    });

    it('downloadImage() computes md5, sha1 and sha512 like openssl', async (t) => {
      if (!needTools(t, 'openssl')) return;
      const server = await serve();
      const file = join(tempDir(t), 'digest.raw');
      writeFileSync(file, image);
      for (const algorithm of ['md5', 'sha1', 'sha512'] as const) {
        const download = downloadImage(source(server.url()), { algorithm });
        await drain(download);
        const expected = run('openssl', ['dgst', `-${algorithm}`, '-r', file]).split(' ')[0];
        assert.deepEqual(download.result.digest, { algorithm, hex: expected });
      }
    });

    it('downloadImage() delivers an empty image', async () => {
      const server = await serve({ body: new Uint8Array(0) });
      const download = downloadImage(source(server.url()));
      assert.equal((await drain(download)).length, 0);
      assert.equal(download.result.digest.hex, sha256(new Uint8Array(0)));
    });

    it('downloadImage() cancels promptly on abort, even during a stall', async () => {
      const server = await serve();
      server.plan({ stallAt: 1 * MiB });
      const controller = new AbortController();
      const rec = recorder();
      const download = downloadImage(source(server.url(), { stallTimeoutMs: 60_000 }), { signal: controller.signal, onEvent: rec.onEvent });
      let received = 0;
      const started = performance.now();
      await assert.rejects(
        (async () => {
          for await (const chunk of download) {
            received += chunk.length;
            if (received >= 1 * MiB) setTimeout(() => controller.abort(new Error('operator cancelled')), 50);
          }
        })(),
        { code: 'BYOI_DEPLOY_CANCELLED', message: 'The installation was cancelled' },
      );
      assert.ok(performance.now() - started < 2000);
      assert.deepEqual(rec.events.at(-1), { type: 'download.error', code: 'BYOI_DEPLOY_CANCELLED', message: 'The installation was cancelled' });
      await connectionsClosed(server);
    });

    it('downloadImage() cancels a backoff wait on abort', async () => {
      const server = await serve();
      server.always = { status: 503, retryAfter: '30' };
      const controller = new AbortController();
      const download = downloadImage(source(server.url()), {
        signal: controller.signal,
        retry: { maxRetryAfterMs: 30_000 },
        onEvent: (event) => {
          if (event.type === 'download.retry') controller.abort();
        },
      });
      const started = performance.now();
      await assert.rejects(drain(download), { code: 'BYOI_DEPLOY_CANCELLED' });
      assert.ok(performance.now() - started < 1000);
    });

    it('downloadImage() drops the connection when the consumer stops reading', async () => {
      const server = await serve();
      const rec = recorder();
      const download = downloadImage(source(server.url()), { onEvent: rec.onEvent });
      for await (const chunk of download) {
        assert.ok(chunk.length > 0);
        break;
      }
      assert.equal(rec.events.at(-1)?.type, 'download.error');
      assert.throws(() => download.result, TypeError);
      assert.throws(() => download[Symbol.asyncIterator](), TypeError);
      await connectionsClosed(server);
    });

    it('downloadImage() checks its options before any request', async () => {
      const server = await serve();
      const src = source(server.url());
      assert.throws(() => downloadImage(src, { algorithm: 'crc32' as never }), RangeError);
      assert.throws(() => downloadImage(src, { retry: { maxAttempts: 0 } }), RangeError);
      assert.throws(() => downloadImage(src, { progressIntervalMs: -1 }), RangeError);
      assert.equal(server.requests.length, 0);
    });

    it('downloadImage() checks workerHashMinBytes before any request', async () => {
      const server = await serve();
      assert.throws(() => downloadImage(source(server.url()), { workerHashMinBytes: -1 }), RangeError);
      assert.equal(server.requests.length, 0);
    });
  });
}
