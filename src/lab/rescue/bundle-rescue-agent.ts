import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ByoiError } from '../../contract/errors/byoi-error.ts';

/** The agent as the rescue carries it: one ES module, plus the packages it loads by URL at run time. */
export interface RescueAgentBundle {
  /** /opt/byoi/agent.mjs */
  code: Uint8Array;
  /**
   * Files under /opt/byoi/node_modules/ (relative paths): native libzstd (zstd-napi's addon), libzstd's WebAssembly
   * and fzstd for the qcow2 zstd workers.
   */
  runtimeFiles: Array<{ path: string; data: Uint8Array }>;
  esbuildVersion: string;
}

/**
 * Packages the bundle cannot inline, with the files of each that ship beside agent.mjs: the qcow2 zstd workers
 * open native libzstd, the addon at build/Release/binding.node beside `import.meta.resolve('zstd-napi/package.json')`
 * (src/deploy/decode/qcow2/_zstd-native-addon.ts; built by `npm install` on this machine for its Node.js, which
 * is the binary the rescue carries with its shared libraries, all the addon links to); else libzstd's
 * WebAssembly, found beside the entry point `import.meta.resolve('@bokuweb/zstd-wasm')` gives
 * (src/deploy/decode/qcow2/_zstd-wasm-module.ts; the entry point must exist for the resolution, it is never
 * run); else fzstd, imported by the URL `import.meta.resolve('fzstd')` gives
 * (src/deploy/decode/qcow2/_zstd-worker-pool.ts).
 */
const runtimePackages: ReadonlyArray<{ name: string; ships: (path: string) => boolean }> = [
  { name: 'fzstd', ships: (path) => path === 'package.json' || path === 'LICENSE' || path.startsWith('esm/') },
  {
    name: 'zstd-napi',
    ships: (path) => path === 'package.json' || path === 'LICENSE' || path === 'NOTICE' || path === 'deps/zstd/LICENSE' || path === 'build/Release/binding.node',
  },
  {
    name: '@bokuweb/zstd-wasm',
    ships: (path) => path === 'package.json' || path === 'dist/common/index.node.js' || path === 'dist/common/zstd.wasm',
  },
];

const sourceRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Bundles `byoi agent` (src/lab/rescue/rescue-agent-main.ts) into one ES module with esbuild (a devDependency,
 * loaded only here). A `require` made with createRequire lets the CommonJS dependencies (commander, undici) load
 * Node's built-ins from an ES module. Paths in the output are relative to the repository, so the same sources give
 * the same bytes wherever the repository is.
 *
 * @throws ByoiError BYOI_RESCUE_BUILD_FAILED when esbuild is not installed or the bundle fails
 */
export async function bundleRescueAgent(): Promise<RescueAgentBundle> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: 'esbuild is not installed (npm install with the dev dependencies)' }, { cause: error });
  }
  let result: Awaited<ReturnType<typeof esbuild.build>>;
  try {
    result = await esbuild.build({
      absWorkingDir: sourceRoot,
      entryPoints: [join(sourceRoot, 'src/lab/rescue/rescue-agent-main.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      outfile: 'agent.mjs',
      external: runtimePackages.map((runtime) => runtime.name),
      legalComments: 'none',
      logLevel: 'silent',
      banner: { js: "import { createRequire as __byoiCreateRequire } from 'node:module';\nconst require = __byoiCreateRequire(import.meta.url);" },
    });
  } catch (error) {
    throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `esbuild could not bundle the agent: ${(error as Error).message.split('\n')[0]}` }, { cause: error });
  }
  const output = result.outputFiles?.[0];
  if (output === undefined) throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: 'esbuild wrote no output' });
  return { code: output.contents, runtimeFiles: runtimePackages.flatMap((runtime) => packageFiles(runtime.name, runtime.ships)), esbuildVersion: esbuild.version };
}

/** The directory of an installed package: up from its entry point to the package.json naming it (exports hide package.json). */
function packageRoot(name: string): string {
  const require = createRequire(join(sourceRoot, 'package.json'));
  let dir = dirname(require.resolve(name));
  while (dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    dir = dirname(dir);
  }
  throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `cannot find the installed package ${name}` });
}

/** The files of an installed package that `ships` selects (paths relative to the package), under node_modules/NAME. */
function packageFiles(name: string, ships: (path: string) => boolean): Array<{ path: string; data: Uint8Array }> {
  const root = packageRoot(name);
  const files: Array<{ path: string; data: Uint8Array }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      const rel = relative(root, path);
      if (statSync(path).isDirectory()) {
        if (rel !== 'node_modules') walk(path);
      } else if (ships(rel)) {
        files.push({ path: `${name}/${rel}`, data: readFileSync(path) });
      }
    }
  };
  walk(root);
  return files;
}
