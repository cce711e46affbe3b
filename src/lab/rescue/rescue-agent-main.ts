// The program bundled into the rescue initramfs as /opt/byoi/agent.mjs (esbuild, one file): `byoi agent` and
// nothing else, so the bundle carries the agent protocol and the deploy pipeline but none of the control plane.
// The rescue init runs `node /opt/byoi/agent.mjs agent --cmdline` (byoi.control and byoi.token from /proc/cmdline).
import { Command, CommanderError } from 'commander';
import { isByoiError } from '../../contract/errors/byoi-error.ts';
import { registerAgent } from '../../cli/commands/agent.ts';

const program = new Command('byoi').description('byoi rescue agent').exitOverride();
registerAgent(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (isByoiError(error)) {
    process.stderr.write(`byoi: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`byoi: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}
