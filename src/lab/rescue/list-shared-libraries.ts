import { ByoiError } from '../../contract/errors/byoi-error.ts';
import { runTool } from '../_run-tool.ts';

/**
 * The shared libraries a dynamically linked program loads, as absolute paths (the dynamic loader included), from
 * `ldd`. The rescue copies each to the same path, so the program runs there as on the host. A statically linked
 * program gives an empty list.
 *
 * @throws ByoiError BYOI_RESCUE_BUILD_FAILED when ldd cannot find one of them
 */
export async function listSharedLibraries(program: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await runTool('ldd', [program]));
  } catch (error) {
    // ldd exits 1 with "not a dynamic executable" for a static binary.
    if (/not a dynamic executable|statically linked/.test(String((error as { message?: string }).message))) return [];
    throw error;
  }
  return parseLddOutput(stdout, program);
}

/**
 * Parses ldd's lines: `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)`, `/lib64/ld-linux-x86-64.so.2 (0x...)`,
 * `linux-vdso.so.1 (0x...)` (the kernel's, no file). Pure; sorted, without duplicates.
 *
 * @example
 * ```ts
 * parseLddOutput('\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n\t/lib64/ld-linux-x86-64.so.2 (0x2)\n', 'node');
 * // ['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']
 * ```
 */
export function parseLddOutput(text: string, program: string): string[] {
  const found = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || /statically linked/.test(line)) continue;
    if (line.includes('=> not found')) {
      throw new ByoiError('BYOI_RESCUE_BUILD_FAILED', { reason: `${program} needs ${line.split(' ')[0] ?? line}, which ldd cannot find` });
    }
    const arrow = /=>\s*(\/\S+)/.exec(line);
    if (arrow !== null) found.add(arrow[1] as string);
    else if (line.startsWith('/')) found.add(line.split(/\s+/)[0] as string);
  }
  return [...found].sort();
}
