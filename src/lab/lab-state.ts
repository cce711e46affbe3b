import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type LabFirmware = 'uefi' | 'bios';
export type LabAccelerator = 'kvm' | 'tcg';

/** One virtual server of the lab, as DATA_DIR/lab/state.json records it. */
export interface LabServer {
  serviceName: string;
  /** Position in the lab, from 1: names, MACs and the SSH port are derived from it. */
  index: number;
  mac: string;
  firmware: LabFirmware;
  memoryMiB: number;
  cpus: number;
  diskSizeBytes: number;
  /** This server's directory: disk.raw, vars.fd (UEFI), qmp.sock, serial.log, qemu.pid. */
  dir: string;
  disk: string;
  qmpSocket: string;
  serialLog: string;
  pidFile: string;
  /** The 127.0.0.1 port QEMU forwards to the guest's port 22. */
  sshPort: number;
}

/** The lab of one data directory. */
export interface LabState {
  /** The control plane the guests reach as http://10.0.2.100 (guestfwd). */
  control: { url: string; ca: string | null };
  /** Extra guest forwards: guest address and port → 127.0.0.1 port (an image server). */
  forwards: LabForward[];
  accelerator: LabAccelerator;
  servers: LabServer[];
}

export interface LabForward {
  guestAddress: string;
  guestPort: number;
  hostPort: number;
}

/** The lab's directory in a data directory. */
export function labDir(dataDir: string): string {
  return resolve(dataDir, 'lab');
}

const stateFile = 'state.json';

/** Reads DATA_DIR/lab/state.json, or undefined when the data directory has no lab. */
export function readLabState(dataDir: string): LabState | undefined {
  const path = join(labDir(dataDir), stateFile);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as LabState;
}

/** Writes DATA_DIR/lab/state.json atomically. */
export function writeLabState(dataDir: string, state: LabState): void {
  const dir = labDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const temporary = join(dir, `.${stateFile}.${process.pid}`);
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, join(dir, stateFile));
}
