import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { requireAccount } from '../../control/store/accounts-repo.ts';
import { listServers } from '../../control/store/servers-repo.ts';
import { adminServerView, changeServer, registerServer, removeServer, requireServerByName } from '../../control/fleet/server-admin.ts';
import { parseServerSpec, ServerSpecPatchSchema, type ServerSpecPatch } from '../../control/fleet/server-spec.ts';
import { Value } from 'typebox/value';
import type { ServerAddFlags, ServerListFlags, ServerUpdateFlags } from './admin-server.ts';
import { printJson, withAdminStore } from './admin-store.ts';

/** `byoi admin server add [serviceName]`: registers a server from its flags and/or spec file and prints it. */
export async function addServerAction(serviceName: string | undefined, flags: ServerAddFlags, command: Command): Promise<void> {
  const spec = parseServerSpec(specFromFlags(serviceName, flags));
  printJson(await withAdminStore(command, async (store) => adminServerView(store, await registerServer(store, spec, new Map()))));
}

/** `byoi admin server list`: prints the servers, of one account if asked. */
export async function listServersAction(flags: ServerListFlags, command: Command): Promise<void> {
  printJson(
    await withAdminStore(command, async (store) => {
      const accountId = flags.account === undefined ? undefined : (await requireAccount(store, flags.account)).id;
      const servers = await listServers(store, accountId === undefined ? {} : { accountId });
      return Promise.all(servers.map((one) => adminServerView(store, one)));
    }),
  );
}

/** `byoi admin server show <serviceName>`: prints one server (never its power driver config). */
export async function showServerAction(serviceName: string, command: Command): Promise<void> {
  printJson(await withAdminStore(command, async (store) => adminServerView(store, await requireServerByName(store, serviceName))));
}

/** `byoi admin server update <serviceName>`: applies a partial spec file and prints the server. */
export async function updateServerAction(serviceName: string, flags: ServerUpdateFlags, command: Command): Promise<void> {
  const patch = readSpecFile(flags.spec);
  if (!Value.Check(ServerSpecPatchSchema, patch)) {
    const first = [...Value.Errors(ServerSpecPatchSchema, patch)][0];
    throw new ByoiError('BYOI_API_INVALID_VALUE', { name: first?.instancePath || 'spec', reason: first?.message ?? 'is not valid' });
  }
  printJson(await withAdminStore(command, async (store) => adminServerView(store, await changeServer(store, serviceName, patch as ServerSpecPatch, new Map()))));
}

/** `byoi admin server remove <serviceName>`: removes a server (refused while a task runs on it). */
export async function removeServerAction(serviceName: string, command: Command): Promise<void> {
  await withAdminStore(command, (store) => removeServer(store, serviceName));
  printJson({ removed: serviceName });
}

function specFromFlags(serviceName: string | undefined, flags: ServerAddFlags): Record<string, unknown> {
  const spec: Record<string, unknown> = flags.spec === undefined ? {} : (readSpecFile(flags.spec) as Record<string, unknown>);
  if (serviceName !== undefined) spec.serviceName = serviceName;
  if (flags.account !== undefined) spec.account = flags.account;
  if (flags.mac !== undefined) spec.mac = flags.mac;
  if (flags.bootMode !== undefined) spec.bootMode = flags.bootMode;
  if (flags.memoryMb !== undefined) spec.memorySizeMb = /^\d+$/.test(flags.memoryMb) ? Number(flags.memoryMb) : flags.memoryMb;
  if (flags.powerDriver !== undefined || flags.powerConfig !== undefined) {
    const current = (spec.powerDriver ?? {}) as Record<string, unknown>;
    spec.powerDriver = { ...current, name: flags.powerDriver ?? current.name, config: flags.powerConfig === undefined ? (current.config ?? {}) : parseJson(flags.powerConfig, '--power-config') };
  }
  if (flags.disks !== undefined) spec.diskGroups = flags.disks.map(parseDiskGroup);
  if (flags.displayName !== undefined) spec.displayName = flags.displayName;
  if (flags.datacenter !== undefined) spec.datacenter = flags.datacenter;
  if (flags.ip !== undefined) spec.ip = flags.ip;
  return spec;
}

/** "NVMe:500G,500G@/var/lib/byoi/d2.img" → {diskType, disks}. */
function parseDiskGroup(text: string): Record<string, unknown> {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new ByoiError('BYOI_API_INVALID_VALUE', { name: '--disks', reason: `"${text}" is not TYPE:SIZE[,SIZE...]` });
  const disks = text
    .slice(colon + 1)
    .split(',')
    .map((item) => {
      const [size, path] = item.split('@') as [string, string | undefined];
      const disk: Record<string, unknown> = { sizeBytes: parseSize(size) };
      if (path !== undefined) disk[path.startsWith('/dev/') ? 'device' : 'path'] = path;
      return disk;
    });
  return { diskType: text.slice(0, colon), disks };
}

function parseSize(text: string): number {
  const match = /^(\d+)([KMGT])?(?:i?B)?$/i.exec(text.trim());
  if (match === null) throw new ByoiError('BYOI_API_INVALID_VALUE', { name: '--disks', reason: `"${text}" is not a size` });
  const power = { K: 1, M: 2, G: 3, T: 4 }[(match[2] ?? '').toUpperCase() as 'K'] ?? 0;
  return Number(match[1]) * 1024 ** power;
}

function readSpecFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? parseJson(text, path) : (parseYaml(text) as unknown);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ByoiError('BYOI_API_INVALID_VALUE', { name: where, reason: `is not JSON: ${(error as Error).message}` });
  }
}
