// An image server that sends slowly (so a test can act while the agent writes), with HEAD, one-range Range
// requests and a strong ETag, as the deploy pipeline's HTTP source expects. Loopback only.
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SlowImageServer {
  url(path?: string): string;
  /** Bytes of image data sent so far (all requests). */
  readonly sent: number;
  close(): Promise<void>;
}

export async function startSlowImageServer(body: Uint8Array, options: { bytesPerSecond: number; chunkBytes?: number }): Promise<SlowImageServer> {
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
  const chunk = options.chunkBytes ?? 64 * 1024;
  const delayMs = Math.max(1, Math.round((chunk / options.bytesPerSecond) * 1000));
  const sockets = new Set<Socket>();
  let sent = 0;

  const send = async (res: ServerResponse, start: number, end: number) => {
    for (let at = start; at < end && !res.destroyed; at += chunk) {
      const piece = body.subarray(at, Math.min(end, at + chunk));
      await new Promise<void>((resolve) => res.write(piece, () => resolve()));
      sent += piece.length;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    res.end();
  };

  const server = createServer((req, res) => {
    const headers: Record<string, string | number> = { 'accept-ranges': 'bytes', etag, 'content-type': 'application/octet-stream' };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': body.length }).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range !== null && (ifRange === undefined || ifRange === etag)) {
      const start = Number(range[1]);
      const end = range[2] === '' ? body.length : Math.min(body.length, Number(range[2]) + 1);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { ...headers, 'content-length': end - start, 'content-range': `bytes ${start}-${end - 1}/${body.length}` });
      // Short range reads (the preflight's) go at full speed; the download is what is slow.
      if (end - start <= 8 * 1024 * 1024) {
        res.end(body.subarray(start, end));
        return;
      }
      void send(res, start, end);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': body.length });
    void send(res, 0, body.length);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path = '/image.raw') => `http://127.0.0.1:${port}${path}`,
    get sent() {
      return sent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
