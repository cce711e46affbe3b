// The deploy benchmark's bundled `byoi deploy`: one ES module made by esbuild with the options the rescue agent's
// bundle uses (src/lab/rescue/bundle-rescue-agent.ts), so the benchmark measures the deploy as a server runs it,
// without the seconds that loading ~1,000 TypeScript modules through tsx costs `node bin/byoi.mjs` on every start.
import { join } from 'node:path';

/**
 * Bundles bench/_deploy-bundle-main.ts into `outDir/byoi-deploy.mjs` and returns its path. As in the rescue agent,
 * the zstd workers find native libzstd beside `import.meta.resolve('zstd-napi/package.json')`, libzstd's
 * WebAssembly beside `import.meta.resolve('@bokuweb/zstd-wasm')` and their fzstd fallback at
 * `import.meta.resolve('fzstd')`, which from .cache/ are the repository's node_modules.
 */
export async function bundleDeploy(root: string, outDir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(outDir, 'byoi-deploy.mjs');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, 'bench', '_deploy-bundle-main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['fzstd', '@bokuweb/zstd-wasm', 'zstd-napi'],
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __byoiCreateRequire } from 'node:module';\nconst require = __byoiCreateRequire(import.meta.url);" },
  });
  return outfile;
}
