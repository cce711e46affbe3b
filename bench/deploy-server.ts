// The deploy benchmark's HTTP server: Debian's busybox httpd in its own process, serving the image cache from the
// page cache with sendfile(), Range, ETag and Last-Modified. A small C server costs the two cores less than a Node
// or Python one would, so every method (curl and byoi alike) sees the same, nearly free, server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface BenchServer {
  /** URL of a file of the served directory. */
  url(name: string): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export async function startBenchServer(directory: string): Promise<BenchServer> {
  if (spawnSync('busybox', ['httpd', '--help'], { stdio: 'ignore' }).error !== undefined) {
    throw new Error('the deploy benchmark serves its images with busybox httpd: apt-get install busybox');
  }
  const port = await freePort();
  const child: ChildProcess = spawn('busybox', ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', directory], { stdio: 'ignore' });
  const origin = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    if (spawnSync('curl', ['-s', '-o', '/dev/null', '-I', `${origin}/`]).status === 0) break;
    if (attempt > 50 || child.exitCode !== null) throw new Error(`busybox httpd did not start on ${origin}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: (name) => `${origin}/${encodeURIComponent(name)}`,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
