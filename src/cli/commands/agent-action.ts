import { readFileSync } from 'node:fs';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { lineAgentLog } from '../../agent/agent-log.ts';
import { parseKernelCmdline } from '../../agent/parse-kernel-cmdline.ts';
import { runAgent } from '../../agent/run-agent.ts';
import type { AgentFlags } from './agent.ts';

/**
 * What `byoi agent` does once its options are parsed: finds the control plane and the token (flags,
 * BYOI_AGENT_TOKEN, kernel command line), runs the agent, and sets process.exitCode to 1 when it fails.
 *
 * @throws ByoiError BYOI_API_INVALID_VALUE when the control plane URL or the token is missing or wrong
 */
export async function agentAction(flags: AgentFlags): Promise<void> {
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
}

function usage(name: string, reason: string): ByoiError {
  return new ByoiError('BYOI_API_INVALID_VALUE', { name, reason });
}
