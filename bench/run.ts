// `npm run bench -- NAME`: runs one benchmark of bench/ (not part of npm test).
const benches: Record<string, () => Promise<unknown>> = {
  'control-plane': () => import('./control-plane.ts'),
  deploy: () => import('./deploy.ts'),
};

const name = process.argv[2];
const load = name === undefined ? undefined : benches[name];
if (load === undefined) {
  process.stderr.write(`usage: npm run bench -- ${Object.keys(benches).join('|')}\n`);
  process.exit(2);
}
await load();
