import { Command, CommanderError } from 'commander';
import { isByoiError } from '../contract/errors/byoi-error.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerServe } from './commands/serve.ts';
import { registerAdmin } from './commands/admin.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerAgent } from './commands/agent.ts';
import { registerBoot } from './commands/boot.ts';
import { registerRescue } from './commands/rescue.ts';
import { registerLab } from './commands/lab.ts';

/** Builds the `byoi` command tree. Each subcommand lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command('byoi')
    .description('Bring Your Own Image: deploy cloud-ready qcow2 or raw images onto bare-metal disks')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerInspect(program);
  registerServe(program);
  registerAdmin(program);
  registerDeploy(program);
  registerAgent(program);
  registerBoot(program);
  registerRescue(program);
  registerLab(program);
  return program;
}

/**
 * Runs the CLI and returns the process exit status: 0 on success, 1 for a catalogue error (its message is
 * already printed), 2 for a usage error.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (isByoiError(error)) {
      process.stderr.write(`byoi: ${error.message}\n`);
      if (error.detail) process.stderr.write(`  ${error.detail}\n`);
      return 1;
    }
    throw error;
  }
}
