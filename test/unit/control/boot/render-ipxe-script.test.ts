import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderIpxeScript } from '../../../../src/control/boot/render-ipxe-script.ts';
import { isIpxeSafe, ipxeEcho } from '../../../../src/control/boot/ipxe-text.ts';

const cp = 'http://10.0.2.100';

test('renderIpxeScript() legacy disk keeps OVH\'s lines and makes a failure visible and reported', () => {
  assert.equal(
    renderIpxeScript({ kind: 'disk-legacy', reportUrl: `${cp}/boot/52-54-00-12-34-56/boot-failed` }),
    [
      '#!ipxe',
      'echo Boot first local hdd in LEGACY mode',
      'sanboot --no-describe --drive 0x80 || goto byoi_failed',
      ':byoi_failed',
      'echo byoi: the first local disk (drive 0x80) did not boot: no boot code on it, or the firmware hid it',
      `imgfetch --name byoi-report ${cp}/boot/52-54-00-12-34-56/boot-failed?reason=legacy-sanboot-failed || goto byoi_report_failed`,
      'imgfree byoi-report ||',
      'echo byoi: the control plane recorded the failure',
      'goto byoi_reported',
      ':byoi_report_failed',
      'echo byoi: could not report the failure to the control plane',
      ':byoi_reported',
      'echo byoi: back to the firmware boot order in 10 seconds',
      'sleep 10 ||',
      'exit 1',
      '',
    ].join('\n'),
  );
});

test('renderIpxeScript() UEFI disk tries sanboot --filename, then chains the GRUB loader, then reports', () => {
  const script = renderIpxeScript({
    kind: 'disk-uefi',
    efiBootloaderPath: '\\efi\\debian\\grubx64.efi',
    grubUrl: `${cp}/boot/grub/52-54-00-12-34-56/byoi-chain.efi`,
    reportUrl: `${cp}/boot/52-54-00-12-34-56/boot-failed`,
  });
  const lines = script.split('\n');
  assert.equal(lines[0], '#!ipxe');
  assert.equal(lines[1], 'echo Boot first local hdd in UEFI mode: \\efi\\debian\\grubx64.efi');
  assert.equal(lines[2], 'sanboot --no-describe --drive 0x80 --filename \\efi\\debian\\grubx64.efi || goto byoi_grub');
  assert.equal(lines[3], ':byoi_grub');
  assert.ok(lines.includes(`chain --autofree ${cp}/boot/grub/52-54-00-12-34-56/byoi-chain.efi || goto byoi_failed`));
  assert.ok(lines.includes(`imgfetch --name byoi-report ${cp}/boot/52-54-00-12-34-56/boot-failed?reason=uefi-loader-failed || goto byoi_report_failed`));
  assert.equal(lines.at(-2), 'exit 1');
  assert.ok(lines.indexOf(':byoi_failed') > lines.indexOf(':byoi_grub'));
});

test('renderIpxeScript() UEFI disk without efiBootloaderPath boots the removable-media path', () => {
  const script = renderIpxeScript({ kind: 'disk-uefi', efiBootloaderPath: null, grubUrl: null, reportUrl: `${cp}/boot/x/boot-failed` });
  assert.match(script, /\nsanboot --no-describe --drive 0x80 \|\| goto byoi_grub\n/);
  assert.match(script, /removable-media path \\EFI\\BOOT\\BOOTX64\.EFI/);
  assert.match(script, /no GRUB EFI loader/);
  assert.match(script, /boot-failed\?reason=uefi-no-chain-loader/);
  assert.doesNotMatch(script, /chain --autofree/);
});

test('renderIpxeScript() never puts an unsafe efiBootloaderPath on an iPXE command line', () => {
  const script = renderIpxeScript({
    kind: 'disk-uefi',
    efiBootloaderPath: '\\EFI\\My Loader\\${evil} #x.efi',
    grubUrl: `${cp}/boot/grub/m/byoi-chain.efi`,
    reportUrl: `${cp}/boot/m/boot-failed`,
  });
  assert.doesNotMatch(script, /\$\{evil\}/);
  assert.doesNotMatch(script, /sanboot/);
  assert.match(script, /holds characters an iPXE command line cannot carry/);
  assert.match(script, /chain --autofree/);
});

test('renderIpxeScript() installer: kernel with initrd= and the token, retries by re-chaining its own URL', () => {
  const script = renderIpxeScript({
    kind: 'rescue',
    serverName: 'ns1.example',
    taskId: 42,
    kernelUrl: `${cp}/boot/rescue/vmlinuz`,
    initrdUrl: `${cp}/boot/rescue/initrd.img`,
    kernelArgs: [`byoi.control=${cp}`, 'byoi.token=TOKEN123', 'console=ttyS0,115200n8'],
    scriptUrl: `${cp}/boot/52-54-00-12-34-56.ipxe`,
    retrySeconds: 30,
  });
  assert.equal(
    script,
    [
      '#!ipxe',
      'echo byoi: ns1.example: booting the byoi installer for task 42',
      `kernel --name vmlinuz ${cp}/boot/rescue/vmlinuz initrd=initrd.img byoi.control=${cp} byoi.token=TOKEN123 console=ttyS0,115200n8 || goto byoi_retry`,
      `initrd --name initrd.img ${cp}/boot/rescue/initrd.img || goto byoi_retry`,
      'boot || goto byoi_retry',
      ':byoi_retry',
      'echo byoi: could not download or start the rescue system, trying again in 10 seconds',
      'imgfree ||',
      'sleep 10 ||',
      `chain --replace --autofree ${cp}/boot/52-54-00-12-34-56.ipxe`,
      '',
    ].join('\n'),
  );
});

test('renderIpxeScript() unknown MAC says why and asks again', () => {
  assert.equal(
    renderIpxeScript({ kind: 'unknown-mac', mac: '52:54:00:12:34:56', scriptUrl: `${cp}/boot/52-54-00-12-34-56.ipxe`, retrySeconds: 30 }),
    [
      '#!ipxe',
      'echo byoi: unknown MAC 52:54:00:12:34:56: no server with this MAC address is registered in the control plane',
      'echo byoi: an operator registers it with: byoi admin server add NAME --mac 52:54:00:12:34:56 ...',
      'echo byoi: asking again in 30 seconds',
      'sleep 30 ||',
      `chain --replace --autofree ${cp}/boot/52-54-00-12-34-56.ipxe`,
      '',
    ].join('\n'),
  );
});

test('renderIpxeScript() custom scripts pass through, with the #!ipxe magic added when missing', () => {
  assert.equal(renderIpxeScript({ kind: 'custom', script: '#!ipxe\nchain http://x/y' }), '#!ipxe\nchain http://x/y\n');
  assert.equal(renderIpxeScript({ kind: 'custom', script: 'chain http://x/y\n' }), '#!ipxe\nchain http://x/y\n');
});

test('renderIpxeScript() rescue-missing, refused and bad-mac end in a retry or an exit, never silently', () => {
  const missing = renderIpxeScript({ kind: 'rescue-missing', serverName: 'ns1', where: 'vmlinuz missing', scriptUrl: `${cp}/boot/m.ipxe`, retrySeconds: 5 });
  assert.match(missing, /has none \(vmlinuz missing\)\n/);
  assert.match(missing, /chain --replace --autofree http:\/\/10\.0\.2\.100\/boot\/m\.ipxe\n$/);
  const refused = renderIpxeScript({ kind: 'refused', mac: '52:54:00:12:34:56', reason: 'requests from 10.9.9.9 may not fetch boot scripts', scriptUrl: `${cp}/boot/m.ipxe`, retrySeconds: 5 });
  assert.match(refused, /echo byoi: MAC 52:54:00:12:34:56: requests from 10\.9\.9\.9 may not fetch boot scripts\n/);
  assert.match(renderIpxeScript({ kind: 'bad-mac' }), /does not name a MAC address.*\n[\s\S]*exit 1\n$/);
});

test('ipxeEcho() neutralises expansion and separators; isIpxeSafe() accepts paths and URLs only', () => {
  assert.equal(ipxeEcho('a ${b} || c && d # e'), 'echo a __b_ __ c __ d _ e');
  // Character by character, the same as "anything but printable ASCII, and $ # { } | &" becomes _.
  for (let code = 0; code < 0x300; code++) {
    const char = String.fromCharCode(code);
    const unsafe = code < 0x20 || code > 0x7e || '$#{}|&'.includes(char);
    assert.equal(ipxeEcho(`a${char}b`), `echo a${unsafe ? '_' : char}b`, `U+${code.toString(16)}`);
  }
  assert.equal(ipxeEcho('x\u{1f600}y'), 'echo x__y', 'a surrogate pair is two code units');
  assert.equal(isIpxeSafe('\\EFI\\debian\\grubx64.efi'), true);
  assert.equal(isIpxeSafe('http://10.0.2.100:8080/boot/rescue/vmlinuz'), true);
  assert.equal(isIpxeSafe('\\EFI\\a b.efi'), false);
  assert.equal(isIpxeSafe('${x}'), false);
  assert.equal(isIpxeSafe(':label'), false);
});
