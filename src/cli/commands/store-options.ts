import type { Command } from 'commander';

/** The flags that find a control plane's data, as addStoreOptions() declares them. */
export interface StoreFlags {
  config?: string;
  dataDir?: string;
  database?: string;
}

/**
 * Declares the options every control-plane command takes to find its data (serve and admin). Light on purpose:
 * the configuration itself is loaded by configFromFlags() (serve-options.ts) when a command runs.
 */
export function addStoreOptions(command: Command): Command {
  return command
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--data-dir <dir>', 'data directory (SQLite file, secret key) [./data]')
    .option('--database <url>', 'sqlite:PATH or postgres://user:password@host/db (or DATABASE_URL)');
}
