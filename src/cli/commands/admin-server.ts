import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { requireAccount } from '../../control/store/accounts-repo.ts';
import { listServers } from '../../control/store/servers-repo.ts';
import { adminServerView, changeServer, registerServer, removeServer, requireServerByName } from '../../control/fleet/server-admin.ts';
import { parseServerSpec, ServerSpecPatchSchema, type ServerSpecPatch } from '../../control/fleet/server-spec.ts';
import { Value } from 'typebox/value';
import { printJson, withAdminStore } from './admin-store.ts';

interface AddFlags {
  spec?: string;
  account?: string;
  mac?: string;
  bootMode?: string;
  memoryMb?: string;
  powerDriver?: string;
  powerConfig?: string;
  disks?: string[];
  displayName?: string;
  datacenter?: string;
  ip?: string;
}

/** `byoi admin server add|list|show|update|remove`: the fleet. */
export function registerAdminServer(admin: Command): void {
  const server = admin.command('server').description('Servers of the fleet');
  server
    .command('add [serviceName]')
    .description('Register a server, from flags or from a YAML/JSON spec file (docs/API.md "Server spec")')
    .option('--spec <file>', 'spec file; flags given too override its fields')
    .option('--account <name>', 'owning account')
    .option('--mac <mac>', 'MAC address of the PXE interface')
    .option('--boot-mode <mode>', 'uefi or legacy')
    .option('--memory-mb <mb>', 'memory size in MB [4096]')
    .option('--power-driver <name>', 'local, qemu, redfish, ipmi or none')
    .option('--power-config <json>', 'driver settings as JSON, e.g. {"address":"10.0.0.5","user":"admin","password":"..."}')
    .option('--disks <group...>', 'one disk group per value: TYPE:SIZE[@PATH][,SIZE[@PATH]...], sizes in bytes or with K/M/G/T (powers of 1024)')
    .option('--display-name <name>', 'display name')
    .option('--datacenter <name>', 'datacenter label')
    .option('--ip <address>', 'primary IP address')
    .action(async (serviceName: string | undefined, flags: AddFlags, command: Command) => {
      const spec = parseServerSpec(specFromFlags(serviceName, flags));
      printJson(await withAdminStore(command, async (store) => adminServerView(store, await registerServer(store, spec, new Map()))));
    });
  server
    .command('list')
    .description('List servers')
    .option('--account <name>', 'only this account')
    .action(async (flags: { account?: string }, command: Command) => {
      printJson(
        await withAdminStore(command, async (store) => {
          const accountId = flags.account === undefined ? undefined : (await requireAccount(store, flags.account)).id;
          const servers = await listServers(store, accountId === undefined ? {} : { accountId });
          return Promise.all(servers.map((one) => adminServerView(store, one)));
        }),
      );
    });
  server
    .command('show <serviceName>')
    .description('Show one server (never its power driver config)')
    .action(async (serviceName: string, _flags: unknown, command: Command) => {
      printJson(await withAdminStore(command, async (store) => adminServerView(store, await requireServerByName(store, serviceName))));
    });
  server
    .command('update <serviceName>')
    .description('Change a server from a partial spec file (account, disks, power driver, ...)')
    .requiredOption('--spec <file>', 'YAML/JSON with the fields to change')
    .action(async (serviceName: string, flags: { spec: string }, command: Command) => {
      const patch = readSpecFile(flags.spec);
      if (!Value.Check(ServerSpecPatchSchema, patch)) {
        const first = [...Value.Errors(ServerSpecPatchSchema, patch)][0];
        throw new ByoiError('BYOI_API_INVALID_VALUE', { name: first?.instancePath || 'spec', reason: first?.message ?? 'is not valid' });
      }
      printJson(await withAdminStore(command, async (store) => adminServerView(store, await changeServer(store, serviceName, patch as ServerSpecPatch, new Map()))));
    });
  server
    .command('remove <serviceName>')
    .description('Remove a server (refused while a task runs on it)')
    .action(async (serviceName: string, _flags: unknown, command: Command) => {
      await withAdminStore(command, (store) => removeServer(store, serviceName));
      printJson({ removed: serviceName });
    });
}

function specFromFlags(serviceName: string | undefined, flags: AddFlags): Record<string, unknown> {
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
