import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labDataMac, labDiskSerial, labFirmwareFiles, qemuMachineArgs, type QemuMachineInput } from '../../../src/lab/qemu-machine-args.ts';
import type { LabServer } from '../../../src/lab/lab-state.ts';

function server(firmware: 'uefi' | 'bios', index = 3): LabServer {
  const dir = `/tmp/lab/lab${index}.byoi.lab`;
  return {
    serviceName: `lab${index}.byoi.lab`,
    index,
    mac: `52:54:00:b0:1a:0${index}`,
    firmware,
    memoryMiB: 1024,
    cpus: 2,
    diskSizeBytes: 8 * 1024 ** 3,
    dir,
    disk: `${dir}/disk.raw`,
    qmpSocket: `${dir}/qmp.sock`,
    serialLog: `${dir}/serial.log`,
    pidFile: `${dir}/qemu.pid`,
    sshPort: 40022,
  };
}

function input(firmware: 'uefi' | 'bios'): QemuMachineInput {
  const s = server(firmware);
  return {
    server: s,
    accelerator: 'tcg',
    controlCommand: "sh -c 'exec node bridge.mjs 127.0.0.1 8443 tls /tmp/ca,1.pem 2>/dev/null'",
    forwards: [{ guestAddress: '10.0.2.101', guestPort: 80, hostPort: 8000, command: "sh -c 'exec node bridge.mjs 127.0.0.1 8000 2>/dev/null'" }],
    varsFile: `${s.dir}/vars.fd`,
    serconPortFile: `${s.dir}/sercon-port.bin`,
    stopped: true,
  };
}

/** The values of every `-flag value` pair with this flag. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] as string] : []));
}

test('qemuMachineArgs() keeps both user networks restricted, forwarding only to and from 127.0.0.1', () => {
  for (const firmware of ['uefi', 'bios'] as const) {
    const netdevs = values(qemuMachineArgs(input(firmware)), '-netdev');
    assert.equal(netdevs.length, 2);
    for (const netdev of netdevs) {
      assert.match(netdev, /^user,id=net[01],restrict=on,/);
      assert.match(netdev, /guestfwd=tcp:10\.0\.2\.100:80-cmd:sh -c 'exec node bridge\.mjs 127\.0\.0\.1 8443 tls \/tmp\/ca,,1\.pem 2>\/dev\/null'/, 'commas doubled');
      assert.match(netdev, /guestfwd=tcp:10\.0\.2\.101:80-cmd:sh -c 'exec node bridge\.mjs 127\.0\.0\.1 8000/);
      for (const forward of netdev.match(/hostfwd=[^,]+/g) ?? []) assert.equal(forward, 'hostfwd=tcp:127.0.0.1:40022-:22');
    }
    assert.match(netdevs[0] as string, /bootfile=http:\/\/10\.0\.2\.100\/boot\/ipxe\/chain\.ipxe$/, 'DHCP hands iPXE the chain script');
    assert.doesNotMatch(netdevs[0] as string, /hostfwd/, 'SSH goes to the NIC the installed system drives');
    assert.match(netdevs[1] as string, /hostfwd=tcp:127\.0\.0\.1:40022-:22/);
  }
});

test('qemuMachineArgs() boots the e1000 iPXE NIC first, then the disk, with the firmware of the server', () => {
  const uefi = qemuMachineArgs(input('uefi'));
  const devices = values(uefi, '-device');
  assert.deepEqual(devices, [
    `e1000,netdev=net0,mac=52:54:00:b0:1a:03,romfile=${labFirmwareFiles.uefiNicRom},bootindex=1`,
    `virtio-net-pci,netdev=net1,mac=${labDataMac({ index: 3 })},romfile=`,
    `virtio-blk-pci,drive=disk0,serial=${labDiskSerial({ index: 3 })},bootindex=2`,
  ]);
  assert.deepEqual(values(uefi, '-machine'), ['q35']);
  assert.deepEqual(values(uefi, '-drive').slice(0, 2), [
    `if=pflash,format=raw,readonly=on,file=${labFirmwareFiles.ovmfCode}`,
    'if=pflash,format=raw,file=/tmp/lab/lab3.byoi.lab/vars.fd',
  ]);
  assert.deepEqual(values(uefi, '-accel'), ['tcg,thread=multi']);
  assert.ok(uefi.includes('-S'), 'powered off until the first power action');

  const bios = qemuMachineArgs(input('bios'));
  assert.deepEqual(values(bios, '-machine'), ['pc']);
  assert.match(values(bios, '-device')[0] as string, new RegExp(`romfile=${labFirmwareFiles.biosNicRom}`));
  assert.deepEqual(values(bios, '-fw_cfg'), ['name=etc/sercon-port,file=/tmp/lab/lab3.byoi.lab/sercon-port.bin']);
  assert.ok(!values(bios, '-drive').some((drive) => drive.startsWith('if=pflash')));
});

test('labDiskSerial() fits virtio-blk serial numbers (20 bytes)', () => {
  assert.equal(labDiskSerial({ index: 255 }), 'byoi-lab-255');
  assert.ok(Buffer.byteLength(labDiskSerial({ index: 99999 })) <= 20);
});
