import type { LabAccelerator, LabForward, LabServer } from './lab-state.ts';

/** Debian's firmware files the lab boots with (packages ovmf and ipxe-qemu). */
export const labFirmwareFiles = {
  /** OVMF code, mapped read-only; each UEFI server gets its own writable copy of the variables. */
  ovmfCode: '/usr/share/OVMF/OVMF_CODE_4M.fd',
  ovmfVars: '/usr/share/OVMF/OVMF_VARS_4M.fd',
  /** iPXE for the e1000 NIC: the EFI ROM under OVMF; under SeaBIOS the legacy one (virtio-net's ROM never runs there). */
  uefiNicRom: '/usr/lib/ipxe/qemu/efi-e1000.rom',
  biosNicRom: '/usr/lib/ipxe/qemu/pxe-e1000.rom',
} as const;

/** The guest address the control plane answers on (guestfwd); iPXE gets http://10.0.2.100/boot/ipxe/chain.ipxe by DHCP. */
export const labControlAddress = '10.0.2.100';

export interface QemuMachineInput {
  server: LabServer;
  accelerator: LabAccelerator;
  /** The per-connection command QEMU runs for a guest connection to the control plane (guest-forward-bridge). */
  controlCommand: string;
  /** Extra forwards, each with its own per-connection command. */
  forwards: Array<LabForward & { command: string }>;
  /** The UEFI server's writable copy of the OVMF variables. */
  varsFile: string;
  /** For SeaBIOS: a file holding the serial port for its console, 0x3f8 as two little-endian bytes (labSerconPort). */
  serconPortFile: string;
  /** Start powered off (QMP `cont` or the qemu driver's reboot starts it). */
  stopped: boolean;
}

/**
 * The qemu-system-x86_64 command line of one lab server (pure). A machine that boots like a physical server:
 *
 *  - firmware: OVMF on q35 (read-only code + this server's variables) or SeaBIOS on pc;
 *  - the network first: an e1000 NIC with Debian's iPXE ROM at boot index 1, the disk (virtio-blk, a sparse raw
 *    file) at 2, so the boot service decides what boots on every boot, as at OVH; a second NIC (virtio-net) for
 *    the installed system;
 *  - user-mode networking with `restrict=on` (the guest reaches nothing but what is forwarded): DHCP hands iPXE
 *    the boot service's chain script; 10.0.2.100:80 is the control plane through a per-connection command; a
 *    127.0.0.1 port forwards to the guest's SSH (on the second NIC);
 *  - SeaBIOS with its serial console on, so iPXE's messages land in the serial log as OVMF's do;
 *  - a QMP socket for the `qemu` power driver, the serial console appended to a file, no display;
 *  - TCG (`-accel tcg,thread=multi -cpu max`) unless KVM was proven to work.
 *
 * QEMU option syntax doubles commas inside a value: the commands and paths are escaped that way.
 */
export function qemuMachineArgs(input: QemuMachineInput): string[] {
  const { server } = input;
  const uefi = server.firmware === 'uefi';
  // Two NICs, each on its own user-mode network with the same forwards: the boot NIC (e1000, the one iPXE ROM
  // that runs under both SeaBIOS and OVMF here, registered MAC) and the data NIC (virtio-net, no ROM), the one a
  // cloud kernel has a driver for (linux-image-cloud-amd64 has no e1000). The SSH forward is on the data NIC.
  const forwards = [
    `guestfwd=tcp:${labControlAddress}:80-cmd:${escape(input.controlCommand)}`,
    ...input.forwards.map((forward) => `guestfwd=tcp:${forward.guestAddress}:${forward.guestPort}-cmd:${escape(forward.command)}`),
  ];
  const bootNetdev = ['user', 'id=net0', 'restrict=on', ...forwards, `bootfile=http://${labControlAddress}/boot/ipxe/chain.ipxe`].join(',');
  const dataNetdev = ['user', 'id=net1', 'restrict=on', `hostfwd=tcp:127.0.0.1:${server.sshPort}-:22`, ...forwards].join(',');
  const args = [
    '-name', `${server.serviceName},debug-threads=on`,
    ...(input.accelerator === 'kvm' ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg,thread=multi', '-cpu', 'max']),
    '-smp', String(server.cpus),
    '-m', `${server.memoryMiB}M`,
    '-machine', uefi ? 'q35' : 'pc',
    '-nodefaults', '-no-user-config', '-display', 'none',
  ];
  if (uefi) {
    args.push(
      '-drive', `if=pflash,format=raw,readonly=on,file=${escape(labFirmwareFiles.ovmfCode)}`,
      '-drive', `if=pflash,format=raw,file=${escape(input.varsFile)}`,
    );
  } else {
    // SeaBIOS's serial console (etc/sercon-port, a little-endian port number): without a display, iPXE's and
    // the boot scripts' messages otherwise reach no log.
    args.push('-fw_cfg', `name=etc/sercon-port,file=${escape(input.serconPortFile)}`);
  }
  args.push(
    '-chardev', `file,id=serial0,path=${escape(server.serialLog)},append=on`,
    '-serial', 'chardev:serial0',
    '-netdev', bootNetdev,
    '-device', `e1000,netdev=net0,mac=${server.mac},romfile=${escape(uefi ? labFirmwareFiles.uefiNicRom : labFirmwareFiles.biosNicRom)},bootindex=1`,
    '-netdev', dataNetdev,
    '-device', `virtio-net-pci,netdev=net1,mac=${labDataMac(server)},romfile=`,
    '-drive', `if=none,id=disk0,format=raw,discard=unmap,file=${escape(server.disk)}`,
    // The serial is how the agent finds this disk (virtio-blk says "rotational", so a size and type match is unsure).
    '-device', `virtio-blk-pci,drive=disk0,serial=${labDiskSerial(server)},bootindex=2`,
    '-qmp', `unix:${escape(server.qmpSocket)},server=on,wait=off`,
    '-pidfile', server.pidFile,
    '-daemonize',
  );
  if (input.stopped) args.push('-S');
  return args;
}

/** The lab disk's serial (/sys/block/vda/serial in the guest), registered with the server: at most 20 bytes for virtio-blk. */
export function labDiskSerial(server: Pick<LabServer, 'index'>): string {
  return `byoi-lab-${server.index}`;
}

/** The data NIC's MAC: the boot NIC's (52:54:00:b0:1a:NN) with 1b in place of 1a. */
export function labDataMac(server: Pick<LabServer, 'index'>): string {
  return `52:54:00:b0:1b:${server.index.toString(16).padStart(2, '0')}`;
}

/** The content of the SeaBIOS sercon-port file: COM1 (0x3f8), little-endian. */
export const labSerconPort = Uint8Array.of(0xf8, 0x03);

function escape(value: string): string {
  return value.replaceAll(',', ',,');
}
