import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { labDown } from '../../lab/lab-down.ts';
import type { LabFirmware, LabForward } from '../../lab/lab-state.ts';
import { labStatus } from '../../lab/lab-status.ts';
import { labUp } from '../../lab/lab-up.ts';
import { parseByteSize } from '../parse-byte-size.ts';
import { configFromFlags, type StoreFlags } from './serve-options.ts';

interface LabFlags extends StoreFlags {
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
 * directory (src/lab/). Thin: parse, call, print.
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
    .action(async (flags: LabFlags) => {
      const config = configFromFlags(flags);
      const result = await labUp({
        config,
        ...(flags.servers === undefined ? {} : { servers: positiveInteger('--servers', flags.servers) }),
        ...(flags.firmware === undefined ? {} : { firmware: parseFirmware(flags.firmware) }),
        ...(flags.diskSize === undefined ? {} : { diskSizeBytes: parseByteSize(flags.diskSize) }),
        ...(flags.memory === undefined ? {} : { memoryMiB: positiveInteger('--memory', flags.memory) }),
        ...(flags.control === undefined ? {} : { control: flags.control }),
        ...(flags.controlCa === undefined ? {} : { controlCa: resolve(flags.controlCa) }),
        ...(flags.forward === undefined || flags.forward.length === 0 ? {} : { forwards: flags.forward.map(parseForward) }),
        ...(flags.accel === undefined ? {} : { accelerator: parseAccel(flags.accel) }),
        stopped: flags.stopped === true,
        log: flags.json === true ? undefined : (line) => process.stderr.write(`byoi lab: ${line}\n`),
      });
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify({ ...(await labStatus(config.dataDir)), acceleratorReason: result.acceleratorReason, started: result.started })}\n`);
        return;
      }
      process.stdout.write(`lab: ${result.state.servers.length} server(s), ${result.state.accelerator.toUpperCase()} (${result.acceleratorReason}), control plane ${result.state.control.url}\n`);
      await printStatus(config.dataDir);
    });

  withStore(lab.command('status'))
    .description('List the lab servers: serviceName, MAC, firmware, QMP socket, SSH port, run state')
    .option('--json', 'print JSON')
    .action(async (flags: LabFlags) => {
      const config = configFromFlags(flags);
      if (flags.json === true) {
        process.stdout.write(`${JSON.stringify((await labStatus(config.dataDir)) ?? { servers: [] })}\n`);
        return;
      }
      await printStatus(config.dataDir);
    });

  withStore(lab.command('down'))
    .description('Stop the lab servers (disks stay; --purge removes them and unregisters the servers)')
    .option('--purge', 'also delete the lab directory and remove its servers from the control plane')
    .action(async (flags: LabFlags) => {
      const config = configFromFlags(flags);
      const result = await labDown(config, { purge: flags.purge === true });
      process.stdout.write(`stopped: ${result.stopped.join(', ') || 'none'}${flags.purge === true ? `; unregistered: ${result.unregistered.join(', ') || 'none'}` : ''}\n`);
    });
}

async function printStatus(dataDir: string): Promise<void> {
  const status = await labStatus(dataDir);
  if (status === undefined || status.servers.length === 0) {
    process.stdout.write('no lab servers in this data directory (byoi lab up)\n');
    return;
  }
  for (const server of status.servers) {
    process.stdout.write(
      `${server.serviceName}  ${server.firmware === 'uefi' ? 'UEFI  ' : 'legacy'}  ${server.mac}  ssh 127.0.0.1:${server.sshPort}  ${server.runState ?? 'not running'}  qmp ${server.qmpSocket}  console ${server.serialLog}\n`,
    );
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function usage(name: string, reason: string): ByoiError {
  return new ByoiError('BYOI_API_INVALID_VALUE', { name, reason });
}

function positiveInteger(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw usage(name, `${text} is not a positive integer`);
  return Number(text);
}

function parseFirmware(text: string): LabFirmware[] {
  return text.split(',').map((item) => {
    const value = item.trim();
    if (value !== 'uefi' && value !== 'bios') throw usage('--firmware', `${value} is not uefi or bios`);
    return value;
  });
}

function parseAccel(text: string): 'kvm' | 'tcg' {
  if (text !== 'kvm' && text !== 'tcg') throw usage('--accel', `${text} is not kvm or tcg`);
  return text;
}

/** "10.0.2.101:80=8000" → guest 10.0.2.101 port 80 to 127.0.0.1:8000. */
function parseForward(text: string): LabForward {
  const match = /^(10\.0\.2\.\d{1,3}):(\d{1,5})=(\d{1,5})$/.exec(text);
  if (match === null) throw usage('--forward', `${text} is not GUEST_ADDRESS:PORT=HOST_PORT with an address in 10.0.2.0/24`);
  return { guestAddress: match[1] as string, guestPort: Number(match[2]), hostPort: Number(match[3]) };
}
