/** Which module files the rescue carries, and what became of each module asked for. */
export interface ModuleSelection {
  /** Paths relative to lib/modules/VERSION (e.g. kernel/drivers/net/virtio_net.ko), sorted, dependencies included. */
  files: string[];
  /** Asked-for modules built into the kernel (modules.builtin): nothing to carry. */
  builtin: string[];
  /** Asked-for modules this kernel has neither as a file nor built in. */
  missing: string[];
}

/** The kernel's own name of a module: file name without .ko, dashes as underscores (kmod's normalisation). */
export function moduleName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.replace(/\.ko(\.[a-z]+)?$/, '').replaceAll('-', '_');
}

/**
 * Selects the module files for `wanted` and everything they depend on, from the `modules.dep` that depmod
 * wrote (lines `kernel/path/a.ko: kernel/path/b.ko kernel/path/c.ko`) and the package's `modules.builtin`.
 * Pure. Names compare after kmod's normalisation (`mlx5-core` is `mlx5_core`).
 *
 * @example
 * ```ts
 * selectKernelModules('kernel/a/virtio_net.ko: kernel/b/net_failover.ko\nkernel/b/net_failover.ko:\n', '', ['virtio_net']);
 * // { files: ['kernel/a/virtio_net.ko', 'kernel/b/net_failover.ko'], builtin: [], missing: [] }
 * ```
 */
export function selectKernelModules(modulesDep: string, modulesBuiltin: string, wanted: readonly string[]): ModuleSelection {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of modulesDep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    const needs = line.slice(colon + 1).trim().split(/\s+/).filter((p) => p !== '');
    deps.set(path, needs);
    byName.set(moduleName(path), path);
  }
  const builtinNames = new Set(modulesBuiltin.split('\n').filter((l) => l.trim() !== '').map((l) => moduleName(l.trim())));
  const chosen = new Set<string>();
  const builtin: string[] = [];
  const missing: string[] = [];
  const visit = (path: string) => {
    if (chosen.has(path)) return;
    chosen.add(path);
    for (const dep of deps.get(path) ?? []) visit(dep);
  };
  for (const name of wanted) {
    const normal = name.replaceAll('-', '_');
    const path = byName.get(normal);
    if (path !== undefined) visit(path);
    else if (builtinNames.has(normal)) builtin.push(normal);
    else missing.push(normal);
  }
  return { files: [...chosen].sort(), builtin: builtin.sort(), missing: missing.sort() };
}
