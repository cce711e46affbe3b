import type { Command } from 'commander';
import { loadConfig } from '../../control/config/load-config.ts';
import type { Config } from '../../control/config/config-schema.ts';

/** The options every control-plane command takes to find its data (serve and admin). */
export function addStoreOptions(command: Command): Command {
  return command
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option('--data-dir <dir>', 'data directory (SQLite file, secret key) [./data]')
    .option('--database <url>', 'sqlite:PATH or postgres://user:password@host/db (or DATABASE_URL)');
}

export interface StoreFlags {
  config?: string;
  dataDir?: string;
  database?: string;
}

/** Loads the configuration from file, BYOI_* variables and the given flags (flag names as config keys). */
export function configFromFlags(flags: StoreFlags, more: Record<string, unknown> = {}): Config {
  return loadConfig({
    file: flags.config,
    env: process.env,
    flags: { dataDir: flags.dataDir, database: flags.database, ...more },
  });
}

/** "8080" → 8080; anything else is passed on for the schema to report. */
export function integerFlag(value: string | undefined): number | string | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : value;
}
