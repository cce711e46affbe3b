import type { Command } from 'commander';
import { addStoreOptions, type StoreFlags } from './store-options.ts';

/** The options of `byoi serve`, as commander gives them. */
export interface ServeFlags extends StoreFlags {
  host?: string;
  port?: string;
  workers?: string;
  devTls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  publicUrl?: string;
  logLevel?: string;
}

/** `byoi serve`: the control plane. Only this command listens; buildApp() builds. */
export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('Run the control plane: the OVH-compatible API on SQLite (default) or PostgreSQL')
    .option('--host <address>', 'address to listen on [127.0.0.1]')
    .option('--port <number>', 'TCP port [8080]')
    .option('--workers <n>', 'HTTP worker processes sharing the port, or auto (one per CPU) [1]')
    .option('--dev-tls', 'serve HTTPS with a local CA made in the data directory (DIR/dev-ca.pem)')
    .option('--tls-cert <file>', 'PEM certificate chain')
    .option('--tls-key <file>', 'PEM private key')
    .option('--public-url <origin>', 'origin clients use, e.g. https://byoi.example.net')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent [info]');
  addStoreOptions(command).action(async (flags: ServeFlags) => {
    const { serveAction } = await import('./serve-action.ts');
    await serveAction(flags);
  });
}
