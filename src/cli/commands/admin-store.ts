import type { Command } from 'commander';
import { openControlStore } from '../../control/open-control-store.ts';
import type { Store } from '../../control/store/open-store.ts';
import { configFromFlags } from './serve-options.ts';
import type { StoreFlags } from './store-options.ts';

/** Runs `work` with the store of the admin command's --config/--data-dir/--database, then closes it. */
export async function withAdminStore<T>(command: Command, work: (store: Store) => Promise<T>): Promise<T> {
  const config = configFromFlags(command.optsWithGlobals<StoreFlags>());
  const { store } = await openControlStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Where admin commands print; tests that run the CLI in-process replace `write`. */
export const adminOutput = { write: (text: string): void => void process.stdout.write(text) };

/** Prints a value as indented JSON (readable, and scripts can parse it). */
export function printJson(value: unknown): void {
  adminOutput.write(`${JSON.stringify(value, null, 2)}\n`);
}
