// The customer's image server for the lab journeys: files of one directory on 127.0.0.1, behind HTTP Basic auth,
// with HEAD, Range and If-Range as a plain web server has them. Streams from disk (the raw image is 2 GiB, more
// than a Buffer read at once may hold). Records what was asked and whether the Authorization header came along.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, join } from 'node:path';

export interface ImageFileServer {
  port: number;
  /** Requests seen: method, path, Range header, status answered. The Authorization value is never kept. */
  requests: Array<{ method: string; path: string; range: string | null; status: number }>;
  close(): Promise<void>;
}

export async function startImageFileServer(dir: string, authorization: string): Promise<ImageFileServer> {
  const requests: ImageFileServer['requests'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const range = request.headers.range ?? null;
    const answer = (status: number, headers: Record<string, string | number> = {}) => {
      requests.push({ method: request.method ?? '', path, range, status });
      response.writeHead(status, headers);
    };
    if (request.headers.authorization !== authorization) {
      answer(401, { 'www-authenticate': 'Basic realm="images"' });
      return response.end();
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      answer(405);
      return response.end();
    }
    let size: number;
    let mtime: Date;
    try {
      const stat = statSync(join(dir, basename(path)));
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
      mtime = stat.mtime;
    } catch {
      answer(404);
      return response.end();
    }
    const file = join(dir, basename(path));
    const etag = `"${size.toString(16)}-${mtime.getTime().toString(16)}"`;
    const common = { 'accept-ranges': 'bytes', etag, 'last-modified': mtime.toUTCString() };
    const match = range === null ? null : /^bytes=(\d+)-(\d*)$/.exec(range);
    const ifRange = request.headers['if-range'];
    if (match !== null && (ifRange === undefined || ifRange === etag)) {
      const start = Number(match[1]);
      const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
      if (start >= size || start > end) {
        answer(416, { 'content-range': `bytes */${size}` });
        return response.end();
      }
      answer(206, { ...common, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
      if (request.method === 'HEAD') return response.end();
      createReadStream(file, { start, end, highWaterMark: 1 << 20 }).pipe(response);
      return;
    }
    answer(200, { ...common, 'content-length': size });
    if (request.method === 'HEAD') return response.end();
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
