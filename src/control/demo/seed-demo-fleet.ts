import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import type { Store } from '../store/open-store.ts';
import type { Account } from '../store/accounts-repo.ts';

export interface DemoFleetContext {
  store: Store;
  /** The demo account the servers belong to. */
  account: Account;
  config: Config;
  log: FastifyBaseLogger;
}

/**
 * Seam: registers the demo fleet on first start (three virtual servers with file-backed sparse disks in
 * DATA_DIR, driven by the `local` power driver: one UEFI, one legacy, one with two disk groups). The `local`
 * driver comes with the agent protocol; until then the demo account starts with an empty fleet.
 * Called once, right after the demo account is created.
 */
export async function seedDemoFleet(context: DemoFleetContext): Promise<void> {
  context.log.info({ account: context.account.name }, 'demo fleet: no local power driver yet, the demo account starts empty');
}
