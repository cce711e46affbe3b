/** What the boot service puts on the rescue kernel's command line for the installer. */
export interface InstallerArgs {
  /** `byoi.control=URL`: the control plane's origin. */
  control: string | null;
  /** `byoi.token=TOKEN`: the one-time agent token. */
  token: string | null;
}

/**
 * Reads `byoi.control=` and `byoi.token=` from a kernel command line (/proc/cmdline): words separated by
 * blanks, a value possibly in double quotes. Other words are ignored; the last occurrence of a key wins, as
 * the kernel does for its own parameters.
 *
 * @example
 * ```ts
 * parseKernelCmdline('initrd=initrd.img byoi.control=https://cp:8443 byoi.token=abc console=ttyS0');
 * // { control: 'https://cp:8443', token: 'abc' }
 * ```
 */
export function parseKernelCmdline(text: string): InstallerArgs {
  const args: InstallerArgs = { control: null, token: null };
  for (const match of text.matchAll(/(?:^|\s)(byoi\.(?:control|token))=("([^"]*)"|\S*)/g)) {
    const value = match[3] ?? match[2] ?? '';
    if (match[1] === 'byoi.control') args.control = value;
    else args.token = value;
  }
  return args;
}
