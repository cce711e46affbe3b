#!/usr/bin/env node
// The `byoi` executable: loads the TypeScript sources through tsx, so the command always runs what is checked out.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
