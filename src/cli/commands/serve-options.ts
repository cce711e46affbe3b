import { loadConfig } from '../../control/config/load-config.ts';
import type { Config } from '../../control/config/config-schema.ts';
import type { StoreFlags } from './store-options.ts';

// The flags themselves are declared in store-options.ts, which command registration imports without loading the
// configuration schema; the type is re-exported here for the commands that import it with configFromFlags().
export type { StoreFlags } from './store-options.ts';

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
