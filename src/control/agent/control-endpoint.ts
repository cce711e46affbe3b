import type { Server as HttpServer } from 'node:http';
import { Server as TlsServer } from 'node:tls';

/**
 * Where an installer running inside this process (the `local` power driver's) reaches the control plane: its own
 * listening socket over loopback. Known once the app listens; the agent routes plugin attaches the server.
 */
export interface ControlEndpoint {
  attach(server: HttpServer): void;
  /** Resolves with the loopback URL (and the CA to trust for TLS) once the server listens. */
  ready(): Promise<{ url: string; ca?: string }>;
}

/**
 * @param host the configured listening address: 0.0.0.0 and :: are reached through 127.0.0.1 and ::1
 * @param ca the CA that signed the server's certificate (dev TLS: DATA_DIR/dev-ca.pem), read when needed
 */
export function createControlEndpoint(options: { host: string; ca?: () => string | undefined }): ControlEndpoint {
  let server: HttpServer | null = null;
  let waiters: Array<() => void> = [];
  const resolveUrl = (): { url: string; ca?: string } => {
    const address = (server as HttpServer).address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const tls = server instanceof TlsServer;
    const host = loopbackHost(options.host);
    const ca = tls ? options.ca?.() : undefined;
    return { url: `${tls ? 'https' : 'http'}://${host}:${port}`, ...(ca === undefined ? {} : { ca }) };
  };
  return {
    attach(attached) {
      server = attached;
      const wake = () => {
        const pending = waiters;
        waiters = [];
        for (const waiter of pending) waiter();
      };
      if (attached.listening) wake();
      else attached.once('listening', wake);
    },
    async ready() {
      if (server === null || !server.listening) await new Promise<void>((resolve) => waiters.push(resolve));
      return resolveUrl();
    },
  };
}

function loopbackHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
