// `byoi deploy` alone, as the deploy benchmark bundles it (bench/deploy-bundle.ts): the same command code as
// src/cli/main.ts registers, without the other commands, the way the rescue system carries `byoi agent` as one
// bundled file (src/lab/rescue/rescue-agent-main.ts). Exit statuses as src/cli/main.ts gives them.
import { Command, CommanderError } from 'commander';
import { isByoiError } from '../src/contract/errors/byoi-error.ts';
import { registerDeploy } from '../src/cli/commands/deploy.ts';

const program = new Command('byoi').exitOverride();
registerDeploy(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (isByoiError(error)) {
    process.stderr.write(`byoi: ${error.message}\n`);
    if (error.detail) process.stderr.write(`  ${error.detail}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
