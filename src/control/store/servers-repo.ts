import type { Selectable } from 'kysely';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { ServersTable } from './database-schema.ts';
import { isUniqueViolation, type Store } from './open-store.ts';
import { nowIso } from './now-iso.ts';
import { perStore } from './per-store.ts';
import { firstRowReader, type FirstRowReader } from './first-row-reader.ts';
import { serverColumns } from './table-columns.ts';
import type { BootMode, DiskGroup, Server } from '../fleet/server-model.ts';

export interface NewServer {
  serviceName: string;
  accountId: number;
  displayName: string;
  mac: string;
  bootMode: BootMode;
  memorySizeMb: number;
  powerDriver: string;
  /** The driver's settings (BMC address, user, password...): stored encrypted, never returned by the API. */
  powerConfig: Record<string, unknown>;
  diskGroups: DiskGroup[];
  datacenter: string;
  ip: string | null;
}

const powerPurpose = 'servers.power_config';

export async function insertServer(store: Store, input: NewServer): Promise<Server> {
  const now = nowIso();
  try {
    const row = await store.db
      .insertInto('servers')
      .values({
        service_name: input.serviceName,
        account_id: input.accountId,
        display_name: input.displayName,
        mac: input.mac,
        boot_mode: input.bootMode,
        memory_size_mb: input.memorySizeMb,
        power_driver: input.powerDriver,
        power_config_enc: store.secrets.seal(JSON.stringify(input.powerConfig), powerPurpose),
        disk_groups: JSON.stringify(input.diskGroups),
        efi_bootloader_path: null,
        boot_id: 1,
        boot_script: null,
        os: 'none_64',
        state: 'ok',
        datacenter: input.datacenter,
        ip: input.ip,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toServer(row);
  } catch (error) {
    if (isUniqueViolation(error)) {
      if (await findServerByName(store, input.serviceName)) throw new ByoiError('BYOI_ADMIN_CONFLICT', { what: 'Server', name: input.serviceName });
      throw new ByoiError('BYOI_ADMIN_CONFLICT', { what: 'A server with MAC address', name: input.mac });
    }
    throw error;
  }
}

/** The server `serviceName` when `accountId` owns it; undefined otherwise (the caller answers 404 either way). */
export async function findServerForAccount(store: Store, accountId: number, serviceName: string): Promise<Server | undefined> {
  const row = await serverForAccountReader(store)([serviceName, accountId]);
  return row && toServer(row);
}

/**
 * On every signed server route: building this query costs more than running it, so its SQL is compiled once per
 * store and reused (parameters in the order of the where clauses).
 */
const serverForAccountReader = perStore((store): FirstRowReader<Selectable<ServersTable>> =>
  firstRowReader(store, serverForAccountQuery(store, '', 0).compile().sql),
);

function serverForAccountQuery(store: Store, serviceName: string, accountId: number) {
  return store.db.selectFrom('servers').select(serverColumns).where('service_name', '=', serviceName).where('account_id', '=', accountId);
}

export async function findServerByName(store: Store, serviceName: string): Promise<Server | undefined> {
  const row = await store.db.selectFrom('servers').selectAll().where('service_name', '=', serviceName).executeTakeFirst();
  return row && toServer(row);
}

export async function findServerById(store: Store, id: number): Promise<Server | undefined> {
  const row = await store.db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toServer(row);
}

/** For the boot service: the server a PXE client's MAC belongs to. */
export async function findServerByMac(store: Store, mac: string): Promise<Server | undefined> {
  const row = await store.db.selectFrom('servers').selectAll().where('mac', '=', mac.toLowerCase()).executeTakeFirst();
  return row && toServer(row);
}

export async function listServerNames(store: Store, accountId: number): Promise<string[]> {
  const rows = await store.db.selectFrom('servers').select('service_name').where('account_id', '=', accountId).orderBy('service_name').execute();
  return rows.map((row) => row.service_name);
}

export async function listServers(store: Store, filter: { accountId?: number } = {}): Promise<Server[]> {
  let query = store.db.selectFrom('servers').selectAll().orderBy('service_name');
  if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
  return (await query.execute()).map(toServer);
}

export interface ServerPatch {
  accountId?: number;
  displayName?: string;
  mac?: string;
  bootMode?: BootMode;
  memorySizeMb?: number;
  powerDriver?: string;
  powerConfig?: Record<string, unknown>;
  diskGroups?: DiskGroup[];
  efiBootloaderPath?: string | null;
  bootId?: number;
  bootScript?: string | null;
  os?: string;
  state?: string;
  datacenter?: string;
  ip?: string | null;
}

export async function updateServer(store: Store, id: number, patch: ServerPatch): Promise<void> {
  const set: Partial<Selectable<ServersTable>> = { updated_at: nowIso() };
  if (patch.accountId !== undefined) set.account_id = patch.accountId;
  if (patch.displayName !== undefined) set.display_name = patch.displayName;
  if (patch.mac !== undefined) set.mac = patch.mac;
  if (patch.bootMode !== undefined) set.boot_mode = patch.bootMode;
  if (patch.memorySizeMb !== undefined) set.memory_size_mb = patch.memorySizeMb;
  if (patch.powerDriver !== undefined) set.power_driver = patch.powerDriver;
  if (patch.powerConfig !== undefined) set.power_config_enc = store.secrets.seal(JSON.stringify(patch.powerConfig), powerPurpose);
  if (patch.diskGroups !== undefined) set.disk_groups = JSON.stringify(patch.diskGroups);
  if (patch.efiBootloaderPath !== undefined) set.efi_bootloader_path = patch.efiBootloaderPath;
  if (patch.bootId !== undefined) set.boot_id = patch.bootId;
  if (patch.bootScript !== undefined) set.boot_script = patch.bootScript;
  if (patch.os !== undefined) set.os = patch.os;
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.datacenter !== undefined) set.datacenter = patch.datacenter;
  if (patch.ip !== undefined) set.ip = patch.ip;
  try {
    await store.db.updateTable('servers').set(set).where('id', '=', id).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ByoiError('BYOI_ADMIN_CONFLICT', { what: 'A server with MAC address', name: patch.mac ?? '' });
    throw error;
  }
}

export async function deleteServer(store: Store, id: number): Promise<void> {
  await store.db.deleteFrom('servers').where('id', '=', id).execute();
}

/** The decrypted power driver config, for the power driver only. */
export async function readPowerConfig(store: Store, serverId: number): Promise<Record<string, unknown>> {
  const row = await store.db.selectFrom('servers').select('power_config_enc').where('id', '=', serverId).executeTakeFirst();
  if (row?.power_config_enc == null) return {};
  return JSON.parse(store.secrets.open(row.power_config_enc, powerPurpose)) as Record<string, unknown>;
}

/** A servers row as a Server. */
export function toServer(row: Selectable<ServersTable>): Server {
  return {
    id: row.id,
    serviceName: row.service_name,
    accountId: row.account_id,
    displayName: row.display_name,
    mac: row.mac,
    bootMode: row.boot_mode as BootMode,
    memorySizeMb: row.memory_size_mb,
    powerDriver: row.power_driver,
    diskGroups: JSON.parse(row.disk_groups) as DiskGroup[],
    efiBootloaderPath: row.efi_bootloader_path,
    bootId: row.boot_id,
    bootScript: row.boot_script,
    os: row.os,
    state: row.state,
    datacenter: row.datacenter,
    ip: row.ip,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
