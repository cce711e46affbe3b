// A real HTTP(S) server on 127.0.0.1 that serves one image and misbehaves on purpose: cuts, stalls, resets,
// 5xx with Retry-After, no Range support, an image that changes between requests, lying lengths, redirect
// chains and loops, a required header, a refused HEAD. It records every request so tests can count resumes
// and check where secrets were sent. Reusable by the download, pipeline and agent tests.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { run } from './tools.ts';

/** What to do to one GET of the image. Offsets are image offsets, whatever range the request asked for. */
export interface RequestFault {
  /** Answer with this status and a small text body instead of the image (503, 429, 500...). */
  status?: number;
  /** Retry-After header sent with `status`. */
  retryAfter?: string;
  /** Close the connection cleanly (FIN) once the image offset reaches this byte: a premature end. */
  cutAt?: number;
  /** Reset the connection (RST) once the image offset reaches this byte. */
  resetAt?: number;
  /** Stop sending, but keep the connection open, once the image offset reaches this byte. */
  stallAt?: number;
  /** Announce this Content-Length instead of the true one (then still send the true bytes). */
  contentLength?: number;
  /** Answer this request with 200 and the whole image, whatever Range says. */
  ignoreRange?: boolean;
}

export interface ServerOptions {
  body: Uint8Array;
  /** Serve https with this key and certificate (see `createTestPki`). */
  tls?: { key: string; cert: string };
  /** Honour Range and If-Range. Default true; false also drops Accept-Ranges. */
  ranges?: boolean;
  /** Answer HEAD with this status instead of the image's headers. */
  headStatus?: number;
  /** Content-Length in HEAD answers: the true size by default, null for none, or a lie. */
  headSize?: number | null;
  /** Strong ETag by default (from the body's sha1); null for none. */
  etag?: string | null;
  lastModified?: string | null;
  /** How the body's end is marked. Default 'length'. */
  framing?: 'length' | 'chunked' | 'close';
  /** Answer 401 to any request without this exact header. */
  requireHeader?: { name: string; value: string };
  /** Path → redirect target (absolute or relative URL); other paths serve the image. */
  redirects?: Record<string, { location: string; status?: number }>;
  /** After this many GETs of the image, serve `body` with `etag` instead (the image changed on the server). */
  change?: { afterGets: number; body: Uint8Array; etag: string | null; lastModified?: string | null };
  /** Size of each write; default 64 KiB. */
  writeBytes?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Path with the query string. */
  target: string;
  headers: IncomingMessage['headers'];
  range: string | undefined;
  ifRange: string | undefined;
}

export interface MisbehavingServer {
  /** http(s)://127.0.0.1:<port> */
  readonly origin: string;
  url(path?: string): string;
  /** Every request in arrival order. */
  readonly requests: RecordedRequest[];
  /** GET requests of the image (not redirects, not refused by requireHeader). */
  imageGets(): RecordedRequest[];
  /** Faults for the next GETs of the image, consumed in order. */
  plan(...faults: RequestFault[]): void;
  /** Connections currently open to the server (a cancelled client must bring this to 0). */
  openConnections(): number;
  /** A fault applied to every GET of the image after the planned ones are used up. */
  always: RequestFault;
  options: ServerOptions;
  close(): Promise<void>;
}

export function defaultEtag(body: Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
}

const defaultLastModified = 'Mon, 01 Jan 2024 00:00:00 GMT';

/** Starts the server on 127.0.0.1, port 0. Close it in `after()`. */
export async function startMisbehavingServer(options: ServerOptions): Promise<MisbehavingServer> {
  const requests: RecordedRequest[] = [];
  const planned: RequestFault[] = [];
  const sockets = new Set<Socket>();
  let gets = 0;
  const state = { always: {} as RequestFault };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => res.destroy());
  };
  const server: Server = options.tls === undefined ? createHttpServer(handler) : createHttpsServer(options.tls, handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // TLS sockets are tracked through their underlying TCP socket above; errors from cut clients are expected.
  server.on('clientError', (_error, socket) => socket.destroy());

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const path = target.split('?')[0] ?? '/';
    requests.push({
      method: req.method ?? '',
      path,
      target,
      headers: req.headers,
      range: single(req.headers.range),
      ifRange: single(req.headers['if-range']),
    });
    const required = options.requireHeader;
    if (required !== undefined && req.headers[required.name.toLowerCase()] !== required.value) {
      res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    const redirect = options.redirects?.[path];
    if (redirect !== undefined) {
      res.writeHead(redirect.status ?? 302, { location: redirect.location }).end();
      return;
    }
    if (req.method === 'HEAD') return head(res);
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    gets += 1;
    const current = currentImage(gets);
    const fault = planned.shift() ?? state.always;
    if (fault.status !== undefined) {
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      res.writeHead(fault.status, headers).end(`status ${fault.status}\n`);
      return;
    }
    await get(req, res, current, fault);
  }

  function currentImage(getNumber: number): { body: Uint8Array; etag: string | null; lastModified: string | null } {
    const change = options.change;
    if (change !== undefined && getNumber > change.afterGets) {
      return { body: change.body, etag: change.etag, lastModified: change.lastModified ?? 'Tue, 02 Jan 2024 00:00:00 GMT' };
    }
    return {
      body: options.body,
      etag: options.etag === undefined ? defaultEtag(options.body) : options.etag,
      lastModified: options.lastModified === undefined ? defaultLastModified : options.lastModified,
    };
  }

  function head(res: ServerResponse): void {
    if (options.headStatus !== undefined) {
      res.writeHead(options.headStatus).end();
      return;
    }
    const current = currentImage(gets);
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    const size = options.headSize === undefined ? current.body.length : options.headSize;
    if (size !== null) headers['content-length'] = String(size);
    if (options.ranges !== false) headers['accept-ranges'] = 'bytes';
    if (current.etag !== null) headers.etag = current.etag;
    if (current.lastModified !== null) headers['last-modified'] = current.lastModified;
    res.writeHead(200, headers);
    res.end();
  }

  async function get(
    req: IncomingMessage,
    res: ServerResponse,
    image: { body: Uint8Array; etag: string | null; lastModified: string | null },
    fault: RequestFault,
  ): Promise<void> {
    const size = image.body.length;
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (image.etag !== null) headers.etag = image.etag;
    if (image.lastModified !== null) headers['last-modified'] = image.lastModified;
    let start = 0;
    let end = size;
    let status = 200;
    const range = single(req.headers.range);
    const ifRange = single(req.headers['if-range']);
    const rangesOn = options.ranges !== false && fault.ignoreRange !== true;
    if (rangesOn) headers['accept-ranges'] = 'bytes';
    const ifRangeHolds = ifRange === undefined || ifRange === image.etag || ifRange === image.lastModified;
    if (rangesOn && range !== undefined && ifRangeHolds) {
      const match = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (match !== null) {
        const first = Number(match[1]);
        const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
        if (first >= size) {
          res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
          return;
        }
        status = 206;
        start = first;
        end = last + 1;
        headers['content-range'] = `bytes ${first}-${last}/${size}`;
      }
    }
    const framing = options.framing ?? 'length';
    if (framing === 'length') headers['content-length'] = String(fault.contentLength ?? end - start);
    if (framing === 'close') {
      // No length and no chunking: the end of the body is the end of the connection (RFC 9112 §6.3 rule 8).
      res.useChunkedEncodingByDefault = false;
      res.shouldKeepAlive = false;
      headers.connection = 'close';
    }
    res.writeHead(status, headers);
    await writeBody(res, image.body, start, end, fault);
  }

  async function writeBody(res: ServerResponse, body: Uint8Array, start: number, end: number, fault: RequestFault): Promise<void> {
    const step = options.writeBytes ?? 64 * 1024;
    // The earliest fault inside this body wins; one at or before `start` strikes before the first byte.
    const triggers = [
      { kind: 'cut', at: fault.cutAt },
      { kind: 'reset', at: fault.resetAt },
      { kind: 'stall', at: fault.stallAt },
    ].filter((t): t is { kind: string; at: number } => t.at !== undefined && t.at < end);
    triggers.sort((a, b) => a.at - b.at);
    const trigger = triggers[0];
    const stopAt = trigger === undefined ? end : Math.max(start, trigger.at);
    let position = start;
    while (position < stopAt) {
      if (res.destroyed) return;
      const next = Math.min(stopAt, position + step);
      const flushed = new Promise<void>((resolve) => res.write(body.subarray(position, next), () => resolve()));
      position = next;
      if (position >= stopAt) await flushed;
      else if (res.writableNeedDrain) await drainOrClose(res);
    }
    if (trigger === undefined) {
      res.end();
      return;
    }
    const socket = res.socket;
    if (socket === null) return;
    if (trigger.kind === 'reset') socket.resetAndDestroy();
    else if (trigger.kind === 'cut') socket.end();
    // A stall leaves the response open; close() destroys the socket.
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;

  return {
    origin,
    url: (path = '/image.raw') => `${origin}${path}`,
    requests,
    imageGets: () =>
      requests.filter(
        (r) =>
          r.method === 'GET' &&
          options.redirects?.[r.path] === undefined &&
          (options.requireHeader === undefined || r.headers[options.requireHeader.name.toLowerCase()] === options.requireHeader.value),
      ),
    openConnections: () => sockets.size,
    plan: (...faults) => {
      planned.push(...faults);
    },
    get always() {
      return state.always;
    },
    set always(fault: RequestFault) {
      state.always = fault;
    },
    options,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce and images do not compress. */
export function pseudoRandomBytes(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < length; i += 1) out[i] = i & 0xff;
  return out;
}

export interface TestPki {
  /** PEM of the test CA: give it to the client as its extra CA. */
  caPem: string;
  /** Key and certificate for 127.0.0.1 and localhost, signed by the CA. */
  server: { key: string; cert: string };
  /** The same key with a certificate that expired in 2020, signed by the CA. */
  expired: { key: string; cert: string };
}

/** Makes a throw-away CA and server certificates with openssl in `dir` (call needTools(t, 'openssl') first). */
export function createTestPki(dir: string): TestPki {
  const file = (name: string): string => join(dir, name);
  run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('ca.key'),
    '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=byoi test CA']);
  run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('server.key'),
    '-out', file('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  run('openssl', ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.pem'), '-days', '2', '-extfile', file('san.ext')]);
  // `openssl x509` cannot backdate a certificate in OpenSSL 3.0; `openssl ca` can, with a minimal config.
  writeFileSync(file('index.txt'), '');
  writeFileSync(file('serial'), '1000\n');
  writeFileSync(
    file('ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      'default_md = sha256',
      'policy = anything',
      'unique_subject = no',
      'copy_extensions = none',
      '[anything]',
      'commonName = supplied',
      '[server]',
      'subjectAltName = IP:127.0.0.1,DNS:localhost',
      'basicConstraints = CA:FALSE',
      '',
    ].join('\n'),
  );
  run('openssl', ['ca', '-batch', '-config', file('ca.cnf'), '-keyfile', file('ca.key'), '-cert', file('ca.pem'), '-in', file('server.csr'),
    '-out', file('expired.pem'), '-notext', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extensions', 'server']);
  const read = (name: string): string => readFileSync(file(name), 'utf8');
  return {
    caPem: read('ca.pem'),
    server: { key: read('server.key'), cert: read('server.pem') },
    expired: { key: read('server.key'), cert: read('expired.pem') },
  };
}

/** Waits for 'drain' or 'close', removing both listeners afterwards (once() per write would pile them up). */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
