import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool, needTools, tempDir } from '../../helpers/tools.ts';
import { createIpmiDriver } from '../../../src/control/power/ipmi-driver.ts';
import type { Server } from '../../../src/control/fleet/server-model.ts';

// Two kinds of check: the command line and error mapping against a fake ipmitool (a stand-in script that
// records its arguments and environment), and the real protocol against OpenIPMI's BMC simulator ipmi_sim
// (Debian package openipmi) driven by the real ipmitool, when both are installed.

const driver = createIpmiDriver();
const uefi = { serviceName: 'ns1.example', bootMode: 'uefi' } as Server;
const legacy = { serviceName: 'ns2.example', bootMode: 'legacy' } as Server;
const password = 'ipmi-secret-1';
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

test('ipmi driver: validateConfig() checks the address, user and numbers', () => {
  assert.deepEqual(driver.validateConfig({ address: '10.0.0.5', user: 'admin', password: 'p' }), {
    address: '10.0.0.5', port: 623, user: 'admin', password: 'p', interface: 'lanplus', timeoutSeconds: 5, retries: 2, tool: 'ipmitool',
  });
  assert.throws(() => driver.validateConfig({ address: 'https://10.0.0.5', user: 'u', password: 'p' }), { code: 'BYOI_API_INVALID_VALUE', message: /no scheme/ });
  assert.throws(() => driver.validateConfig({ address: '10.0.0.5', user: '-x', password: 'p' }), { message: /must not start with -/ });
  assert.throws(() => driver.validateConfig({ address: '10.0.0.5', user: 'u', password: 'p', port: 70000 }), { message: /port: must be an integer from 1 to 65535/ });
});

test('ipmi driver: the password goes in IPMI_PASSWORD, never on the command line (fake ipmitool)', async (t) => {
  const dir = tempDir(t, 'byoi-ipmi-');
  const log = join(dir, 'calls.log');
  const fake = join(dir, 'ipmitool');
  writeFileSync(
    fake,
    `#!/bin/sh\necho "ARGS $*" >> ${log}\necho "ENV $IPMI_PASSWORD" >> ${log}\ncase "$*" in\n*"bootparam get 5"*) printf ' - Boot Flag Valid\\n - BIOS EFI boot\\n - Boot Device Selector : Force PXE\\n';;\n*"power status"*) echo "Chassis Power is off";;\nesac\nexit 0\n`,
  );
  chmodSync(fake, 0o755);
  await driver.reboot(uefi, driver.validateConfig({ address: '10.0.0.5', user: 'admin', password, tool: fake, cipherSuite: 17 }), { next: 'network' });
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  const calls = lines.filter((line) => line.startsWith('ARGS ')).map((line) => line.slice(5));
  assert.deepEqual(calls, [
    '-v -I lanplus -H 10.0.0.5 -p 623 -U admin -E -N 5 -R 2 -C 17 chassis bootdev pxe options=efiboot',
    '-v -I lanplus -H 10.0.0.5 -p 623 -U admin -E -N 5 -R 2 -C 17 chassis bootparam get 5',
    '-v -I lanplus -H 10.0.0.5 -p 623 -U admin -E -N 5 -R 2 -C 17 chassis power status',
    '-v -I lanplus -H 10.0.0.5 -p 623 -U admin -E -N 5 -R 2 -C 17 chassis power on',
  ]);
  assert.ok(calls.every((call) => !call.includes(password)));
  assert.ok(lines.filter((line) => line.startsWith('ENV ')).every((line) => line === `ENV ${password}`));
});

test('ipmi driver: a missing ipmitool and a hanging one give clear errors', async (t) => {
  await assert.rejects(driver.reboot(legacy, driver.validateConfig({ address: '10.0.0.5', user: 'a', password, tool: '/nonexistent/ipmitool' }), { next: 'disk' }), {
    code: 'BYOI_POWER_TOOL_MISSING',
    message: 'Cannot run /nonexistent/ipmitool to control server ns2.example: not found (install the Debian package ipmitool)',
  });
  const dir = tempDir(t, 'byoi-ipmi-');
  const slow = join(dir, 'ipmitool');
  writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n');
  chmodSync(slow, 0o755);
  await assert.rejects(driver.reboot(legacy, driver.validateConfig({ address: '10.0.0.5', user: 'a', password, tool: slow, timeoutSeconds: 1, retries: 0 }), { next: 'disk' }), {
    code: 'BYOI_POWER_TIMEOUT',
  });
});

/** Starts OpenIPMI's ipmi_sim on a loopback UDP port with one admin user and a chassis script keeping power and boot device in files. */
async function startIpmiSim(dir: string): Promise<{ port: number; state: (name: string) => string | undefined; calls: () => string }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const chassis = join(dir, 'chassis.sh');
  writeFileSync(
    chassis,
    `#!/bin/sh\necho "$*" >> ${dir}/chassis.log\nshift\nop=$1; shift\nif [ "$op" = get ]; then for p in "$@"; do v=$(cat ${dir}/state.$p 2>/dev/null); [ -n "$v" ] || { [ "$p" = power ] && v=1 || v=default; }; echo "$p:$v"; done\nelse while [ $# -gt 1 ]; do echo "$2" > ${dir}/state.$1; shift 2; done; fi\n`,
  );
  chmodSync(chassis, 0o755);
  writeFileSync(
    join(dir, 'lan.conf'),
    [
      'name "byoitest"',
      'set_working_mc 0x20',
      '  startlan 1',
      `    addr 127.0.0.1 ${port}`,
      '    priv_limit admin',
      '    guid a123456789abcdefa123456789abcdef',
      '  endlan',
      `  console 127.0.0.1 ${port + 1}`,
      `  chassis_control "${chassis} 0x20"`,
      `  user 2 true "admin" "${password}" admin 10 md5 straight`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'emu.cmds'), 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n');
  const sim = spawn('ipmi_sim', ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'emu.cmds'), '-s', dir, '-n'], { stdio: 'ignore' });
  children.push(sim);
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    port,
    state: (name) => (existsSync(join(dir, `state.${name}`)) ? readFileSync(join(dir, `state.${name}`), 'utf8').trim() : undefined),
    calls: () => (existsSync(join(dir, 'chassis.log')) ? readFileSync(join(dir, 'chassis.log'), 'utf8') : ''),
  };
}

test('ipmi driver: against OpenIPMI\'s ipmi_sim with the real ipmitool', async (t) => {
  if (!hasTool('ipmi_sim') && process.env.CI !== 'true') {
    t.skip('ipmi_sim is not installed (Debian package openipmi)');
    return;
  }
  if (!needTools(t, 'ipmitool', 'ipmi_sim')) return;
  const dir = tempDir(t, 'byoi-ipmisim-');
  const sim = await startIpmiSim(dir);
  const config = driver.validateConfig({ address: '127.0.0.1', port: sim.port, user: 'admin', password, timeoutSeconds: 2, retries: 1, cipherSuite: 3 });

  assert.equal(await driver.powerState(legacy, config), 'on');
  await driver.reboot(legacy, config, { next: 'network' });
  assert.equal(sim.state('boot'), 'pxe');
  assert.match(sim.calls(), /set reset 1/);

  // ipmi_sim keeps the boot device but drops the EFI flag: the read-back catches it before any reset.
  const resetsBefore = sim.calls().split('set reset').length;
  await assert.rejects(driver.reboot(uefi, config, { next: 'network' }), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'BYOI_POWER_BOOT_OVERRIDE');
    assert.match((error as Error).message, /^The BMC of server ns1\.example accepted a one-time UEFI PXE boot but reads back Force PXE, BIOS PC Compatible \(legacy\) boot/);
    return true;
  });
  assert.equal(sim.calls().split('set reset').length, resetsBefore, 'no reset after the override did not hold');

  await driver.powerOff(legacy, config, { mode: 'force' });
  assert.equal(await driver.powerState(legacy, config), 'off');
  await driver.reboot(legacy, config, { next: 'disk' }); // off: power on
  assert.equal(await driver.powerState(legacy, config), 'on');

  await assert.rejects(driver.powerState(legacy, { ...config, password: 'wrong-password' }), (error: unknown) => {
    assert.equal((error as { code?: string }).code, 'BYOI_POWER_AUTH');
    assert.equal((error as Error).message, `The ipmi controller of server ns2.example at 127.0.0.1:${sim.port} refused the credentials of user admin`);
    return true;
  });
  await assert.rejects(driver.powerState(legacy, { ...config, user: 'nobody' }), { code: 'BYOI_POWER_AUTH' });
  await assert.rejects(driver.powerState(legacy, { ...config, port: sim.port + 7, timeoutSeconds: 1, retries: 1 }), { code: 'BYOI_POWER_UNREACHABLE' });
});
