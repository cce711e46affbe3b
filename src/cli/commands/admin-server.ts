import type { Command } from 'commander';

/** The options of `byoi admin server add`. */
export interface ServerAddFlags {
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

/** The options of `byoi admin server list`. */
export interface ServerListFlags {
  account?: string;
}

/** The options of `byoi admin server update`. */
export interface ServerUpdateFlags {
  spec: string;
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
    .action(async (serviceName: string | undefined, flags: ServerAddFlags, command: Command) => {
      const { addServerAction } = await import('./admin-server-actions.ts');
      await addServerAction(serviceName, flags, command);
    });
  server
    .command('list')
    .description('List servers')
    .option('--account <name>', 'only this account')
    .action(async (flags: ServerListFlags, command: Command) => {
      const { listServersAction } = await import('./admin-server-actions.ts');
      await listServersAction(flags, command);
    });
  server
    .command('show <serviceName>')
    .description('Show one server (never its power driver config)')
    .action(async (serviceName: string, _flags: unknown, command: Command) => {
      const { showServerAction } = await import('./admin-server-actions.ts');
      await showServerAction(serviceName, command);
    });
  server
    .command('update <serviceName>')
    .description('Change a server from a partial spec file (account, disks, power driver, ...)')
    .requiredOption('--spec <file>', 'YAML/JSON with the fields to change')
    .action(async (serviceName: string, flags: ServerUpdateFlags, command: Command) => {
      const { updateServerAction } = await import('./admin-server-actions.ts');
      await updateServerAction(serviceName, flags, command);
    });
  server
    .command('remove <serviceName>')
    .description('Remove a server (refused while a task runs on it)')
    .action(async (serviceName: string, _flags: unknown, command: Command) => {
      const { removeServerAction } = await import('./admin-server-actions.ts');
      await removeServerAction(serviceName, command);
    });
}
