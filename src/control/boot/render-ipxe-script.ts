import { ipxeEcho, isIpxeSafe } from './ipxe-text.ts';

/** The removable-media loader UEFI firmware (and iPXE's sanboot) starts when no path is given. */
export const defaultEfiLoaderPath = '\\EFI\\BOOT\\BOOTX64.EFI';

/**
 * Every script the boot service hands out, as data (decide-boot.ts picks one, renderIpxeScript() writes it).
 * URLs are absolute and were built by the boot service from normalised values, so they are iPXE-safe.
 */
export type BootScript =
  | {
      /** The byoi rescue system: with `token`, the installer of task `taskId`; without, plain rescue (bootId 2). */
      kind: 'rescue';
      serverName: string;
      taskId: number | null;
      kernelUrl: string;
      initrdUrl: string;
      /** Kernel arguments after `initrd=`: byoi.control, byoi.token (installs only), console... */
      kernelArgs: string[];
      /** This server's own script URL: a failed download re-fetches it (and so gets a fresh token). */
      scriptUrl: string;
      retrySeconds: number;
    }
  | { kind: 'rescue-missing'; serverName: string; where: string; scriptUrl: string; retrySeconds: number }
  | { kind: 'disk-legacy'; reportUrl: string }
  | {
      kind: 'disk-uefi';
      /** The server's efiBootloaderPath; null boots the removable-media path. */
      efiBootloaderPath: string | null;
      /** The GRUB EFI chain loader for this server, or null when the control plane cannot build one. */
      grubUrl: string | null;
      reportUrl: string;
    }
  | { kind: 'custom'; script: string }
  | { kind: 'unknown-mac'; mac: string; scriptUrl: string; retrySeconds: number }
  | { kind: 'bad-mac' }
  | { kind: 'refused'; mac: string; reason: string; scriptUrl: string; retrySeconds: number };

/** Delay before the rescue system is fetched again after a failed download or boot. */
const rescueRetrySeconds = 10;
/** How long a failure message stays on the console before iPXE gives control back to the firmware. */
const failureMessageSeconds = 10;

/**
 * Writes the iPXE script for one case. Every script starts with `#!ipxe` and ends by booting, by retrying
 * through `chain --replace` (no nesting, so a retry loop never grows iPXE's stack), or with `exit 1` back to the
 * firmware's boot order; none ends silently. An iPXE script stops at the first failing command that has no
 * `||`, so every command that may fail carries one.
 */
export function renderIpxeScript(script: BootScript): string {
  const lines = ['#!ipxe'];
  switch (script.kind) {
    case 'rescue': {
      const what = script.taskId === null ? 'the byoi rescue system' : `the byoi installer for task ${script.taskId}`;
      lines.push(
        ipxeEcho(`byoi: ${script.serverName}: booting ${what}`),
        `kernel --name vmlinuz ${script.kernelUrl} initrd=initrd.img ${script.kernelArgs.join(' ')} || goto byoi_retry`,
        `initrd --name initrd.img ${script.initrdUrl} || goto byoi_retry`,
        'boot || goto byoi_retry',
        ':byoi_retry',
        ipxeEcho(`byoi: could not download or start the rescue system, trying again in ${rescueRetrySeconds} seconds`),
        'imgfree ||',
        `sleep ${rescueRetrySeconds} ||`,
        `chain --replace --autofree ${script.scriptUrl}`,
      );
      break;
    }
    case 'rescue-missing':
      lines.push(
        ipxeEcho(`byoi: ${script.serverName} should boot the byoi rescue system, but the control plane has none (${script.where})`),
        ipxeEcho('byoi: the operator builds it with byoi rescue build (docs/OPERATIONS.md)'),
        ipxeEcho(`byoi: asking again in ${script.retrySeconds} seconds`),
        `sleep ${script.retrySeconds} ||`,
        `chain --replace --autofree ${script.scriptUrl}`,
      );
      break;
    case 'disk-legacy':
      // OVH's script (research §9), with the failure made visible instead of ending the script on sanboot's error.
      lines.push(
        'echo Boot first local hdd in LEGACY mode',
        'sanboot --no-describe --drive 0x80 || goto byoi_failed',
        ':byoi_failed',
        ipxeEcho('byoi: the first local disk (drive 0x80) did not boot: no boot code on it, or the firmware hid it'),
        ...report(script.reportUrl, 'legacy-sanboot-failed'),
        ipxeEcho(`byoi: back to the firmware boot order in ${failureMessageSeconds} seconds`),
        `sleep ${failureMessageSeconds} ||`,
        'exit 1',
      );
      break;
    case 'disk-uefi':
      lines.push(...uefiDisk(script));
      break;
    case 'custom':
      return script.script.startsWith('#!ipxe') ? withNewline(script.script) : `#!ipxe\n${withNewline(script.script)}`;
    case 'unknown-mac':
      lines.push(
        ipxeEcho(`byoi: unknown MAC ${script.mac}: no server with this MAC address is registered in the control plane`),
        ipxeEcho(`byoi: an operator registers it with: byoi admin server add NAME --mac ${script.mac} ...`),
        ipxeEcho(`byoi: asking again in ${script.retrySeconds} seconds`),
        `sleep ${script.retrySeconds} ||`,
        `chain --replace --autofree ${script.scriptUrl}`,
      );
      break;
    case 'bad-mac':
      lines.push(
        ipxeEcho('byoi: this URL does not name a MAC address: chain /boot/MAC.ipxe, for example /boot/52-54-00-12-34-56.ipxe'),
        ipxeEcho(`byoi: back to the firmware boot order in ${failureMessageSeconds} seconds`),
        `sleep ${failureMessageSeconds} ||`,
        'exit 1',
      );
      break;
    case 'refused':
      lines.push(
        ipxeEcho(`byoi: MAC ${script.mac}: ${script.reason}`),
        ipxeEcho(`byoi: asking again in ${script.retrySeconds} seconds`),
        `sleep ${script.retrySeconds} ||`,
        `chain --replace --autofree ${script.scriptUrl}`,
      );
      break;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * UEFI disk boot. A modern iPXE (local-drive SAN boot under EFI, 2024+) starts the loader itself with
 * `sanboot --filename`; older ones (Debian's 2019 build) fail with "No such device" and the script chains
 * byoi's GRUB EFI image, which finds the partition holding that exact file and chainloads it. GRUB returns to
 * iPXE only when it could not, and then the failure is shown, reported and handed to the firmware.
 */
function uefiDisk(script: Extract<BootScript, { kind: 'disk-uefi' }>): string[] {
  const path = script.efiBootloaderPath ?? defaultEfiLoaderPath;
  const safe = isIpxeSafe(path);
  const shown = safe ? path : 'efiBootloaderPath';
  const lines: string[] = [];
  lines.push(
    script.efiBootloaderPath === null
      ? ipxeEcho(`Boot first local hdd in UEFI mode: efiBootloaderPath is not set, booting the removable-media path ${defaultEfiLoaderPath}`)
      : ipxeEcho(`Boot first local hdd in UEFI mode: ${shown}`),
  );
  if (safe) {
    lines.push(`sanboot --no-describe --drive 0x80${script.efiBootloaderPath === null ? '' : ` --filename ${path}`} || goto byoi_grub`);
  } else {
    lines.push(ipxeEcho('byoi: efiBootloaderPath holds characters an iPXE command line cannot carry; using the byoi GRUB loader'));
  }
  lines.push(':byoi_grub');
  if (script.grubUrl !== null) {
    lines.push(
      ipxeEcho(`byoi: iPXE could not start ${shown} itself (local-disk SAN boot under UEFI needs a recent iPXE); chaining the byoi GRUB loader`),
      `chain --autofree ${script.grubUrl} || goto byoi_failed`,
      ':byoi_failed',
      ipxeEcho(`byoi: ${shown} could not be started from any disk (see the messages above)`),
      ...report(script.reportUrl, 'uefi-loader-failed'),
    );
  } else {
    lines.push(
      ipxeEcho(`byoi: iPXE could not start ${shown} itself, and the control plane has no GRUB EFI loader to find it (grub-mkimage and grub-efi-amd64-bin are not installed there)`),
      ...report(script.reportUrl, 'uefi-no-chain-loader'),
    );
  }
  lines.push(ipxeEcho(`byoi: back to the firmware boot order in ${failureMessageSeconds} seconds`), `sleep ${failureMessageSeconds} ||`, 'exit 1');
  return lines;
}

/** Tells the control plane about a failed disk boot; a failed report is said on the console and changes nothing else. */
function report(reportUrl: string, reason: string): string[] {
  return [
    `imgfetch --name byoi-report ${reportUrl}?reason=${reason} || goto byoi_report_failed`,
    'imgfree byoi-report ||',
    ipxeEcho('byoi: the control plane recorded the failure'),
    'goto byoi_reported',
    ':byoi_report_failed',
    ipxeEcho('byoi: could not report the failure to the control plane'),
    ':byoi_reported',
  ];
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
