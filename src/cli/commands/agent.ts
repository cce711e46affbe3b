import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { lineAgentLog } from '../../agent/agent-log.ts';
import { parseKernelCmdline } from '../../agent/parse-kernel-cmdline.ts';
import { runAgent } from '../../agent/run-agent.ts';

interface AgentFlags {
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
      let control = flags.control;
      let token = flags.token ?? process.env.BYOI_AGENT_TOKEN;
      if (flags.cmdline !== undefined) {
        const file = typeof flags.cmdline === 'string' ? flags.cmdline : '/proc/cmdline';
        const args = parseKernelCmdline(readFileSync(file, 'utf8'));
        control ??= args.control ?? undefined;
        token ??= args.token ?? undefined;
      }
      if (control === undefined || control === '') throw usage('--control', 'the control plane URL is missing (--control, or byoi.control with --cmdline)');
      if (!/^https?:\/\//.test(control)) throw usage('--control', `${control} is not an http(s) URL`);
      if (token === undefined || token === '') throw usage('--token', 'the agent token is missing (--token, BYOI_AGENT_TOKEN, or byoi.token with --cmdline)');
      const outcome = await runAgent({
        control,
        token,
        ...(flags.ca === undefined ? {} : { ca: readFileSync(flags.ca, 'utf8') }),
        ...(flags.disk === undefined ? {} : { disk: flags.disk }),
        ...(flags.sys === undefined ? {} : { sysRoot: flags.sys }),
        log: lineAgentLog((line) => process.stderr.write(line)),
      });
      if (!outcome.ok) {
        process.stderr.write(`byoi: ${outcome.message}\n`);
        process.exitCode = 1;
      }
    });
}

function usage(name: string, reason: string): ByoiError {
  return new ByoiError('BYOI_API_INVALID_VALUE', { name, reason });
}
