import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

// The boot engineer bundles the agent into the rescue initramfs with esbuild: it must stay one file of plain
// JavaScript, without native modules and without the control plane.
test('the agent bundles with esbuild into one file without native modules or control-plane code', async () => {
  const result = await build({
    entryPoints: [new URL('../../../src/cli/commands/agent.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((input) => input.endsWith('src/agent/run-agent.ts')));
  assert.ok(inputs.some((input) => input.endsWith('src/deploy/pipeline/deploy-image.ts')));
  for (const forbidden of ['better-sqlite3', 'node_modules/pg/', 'node_modules/fastify/', 'node_modules/kysely/', 'src/control/']) {
    assert.deepEqual(inputs.filter((input) => input.includes(forbidden)), [], `${forbidden} is not in the agent`);
  }
  assert.deepEqual(inputs.filter((input) => input.endsWith('.node')), [], 'no native addon');
});
