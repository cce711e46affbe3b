// Runs `byoi serve` and `byoi admin` as the real CLI does (same command files, same error printing), without
// the other subcommands, so these tests do not depend on them. Usage: node --import tsx control-cli.ts ARGS...
import { Command, CommanderError } from 'commander';
import { isByoiError } from '../../../../src/contract/errors/byoi-error.ts';
import { registerServe } from '../../../../src/cli/commands/serve.ts';
import { registerAdmin } from '../../../../src/cli/commands/admin.ts';

const program = new Command('byoi').exitOverride();
registerServe(program);
registerAdmin(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else if (isByoiError(error)) {
    process.stderr.write(`byoi: ${error.message}\n`);
    process.exitCode = 1;
  } else throw error;
}
