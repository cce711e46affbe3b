import type { Server } from '../fleet/server-model.ts';
import type { BootTask } from './server-lookup.ts';
import { customScriptBootId } from '../fleet/boot-options.ts';
import { taskWantsInstaller } from './task-wants-installer.ts';

/** The rescue boot option (fleet/boot-options.ts): the byoi rescue system without an install. */
const rescueBootId = 2;

/**
 * What a server should boot now, before any URL or token exists:
 *   1. its active install, while it wants the installer (task-wants-installer.ts), whatever the bootId (API.md §4.1)
 *   2. bootId 3 with a bootScript: that script
 *   3. bootId 2: the rescue system without an install
 *   4. otherwise its disk, by boot mode
 */
export type BootChoice =
  | { kind: 'installer'; task: BootTask }
  | { kind: 'custom'; script: string }
  | { kind: 'rescue' }
  | { kind: 'disk'; bootMode: Server['bootMode']; efiBootloaderPath: string | null };

export function decideBoot(server: Pick<Server, 'bootId' | 'bootScript' | 'bootMode' | 'efiBootloaderPath'>, activeTask: BootTask | undefined): BootChoice {
  if (activeTask !== undefined && taskWantsInstaller(activeTask)) return { kind: 'installer', task: activeTask };
  if (server.bootId === customScriptBootId && server.bootScript !== null && server.bootScript.trim() !== '') {
    return { kind: 'custom', script: server.bootScript };
  }
  if (server.bootId === rescueBootId) return { kind: 'rescue' };
  return { kind: 'disk', bootMode: server.bootMode, efiBootloaderPath: server.efiBootloaderPath };
}
