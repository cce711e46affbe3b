import type { Command } from 'commander';
import type { StoreFlags } from './store-options.ts';

/** The options of `byoi lab up|status|down`, as commander gives them. */
export interface LabFlags extends StoreFlags {
  servers?: string;
  firmware?: string;
  diskSize?: string;
  memory?: string;
  control?: string;
  controlCa?: string;
  forward?: string[];
  stopped?: boolean;
  accel?: string;
  json?: boolean;
  purge?: boolean;
}

/**
 * `byoi lab up|status|down`: virtual servers in QEMU that PXE-boot from the control plane of the same data
 * directory (src/lab/). Options only: the implementation (lab-actions.ts) loads when a lab command runs.
 */
export function registerLab(program: Command): void {
  const lab = program.command('lab').description('QEMU virtual servers that boot like bare metal: firmware, iPXE, the byoi boot service');
  const withStore = (command: Command) =>
    command
      .option('--config <file>', 'configuration file (YAML or JSON)')
      .option('--data-dir <dir>', 'data directory of the control plane [./data]')
      .option('--database <url>', 'the control plane database [sqlite:DATA_DIR/byoi.db]');

  withStore(lab.command('up'))
    .description('Start the lab servers (created and registered in the control plane on first use)')
    .option('--servers <n>', 'number of servers [1]')
    .option('--firmware <list>', 'uefi or bios; a list (uefi,bios) is used in turn for new servers [uefi]')
    .option('--disk-size <size>', 'empty sparse disk of new servers, e.g. 8G [8G]')
    .option('--memory <MiB>', 'RAM of new servers in MiB [1024]')
    .option('--control <url>', 'the control plane on 127.0.0.1 [apiUrl of DATA_DIR/demo-credentials.json]')
    .option('--control-ca <file>', 'CA of an https control plane [DATA_DIR/dev-ca.pem]')
    .option('--forward <guest=port>', 'also forward a guest address to 127.0.0.1:port, e.g. 10.0.2.101:80=8000 (repeatable)', collect, [])
    .option('--stopped', 'start the machines powered off: the first power action (an install) starts them')
    .option('--accel <kvm|tcg>', 'skip the KVM probe')
    .option('--json', 'print the lab as JSON')
    .action(async (flags: LabFlags) => (await import('./lab-actions.ts')).labUpAction(flags));

  withStore(lab.command('status'))
    .description('List the lab servers: serviceName, MAC, firmware, QMP socket, SSH port, run state')
    .option('--json', 'print JSON')
    .action(async (flags: LabFlags) => (await import('./lab-actions.ts')).labStatusAction(flags));

  withStore(lab.command('down'))
    .description('Stop the lab servers (disks stay; --purge removes them and unregisters the servers)')
    .option('--purge', 'also delete the lab directory and remove its servers from the control plane')
    .action(async (flags: LabFlags) => (await import('./lab-actions.ts')).labDownAction(flags));
}


function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
