import { closeSync, copyFileSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ByoiError } from '../contract/errors/byoi-error.ts';
import type { Config } from '../control/config/config-schema.ts';
import { demoAccountName, demoCredentialsFileName } from '../control/demo/ensure-demo-account.ts';
import { registerServer } from '../control/fleet/server-admin.ts';
import { parseServerSpec } from '../control/fleet/server-spec.ts';
import { openControlStore } from '../control/open-control-store.ts';
import { createQemuDriver } from '../control/power/qemu-driver.ts';
import { findAccountByName } from '../control/store/accounts-repo.ts';
import { findServerByName } from '../control/store/servers-repo.ts';
import { runTool } from './_run-tool.ts';
import { guestForwardBridgeSource } from './guest-forward-bridge.ts';
import { labDir, readLabState, writeLabState, type LabFirmware, type LabForward, type LabServer, type LabState } from './lab-state.ts';
import { isLabServerRunning } from './lab-processes.ts';
import { probeAccelerator } from './probe-accelerator.ts';
import { labDiskSerial, labFirmwareFiles, labSerconPort, qemuMachineArgs } from './qemu-machine-args.ts';

export interface LabUpOptions {
  config: Config;
  /** How many servers the lab should have; existing ones are kept (and started again when stopped). @default 1 */
  servers?: number;
  /** Firmware of new servers, in turn: ['uefi', 'bios'] makes lab1 UEFI, lab2 BIOS, lab3 UEFI... @default ['uefi'] */
  firmware?: LabFirmware[];
  /** Sparse disk of new servers. @default 8 GiB */
  diskSizeBytes?: number;
  /** RAM of new servers. @default 1024 MiB (the rescue system unpacks about 130 MiB and runs Node.js) */
  memoryMiB?: number;
  /** The control plane's origin on this host; default: apiUrl of DATA_DIR/demo-credentials.json. */
  control?: string;
  /** PEM file of the CA of an https control plane; default DATA_DIR/dev-ca.pem. */
  controlCa?: string;
  /** Extra guest forwards (an image server): guest address:port → 127.0.0.1:port. */
  forwards?: LabForward[];
  /** Start new and stopped servers powered off (QEMU -S): the first power action starts them. */
  stopped?: boolean;
  /** The account owning new servers. @default "demo" */
  account?: string;
  /** Accelerator, instead of probing: tests that know the answer save the probe. */
  accelerator?: 'kvm' | 'tcg';
  log?: (line: string) => void;
}

export interface LabUpResult {
  state: LabState;
  started: string[];
  alreadyRunning: string[];
  acceleratorReason: string;
}

const GiB = 1024 ** 3;

/**
 * `byoi lab up`: virtual servers that boot like physical ones, registered in the control plane of the same data
 * directory (owned by the demo account, `qemu` power driver). Each has a sparse disk, OVMF or SeaBIOS, an iPXE NIC
 * ROM first in the boot order, user-mode networking restricted to the forwards (the control plane as
 * http://10.0.2.100, an SSH port on 127.0.0.1), a QMP socket and a serial log under DATA_DIR/lab/NAME/.
 * Idempotent: servers that exist are started again if stopped, missing ones are created.
 *
 * @throws ByoiError BYOI_LAB_FAILED, BYOI_LAB_TOOL_FAILED
 */
export async function labUp(options: LabUpOptions): Promise<LabUpResult> {
  const log = options.log ?? (() => undefined);
  const dataDir = options.config.dataDir;
  for (const [file, pkg] of [
    [labFirmwareFiles.ovmfCode, 'ovmf'],
    [labFirmwareFiles.ovmfVars, 'ovmf'],
    [labFirmwareFiles.uefiNicRom, 'ipxe-qemu'],
    [labFirmwareFiles.biosNicRom, 'ipxe-qemu'],
  ] as const) {
    if (!existsSync(file)) throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `${file} is missing (Debian package ${pkg})` });
  }
  await runTool('qemu-system-x86_64', ['--version']).catch((error: unknown) => {
    throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: 'qemu-system-x86_64 is not installed (Debian package qemu-system-x86)' }, { cause: error });
  });

  const previous = readLabState(dataDir);
  const control = resolveControl(options, previous);
  let acceleratorReason: string;
  let accelerator = previous?.accelerator;
  if (options.accelerator !== undefined) {
    accelerator = options.accelerator;
    acceleratorReason = 'chosen by the caller';
  } else if (accelerator === undefined) {
    const probe = await probeAccelerator();
    accelerator = probe.accelerator;
    acceleratorReason = probe.reason;
  } else {
    acceleratorReason = 'as probed when the lab was created';
  }
  log(`accelerator: ${accelerator} (${acceleratorReason})`);

  const dir = labDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const bridge = join(dir, 'guest-forward-bridge.mjs');
  writeFileSync(bridge, guestForwardBridgeSource);
  const forwards = options.forwards ?? previous?.forwards ?? [];
  const state: LabState = { control, forwards, accelerator, servers: [...(previous?.servers ?? [])] };

  const wanted = Math.max(options.servers ?? 1, state.servers.length);
  const firmwares = options.firmware !== undefined && options.firmware.length > 0 ? options.firmware : ['uefi' as const];
  for (let index = state.servers.length + 1; index <= wanted; index++) {
    const firmware = firmwares[(index - 1) % firmwares.length] as LabFirmware;
    state.servers.push(await newServer(dir, index, firmware, options.diskSizeBytes ?? 8 * GiB, options.memoryMiB ?? 1024, state.servers));
  }
  writeLabState(dataDir, state);

  await registerLabServers(options.config, state.servers, options.account ?? demoAccountName);

  const started: string[] = [];
  const alreadyRunning: string[] = [];
  for (const server of state.servers) {
    if (isLabServerRunning(server)) {
      alreadyRunning.push(server.serviceName);
      continue;
    }
    await startMachine(server, state, bridge, options.stopped === true);
    started.push(server.serviceName);
    log(`started ${server.serviceName} (${server.firmware}, ${server.mac}, ssh 127.0.0.1:${server.sshPort})${options.stopped === true ? ' powered off' : ''}`);
  }
  return { state, started, alreadyRunning, acceleratorReason };
}

/** Where the guests' forward reaches the control plane, and the CA of an https one. */
function resolveControl(options: LabUpOptions, previous: LabState | undefined): LabState['control'] {
  let url = options.control;
  if (url === undefined && previous !== undefined && options.controlCa === undefined) return previous.control;
  if (url === undefined) {
    const credentials = join(options.config.dataDir, demoCredentialsFileName);
    if (!existsSync(credentials)) {
      throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `no --control URL and no ${credentials}: start byoi serve on this data directory first` });
    }
    url = (JSON.parse(readFileSync(credentials, 'utf8')) as { apiUrl: string }).apiUrl;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `the control plane URL ${url} is not a URL` });
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) {
    throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `the control plane must listen on 127.0.0.1 for the lab (got ${parsed.host})` });
  }
  const origin = `${parsed.protocol}//127.0.0.1:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
  if (parsed.protocol !== 'https:') return { url: origin, ca: null };
  const ca = options.controlCa ?? join(options.config.dataDir, 'dev-ca.pem');
  if (!existsSync(ca)) throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `the control plane serves https and its CA ${ca} is missing (--control-ca)` });
  return { url: origin, ca };
}

async function newServer(dir: string, index: number, firmware: LabFirmware, diskSizeBytes: number, memoryMiB: number, others: LabServer[]): Promise<LabServer> {
  const serviceName = `lab${index}.byoi.lab`;
  const serverDir = join(dir, serviceName);
  mkdirSync(serverDir, { recursive: true });
  const used = new Set(others.map((s) => s.sshPort));
  let sshPort = await freeLoopbackPort();
  while (used.has(sshPort)) sshPort = await freeLoopbackPort();
  const server: LabServer = {
    serviceName,
    index,
    // 52:54:00 is QEMU's prefix; b0:1a:NN numbers the lab's servers.
    mac: `52:54:00:b0:1a:${index.toString(16).padStart(2, '0')}`,
    firmware,
    memoryMiB,
    cpus: 2,
    diskSizeBytes,
    dir: serverDir,
    disk: join(serverDir, 'disk.raw'),
    qmpSocket: join(serverDir, 'qmp.sock'),
    serialLog: join(serverDir, 'serial.log'),
    pidFile: join(serverDir, 'qemu.pid'),
    sshPort,
  };
  if (Buffer.byteLength(server.qmpSocket) > 100) {
    throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `the QMP socket path ${server.qmpSocket} is too long for a unix socket: use a shorter --data-dir` });
  }
  // An empty disk: a sparse file that takes no space until something is written.
  const fd = openSync(server.disk, 'w', 0o600);
  try {
    ftruncateSync(fd, diskSizeBytes);
  } finally {
    closeSync(fd);
  }
  if (firmware === 'uefi') copyFileSync(labFirmwareFiles.ovmfVars, join(serverDir, 'vars.fd'));
  return server;
}

/** Registers the lab's servers in the control plane of the data directory (once; the `qemu` driver, owned by `account`). */
async function registerLabServers(config: Config, servers: LabServer[], accountName: string): Promise<void> {
  const { store } = await openControlStore(config);
  try {
    if ((await findAccountByName(store, accountName)) === undefined) {
      throw new ByoiError('BYOI_LAB_FAILED', { action: 'register the servers of', reason: `the control plane has no account ${accountName}: start byoi serve on this data directory first (it creates the demo account)` });
    }
    const drivers = new Map([['qemu', createQemuDriver()]]);
    for (const server of servers) {
      const existing = await findServerByName(store, server.serviceName);
      if (existing !== undefined) {
        if (existing.mac !== server.mac) {
          throw new ByoiError('BYOI_LAB_FAILED', { action: 'register the servers of', reason: `${server.serviceName} is registered with MAC ${existing.mac}, the lab has ${server.mac}` });
        }
        continue;
      }
      const spec = parseServerSpec({
        serviceName: server.serviceName,
        account: accountName,
        displayName: `QEMU lab server ${server.index} (${server.firmware === 'uefi' ? 'UEFI, OVMF' : 'legacy BIOS, SeaBIOS'})`,
        mac: server.mac,
        bootMode: server.firmware === 'uefi' ? 'uefi' : 'legacy',
        memorySizeMb: server.memoryMiB,
        powerDriver: { name: 'qemu', config: { qmpSocket: server.qmpSocket } },
        diskGroups: [{ diskType: 'SSD', disks: [{ sizeBytes: server.diskSizeBytes, serial: labDiskSerial(server) }] }],
        datacenter: 'lab',
      });
      await registerServer(store, spec, drivers);
    }
  } finally {
    await store.close();
  }
}

/** Starts one machine's QEMU, daemonized; errors before it runs (a bad option, a missing file) are thrown. */
async function startMachine(server: LabServer, state: LabState, bridge: string, stopped: boolean): Promise<void> {
  rmSync(server.qmpSocket, { force: true });
  rmSync(server.pidFile, { force: true });
  const command = (port: number, ca: string | null) => {
    for (const path of [process.execPath, bridge, ...(ca === null ? [] : [ca])]) {
      if (/['\s]/.test(path)) throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `${path} has a quote or a blank: QEMU's guest forward command cannot carry it` });
    }
    return `sh -c 'exec ${process.execPath} ${bridge} 127.0.0.1 ${port}${ca === null ? '' : ` tls ${ca}`} 2>/dev/null'`;
  };
  const controlUrl = new URL(state.control.url);
  const args = qemuMachineArgs({
    server,
    accelerator: state.accelerator,
    controlCommand: command(Number(controlUrl.port), controlUrl.protocol === 'https:' ? state.control.ca : null),
    forwards: state.forwards.map((forward) => ({ ...forward, command: command(forward.hostPort, null) })),
    varsFile: join(server.dir, 'vars.fd'),
    serconPortFile: join(server.dir, 'sercon-port.bin'),
    stopped,
  });
  writeFileSync(join(server.dir, 'sercon-port.bin'), labSerconPort);
  writeFileSync(join(server.dir, 'qemu.args'), `${args.join('\n')}\n`);
  try {
    await runTool('qemu-system-x86_64', args, { timeoutMs: 60_000 });
  } catch (error) {
    throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `QEMU of ${server.serviceName} did not start: ${(error as { params?: { reason?: string } }).params?.reason ?? String(error)}` }, { cause: error });
  }
  if (!existsSync(server.pidFile) || statSync(server.pidFile).size === 0) {
    throw new ByoiError('BYOI_LAB_FAILED', { action: 'start', reason: `QEMU of ${server.serviceName} wrote no pid file` });
  }
}

/** A port nothing listens on at 127.0.0.1 right now. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
