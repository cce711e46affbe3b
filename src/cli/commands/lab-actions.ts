import { resolve } from 'node:path';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { labDown } from '../../lab/lab-down.ts';
import type { LabFirmware, LabForward } from '../../lab/lab-state.ts';
import { labStatus } from '../../lab/lab-status.ts';
import { labUp } from '../../lab/lab-up.ts';
import { parseByteSize } from '../parse-byte-size.ts';
import type { LabFlags } from './lab.ts';
import { configFromFlags } from './serve-options.ts';

/** `byoi lab up`: parse, start, print. */
export async function labUpAction(flags: LabFlags): Promise<void> {
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
}

/** `byoi lab status`. */
export async function labStatusAction(flags: LabFlags): Promise<void> {
  const config = configFromFlags(flags);
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify((await labStatus(config.dataDir)) ?? { servers: [] })}\n`);
    return;
  }
  await printStatus(config.dataDir);
}

/** `byoi lab down [--purge]`. */
export async function labDownAction(flags: LabFlags): Promise<void> {
  const config = configFromFlags(flags);
  const result = await labDown(config, { purge: flags.purge === true });
  process.stdout.write(`stopped: ${result.stopped.join(', ') || 'none'}${flags.purge === true ? `; unregistered: ${result.unregistered.join(', ') || 'none'}` : ''}\n`);
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
