#!/usr/bin/env node
// Builds the web panel (web/ → web/dist/, served by `byoi serve` at /) when it is missing or older than any of
// its sources: `npm start` (prestart) and `npm test` run this, so a fresh clone gets a built panel with
// `npm install && npm start`. `npm run build:web` builds unconditionally. `--check` only reports.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const output = join(root, 'web/dist/index.html');
// What the bundle is made of: the panel, its build settings, and the modules it imports from src/.
const inputs = [
  'web/src',
  'web/index.html',
  'web/vite.config.ts',
  'web/tsconfig.json',
  'src/contract',
  'src/control/http/schemas',
  'src/control/tasks/task-model.ts',
  'src/image/inspect-result.ts',
  'package-lock.json',
];

function newest(path) {
  if (!existsSync(path)) return { time: 0, path };
  const stat = statSync(path);
  if (!stat.isDirectory()) return { time: stat.mtimeMs, path };
  let best = { time: 0, path };
  for (const name of readdirSync(path)) {
    const found = newest(join(path, name));
    if (found.time > best.time) best = found;
  }
  return best;
}

const built = existsSync(output) ? statSync(output).mtimeMs : 0;
let source = { time: 0, path: '' };
for (const input of inputs) {
  const found = newest(join(root, input));
  if (found.time > source.time) source = found;
}

if (built >= source.time) process.exit(0);
const why = built === 0 ? 'web/dist is missing' : `${relative(root, source.path)} changed since the last build`;
if (process.argv.includes('--check')) {
  console.log(`The web panel needs a build: ${why}`);
  process.exit(1);
}
console.log(`Building the web panel (${why})...`);
const started = Date.now();
const { build } = await import('vite');
await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'warn' });
console.log(`Built the web panel into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
