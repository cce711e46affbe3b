import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Store } from '../store/open-store.ts';
import { findAccountById, requireAccount } from '../store/accounts-repo.ts';
import { deleteServer, findServerByName, insertServer, updateServer, type ServerPatch } from '../store/servers-repo.ts';
import { findActiveTask } from '../store/tasks-repo.ts';
import type { PowerDriverRegistry } from '../power/power-driver.ts';
import type { Server } from './server-model.ts';
import { checkPowerDriver, normaliseDiskGroups, normaliseMac, type ServerSpec, type ServerSpecPatch } from './server-spec.ts';

/** The operator's view of a server: the client view plus fleet facts, never the power driver's config. */
export interface AdminServerView {
  serviceName: string;
  account: string;
  displayName: string;
  mac: string;
  bootMode: string;
  memorySizeMb: number;
  powerDriver: string;
  diskGroups: Server['diskGroups'];
  datacenter: string;
  ip: string | null;
  efiBootloaderPath: string | null;
  bootId: number;
  os: string;
  state: string;
  activeTaskId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** Registers a server for an account (operators only). @throws BYOI_ADMIN_NOT_FOUND, BYOI_ADMIN_CONFLICT, BYOI_API_INVALID_VALUE */
export async function registerServer(store: Store, spec: ServerSpec, drivers: PowerDriverRegistry): Promise<Server> {
  const account = await requireAccount(store, spec.account);
  return insertServer(store, {
    serviceName: spec.serviceName,
    accountId: account.id,
    displayName: spec.displayName ?? spec.serviceName,
    mac: normaliseMac(spec.mac),
    bootMode: spec.bootMode,
    memorySizeMb: spec.memorySizeMb,
    powerDriver: spec.powerDriver.name,
    powerConfig: checkPowerDriver(spec.powerDriver, drivers),
    diskGroups: normaliseDiskGroups(spec.diskGroups),
    datacenter: spec.datacenter,
    ip: spec.ip,
  });
}

export async function requireServerByName(store: Store, serviceName: string): Promise<Server> {
  const server = await findServerByName(store, serviceName);
  if (server === undefined) throw new ByoiError('BYOI_ADMIN_NOT_FOUND', { what: 'Server', name: serviceName });
  return server;
}

/** Changes a registered server. Moving it to another account or changing its disks waits for its task to end. */
export async function changeServer(store: Store, serviceName: string, patch: ServerSpecPatch, drivers: PowerDriverRegistry): Promise<Server> {
  const server = await requireServerByName(store, serviceName);
  const changes: ServerPatch = {};
  if (patch.account !== undefined) changes.accountId = (await requireAccount(store, patch.account)).id;
  if (patch.mac !== undefined) changes.mac = normaliseMac(patch.mac);
  if (patch.bootMode !== undefined) changes.bootMode = patch.bootMode;
  if (patch.memorySizeMb !== undefined) changes.memorySizeMb = patch.memorySizeMb;
  if (patch.powerDriver !== undefined) {
    changes.powerDriver = patch.powerDriver.name;
    changes.powerConfig = checkPowerDriver({ name: patch.powerDriver.name, config: patch.powerDriver.config ?? {} }, drivers);
  }
  if (patch.diskGroups !== undefined) changes.diskGroups = normaliseDiskGroups(patch.diskGroups);
  if (patch.displayName !== undefined) changes.displayName = patch.displayName;
  if (patch.datacenter !== undefined) changes.datacenter = patch.datacenter;
  if (patch.ip !== undefined) changes.ip = patch.ip;
  if (changes.accountId !== undefined || changes.diskGroups !== undefined) await refuseWhileBusy(store, server, 'change');
  await updateServer(store, server.id, changes);
  return requireServerByName(store, serviceName);
}

export async function removeServer(store: Store, serviceName: string): Promise<void> {
  const server = await requireServerByName(store, serviceName);
  await refuseWhileBusy(store, server, 'remove');
  await deleteServer(store, server.id);
}

export async function adminServerView(store: Store, server: Server): Promise<AdminServerView> {
  const account = await findAccountById(store, server.accountId);
  const active = await findActiveTask(store, server.id);
  return {
    serviceName: server.serviceName,
    account: account?.name ?? String(server.accountId),
    displayName: server.displayName,
    mac: server.mac,
    bootMode: server.bootMode,
    memorySizeMb: server.memorySizeMb,
    powerDriver: server.powerDriver,
    diskGroups: server.diskGroups,
    datacenter: server.datacenter,
    ip: server.ip,
    efiBootloaderPath: server.efiBootloaderPath,
    bootId: server.bootId,
    os: server.os,
    state: server.state,
    activeTaskId: active?.id ?? null,
    createdAt: server.createdAt,
    updatedAt: server.updatedAt,
  };
}

async function refuseWhileBusy(store: Store, server: Server, action: string): Promise<void> {
  const active = await findActiveTask(store, server.id);
  if (active !== undefined) {
    throw new ByoiError('BYOI_ADMIN_STATE', { action, what: 'server', name: server.serviceName, reason: `task ${active.id} (${active.function}) is ${active.status}` });
  }
}
