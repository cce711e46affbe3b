import { closeSync, ftruncateSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import type { Store } from '../store/open-store.ts';
import type { Account } from '../store/accounts-repo.ts';
import { registerServer } from '../fleet/server-admin.ts';
import { parseServerSpec } from '../fleet/server-spec.ts';
import type { Server } from '../fleet/server-model.ts';

export interface DemoFleetContext {
  store: Store;
  /** The demo account the servers belong to. */
  account: Account;
  config: Config;
  log: FastifyBaseLogger;
}

const GiB = 1024 ** 3;

/** One virtual server of the demo fleet; each disk becomes a sparse file. */
interface DemoServer {
  serviceName: string;
  displayName: string;
  mac: string;
  bootMode: 'uefi' | 'legacy';
  memorySizeMb: number;
  groups: Array<{ diskType: string; sizesGiB: number[] }>;
}

/** The demo fleet: one UEFI server with one disk, one legacy server, one with two disk groups of different sizes. */
export const demoServers: readonly DemoServer[] = [
  {
    serviceName: 'ns1001.byoi.demo',
    displayName: 'Demo UEFI server, one 16 GiB SSD',
    mac: '02:b0:01:00:10:01',
    bootMode: 'uefi',
    memorySizeMb: 16384,
    groups: [{ diskType: 'SSD', sizesGiB: [16] }],
  },
  {
    serviceName: 'ns1002.byoi.demo',
    displayName: 'Demo legacy BIOS server, one 8 GiB HDD',
    mac: '02:b0:01:00:10:02',
    bootMode: 'legacy',
    memorySizeMb: 8192,
    groups: [{ diskType: 'HDD', sizesGiB: [8] }],
  },
  {
    serviceName: 'ns1003.byoi.demo',
    displayName: 'Demo UEFI server, two disk groups: 2 x 12 GiB NVMe, 1 x 32 GiB HDD',
    mac: '02:b0:01:00:10:03',
    bootMode: 'uefi',
    memorySizeMb: 32768,
    groups: [
      { diskType: 'NVMe', sizesGiB: [12, 12] },
      { diskType: 'HDD', sizesGiB: [32] },
    ],
  },
];

/** The directory of the demo servers' disk files. */
export function demoDisksDir(dataDir: string): string {
  return resolve(dataDir, 'disks');
}

/**
 * Registers the demo fleet on first start: three virtual servers of the demo account, driven by the `local`
 * power driver, whose disks are sparse files in DATA_DIR/disks/ (they take no space until an image is written).
 * Called once, right after the demo account is created. Returns the servers.
 */
export async function seedDemoFleet(context: DemoFleetContext): Promise<Server[]> {
  const disksDir = demoDisksDir(context.config.dataDir);
  mkdirSync(disksDir, { recursive: true });
  const servers: Server[] = [];
  for (const demo of demoServers) {
    const diskGroups = demo.groups.map((group, groupIndex) => ({
      diskType: group.diskType,
      disks: group.sizesGiB.map((sizeGiB, diskIndex) => {
        const path = join(disksDir, `${demo.serviceName}-group${groupIndex + 1}-disk${diskIndex}.img`);
        ensureSparseFile(path, sizeGiB * GiB);
        return { sizeBytes: sizeGiB * GiB, path };
      }),
    }));
    const spec = parseServerSpec({
      serviceName: demo.serviceName,
      account: context.account.name,
      displayName: demo.displayName,
      mac: demo.mac,
      bootMode: demo.bootMode,
      memorySizeMb: demo.memorySizeMb,
      powerDriver: { name: 'local', config: {} },
      diskGroups,
      datacenter: 'demo',
    });
    servers.push(await registerServer(context.store, spec, new Map()));
  }
  context.log.info({ account: context.account.name, servers: servers.map((s) => s.serviceName), disks: disksDir }, 'demo fleet registered');
  return servers;
}

/** Creates a sparse file of `size` bytes, or leaves an existing file of that size alone. */
function ensureSparseFile(path: string, size: number): void {
  try {
    if (statSync(path).size === size) return;
  } catch {
    // Not there yet.
  }
  const fd = openSync(path, 'w', 0o600);
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}
