import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needTools, run, tempDir } from '../../helpers/tools.ts';
import { startControl, type ControlFixture } from '../control/helpers/control-fixture.ts';
import { sqliteLeg } from '../control/helpers/database-legs.ts';
import { seedReinstallPayload } from '../control/helpers/seed-payload.ts';
import { bootServicePlugin } from '../../../src/control/boot/boot-service-plugin.ts';
import { createGrubChainLoader } from '../../../src/control/boot/grub-chain-loader.ts';
import { updateServer } from '../../../src/control/store/servers-repo.ts';
import { parseReinstallBody } from '../../../src/contract/request/parse-reinstall-body.ts';

// Real boots under TCG: OVMF + Debian's iPXE ROM (efi-e1000.rom, a 2019 build) + user networking restricted to
// a guestfwd to the control plane on 127.0.0.1. They check what a real PXE client does with the scripts: the
// unknown-MAC message, and the UEFI disk boot through byoi's GRUB chain loader (this iPXE cannot sanboot a local
// disk under UEFI), with the right efiBootloaderPath and with a wrong one. The lab issue does the full journeys.

const ovmfCode = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const ovmfVars = '/usr/share/OVMF/OVMF_VARS_4M.fd';
const ipxeRom = '/usr/lib/ipxe/qemu/efi-e1000.rom';
const bootDeadlineMs = 90_000;

function firmwareMissing(): string | undefined {
  for (const file of [ovmfCode, ovmfVars, ipxeRom, '/usr/lib/grub/x86_64-efi/normal.mod']) {
    if (!existsSync(file)) return `${file} is missing (Debian packages ovmf, ipxe-qemu, grub-efi-amd64-bin)`;
  }
  return undefined;
}

/** Boots a VM until `until` shows up on its serial console (or the deadline); returns the console text. */
async function bootUntil(input: { dir: string; name: string; port: number; mac: string; disk?: string; until: RegExp }): Promise<string> {
  const serial = join(input.dir, `${input.name}.serial`);
  const vars = join(input.dir, `${input.name}.vars.fd`);
  copyFileSync(ovmfVars, vars);
  const args = [
    '-accel', 'tcg', '-machine', 'q35', '-m', '256', '-smp', '1', '-nodefaults', '-display', 'none', '-no-user-config',
    '-drive', `if=pflash,format=raw,readonly=on,file=${ovmfCode}`, '-drive', `if=pflash,format=raw,file=${vars}`,
    '-serial', `file:${serial}`,
    '-netdev', `user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:${input.port},bootfile=http://10.0.2.100/boot/ipxe/chain.ipxe`,
    '-device', `e1000,netdev=n0,romfile=${ipxeRom},mac=${input.mac},bootindex=1`,
  ];
  if (input.disk !== undefined) args.push('-drive', `if=none,id=d0,format=raw,snapshot=on,file=${input.disk}`, '-device', 'virtio-blk-pci,drive=d0,bootindex=2');
  const vm = spawn('qemu-system-x86_64', args, { stdio: 'ignore' });
  const started = Date.now();
  try {
    while (Date.now() - started < bootDeadlineMs) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const text = existsSync(serial) ? clean(readFileSync(serial, 'utf8')) : '';
      if (input.until.test(text)) return text;
      if (vm.exitCode !== null) break;
    }
    return existsSync(serial) ? clean(readFileSync(serial, 'utf8')) : '';
  } finally {
    vm.kill('SIGKILL');
  }
}

/** The serial console without terminal escapes and carriage returns. */
function clean(text: string): string {
  return text.replace(/\x1b\[[0-9;=?]*[A-Za-z]/g, '').replaceAll('\r', '');
}

/** A 40 MiB GPT disk whose ESP holds `efiPath`: an EFI program (GRUB) that prints a marker. */
async function diskWithLoader(dir: string, efiPath: string, marker: string): Promise<string> {
  const loader = await createGrubChainLoader({ cacheDir: join(dir, 'grub') }).build(`echo '${marker}'\nsleep 600\n`);
  const esp = join(dir, 'esp.img');
  const disk = join(dir, 'disk.img');
  run('mkfs.vfat', ['-C', esp, String(38 * 1024)]);
  const parts = efiPath.split('\\').filter(Boolean);
  for (let i = 1; i < parts.length; i++) run('mmd', ['-i', esp, `::/${parts.slice(0, i).join('/')}`]);
  run('mcopy', ['-i', esp, loader.path, `::/${parts.join('/')}`]);
  writeFileSync(disk, Buffer.alloc(0));
  run('truncate', ['-s', '40M', disk]);
  run('sgdisk', ['-n', '1:2048:+38M', '-t', '1:ef00', disk]);
  run('dd', [`if=${esp}`, `of=${disk}`, 'bs=1M', 'seek=1', 'conv=notrunc', 'status=none']);
  return disk;
}

let control: ControlFixture | undefined;
after(async () => control?.close());

test('Debian\'s iPXE under OVMF runs the boot service\'s scripts', { timeout: 240_000 }, async (t) => {
  if (!needTools(t, 'qemu-system-x86_64', 'grub-mkimage', 'sgdisk', 'mkfs.vfat', 'mcopy', 'mmd')) return;
  const missing = firmwareMissing();
  if (missing !== undefined) {
    if (process.env.CI === 'true') throw new Error(`CI must install the boot test firmware: ${missing}`);
    t.skip(missing);
    return;
  }
  const dir = tempDir(t, 'byoi-ipxe-');
  control = await startControl(sqliteLeg, {
    app: { plugins: [async (app) => bootServicePlugin({ boot: { ...app.byoiConfig.boot, retrySeconds: 30 }, dataDir: app.byoiConfig.dataDir })(app)] },
  });
  await control.tenant('acme');
  const port = Number(new URL(control.origin).port);
  const disk = await diskWithLoader(dir, '\\EFI\\test\\hello.efi', 'BYOI-TEST-DISK-LOADER-STARTED');

  const good = await control.server('acme', { mac: '52:54:00:b0:07:01' });
  await updateServer(control.store, good.id, { efiBootloaderPath: '\\EFI\\test\\hello.efi' });
  const wrong = await control.server('acme', { mac: '52:54:00:b0:07:02' });
  await updateServer(control.store, wrong.id, { efiBootloaderPath: '\\EFI\\debian\\grubx64.efi' });
  const task = await control.app.tasks.createInstallTask({ server: wrong, request: parseReinstallBody(seedReinstallPayload()), route: 'reinstall' });
  await control.app.tasks.claimNext('ipxe-boot-test');
  await control.app.tasks.transition(task.id, 'doing');
  await control.app.tasks.setStep(task.id, 'first-boot', 'doing');

  // Three VMs at once (one vCPU each) keep the whole check near a minute under TCG.
  const [unknown, booted, failed] = await Promise.all([
    bootUntil({ dir, name: 'unknown', port, mac: '52:54:00:b0:07:99', until: /asking again in 30 seconds/ }),
    bootUntil({ dir, name: 'good', port, mac: good.mac, disk, until: /BYOI-TEST-DISK-LOADER-STARTED/ }),
    bootUntil({ dir, name: 'wrong', port, mac: wrong.mac, disk, until: /the control plane recorded the failure|could not report/ }),
  ]);

  assert.match(unknown, /byoi: unknown MAC 52:54:00:b0:07:99: no server with this MAC address is registered/, unknown.slice(-2000));

  assert.match(booted, /Boot from SAN device 0x80 failed/, booted.slice(-3000));
  assert.match(booted, /byoi: found on \(hd0,gpt1\), starting it/);
  assert.match(booted, /BYOI-TEST-DISK-LOADER-STARTED/);

  assert.match(failed, /byoi: efiBootloaderPath \\EFI\\debian\\grubx64\.efi was not found on any disk/, failed.slice(-3000));
  assert.match(failed, /byoi: the control plane recorded the failure/);
  const ended = await control.app.tasks.get(task.id);
  assert.equal(ended?.status, 'customerError');
  assert.equal(ended?.errorCode, 'BYOI_BOOT_DISK_FAILED');
});
