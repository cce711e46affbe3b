import type { Command } from 'commander';

/** The options of `byoi agent`, as commander gives them. */
export interface AgentFlags {
  control?: string;
  token?: string;
  cmdline?: string | boolean;
  disk?: string;
  ca?: string;
  sys?: string;
}

/**
 * `byoi agent`: the installer of the rescue system. Thin: read the options, run the agent protocol (src/agent/),
 * exit 0 when the image is deployed and the control plane has the result, 1 otherwise. The token may also come
 * from BYOI_AGENT_TOKEN or, with --cmdline, from the kernel command line the boot service wrote
 * (`byoi.control=URL byoi.token=TOKEN`); it is never printed.
 */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('Run the installer: fetch the job of a one-time token, deploy the image, report to the control plane')
    .option('--control <url>', 'control plane origin, e.g. https://byoi.example.net:8443')
    .option('--token <token>', 'one-time agent token (or BYOI_AGENT_TOKEN)')
    .option('--cmdline [file]', 'read byoi.control and byoi.token from a kernel command line [/proc/cmdline]')
    .option('--disk <path>', 'write to this device or file instead of the job\'s disk (ALL DATA ON IT IS ERASED)')
    .option('--ca <file>', 'PEM CA certificate to trust for the control plane (and images it serves)')
    .option('--sys <dir>', 'where sysfs is, to find the target disk [/sys]')
    .action(async (flags: AgentFlags) => {
      const { agentAction } = await import('./agent-action.ts');
      await agentAction(flags);
    });
}
