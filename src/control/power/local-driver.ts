import { statSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { runAgent, type AgentOutcome } from '../../agent/run-agent.ts';
import type { AgentLog } from '../../agent/agent-log.ts';
import { ByoiError } from '../../contract/errors/byoi-error.ts';
import type { Server } from '../fleet/server-model.ts';
import type { InstallerLaunch, PowerDriver } from './power-driver.ts';

/** What a virtual server of the `local` driver is doing. */
export type LocalPowerState =
  | { power: 'off'; since: string }
  | { power: 'on'; running: 'installer'; taskId: number; since: string }
  | { power: 'on'; running: 'disk'; since: string }
  | { power: 'on'; running: 'network'; since: string };

/** The `local` power driver, with what the demo and the tests need to see and do beyond PowerDriver. */
export interface LocalPowerDriver extends PowerDriver {
  readonly name: 'local';
  /** Where the installers' and the driver's lines go (the runner hands its logger over when it starts). */
  useLog(log: FastifyBaseLogger): void;
  /** The virtual server's state, by service name. */
  state(serviceName: string): LocalPowerState;
  /** Cuts the power of a virtual server: its installer stops at once and reports nothing (a killed agent). */
  powerOff(serviceName: string): Promise<void>;
  /** The outcome of the server's current installer when it ends (undefined when none runs). */
  installerEnded(serviceName: string): Promise<AgentOutcome | undefined>;
  /** Stops every installer: the process is going away. */
  shutdown(): Promise<void>;
}

interface RunningInstaller {
  taskId: number;
  controller: AbortController;
  ended: Promise<AgentOutcome>;
}

/**
 * The `local` power driver: virtual servers whose disks are files on this host (the demo fleet). "Rebooting into
 * the installer" starts the same agent code as the rescue system's `byoi agent`, in this process, talking HTTP to
 * the control plane over loopback with a fresh one-time token, against the server's disk files; "booting the
 * disk" records the power state (nothing boots: there is no CPU behind these servers). A reboot first stops an
 * installer still running on that server, as a real reset would.
 *
 * Errors: a disk file that does not exist ends the task as ovhError with BYOI_POWER_REFUSED naming the file.
 * The driver takes no settings.
 */
export function createLocalPowerDriver(options: { sysRoot?: string } = {}): LocalPowerDriver {
  const states = new Map<string, LocalPowerState>();
  const installers = new Map<string, RunningInstaller>();
  let log: FastifyBaseLogger | null = null;

  const now = () => new Date().toISOString();

  function checkDisks(server: Server, action: string): void {
    for (const group of server.diskGroups) {
      for (const disk of group.disks) {
        if (disk.path === undefined) {
          throw new ByoiError('BYOI_POWER_REFUSED', {
            driver: 'local',
            serverName: server.serviceName,
            action,
            reason: `disk group ${group.diskGroupId} has a disk without a file (register its path: --disks TYPE:SIZE@/path/disk.img)`,
          });
        }
        let isFile = false;
        try {
          isFile = statSync(disk.path).isFile();
        } catch {
          isFile = false;
        }
        if (!isFile) {
          throw new ByoiError('BYOI_POWER_REFUSED', { driver: 'local', serverName: server.serviceName, action, reason: `its disk file ${disk.path} does not exist` });
        }
      }
    }
  }

  async function stopInstaller(serviceName: string): Promise<void> {
    const running = installers.get(serviceName);
    if (running === undefined) return;
    running.controller.abort(new Error('power cut'));
    await Promise.race([running.ended, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    if (installers.get(serviceName) === running) installers.delete(serviceName);
  }

  function agentLog(server: Server, taskId: number): AgentLog {
    const child = () => log?.child({ server: server.serviceName, taskId, installer: 'local' });
    return {
      info: (message, fields) => child()?.info(fields ?? {}, message),
      warn: (message, fields) => child()?.warn(fields ?? {}, message),
      error: (message, fields) => child()?.error(fields ?? {}, message),
    };
  }

  async function startInstaller(server: Server, launch: InstallerLaunch): Promise<void> {
    const token = await launch.issueToken();
    const endpoint = await launch.endpoint();
    const controller = new AbortController();
    const ended = runAgent({
      control: endpoint.url,
      token,
      ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }),
      ...(options.sysRoot === undefined ? {} : { sysRoot: options.sysRoot }),
      signal: controller.signal,
      log: agentLog(server, launch.taskId),
      // The control plane is this process: if it cannot be reached for long, it is not coming back.
      jobDeadlineMs: 120_000,
    }).catch((error: unknown): AgentOutcome => {
      log?.error({ err: error, server: server.serviceName }, 'local installer crashed');
      return { ok: false, taskId: launch.taskId, code: null, message: 'the installer crashed', reported: false };
    });
    const running: RunningInstaller = { taskId: launch.taskId, controller, ended };
    installers.set(server.serviceName, running);
    states.set(server.serviceName, { power: 'on', running: 'installer', taskId: launch.taskId, since: now() });
    void ended.then((outcome) => {
      if (installers.get(server.serviceName) === running) installers.delete(server.serviceName);
      log?.info({ server: server.serviceName, taskId: launch.taskId, ok: outcome.ok, code: outcome.code }, 'local installer ended');
    });
  }

  return {
    name: 'local',

    validateConfig(config) {
      const keys = Object.keys(config);
      if (keys.length > 0) {
        throw new ByoiError('BYOI_API_INVALID_VALUE', { name: 'powerDriver.config', reason: `the local driver takes no settings (got ${keys.join(', ')})` });
      }
      return {};
    },

    async reboot(server, _config, rebootOptions) {
      const action = rebootOptions.next === 'network' ? 'boot the installer' : 'boot from its disk';
      checkDisks(server, action);
      await stopInstaller(server.serviceName);
      if (rebootOptions.next === 'network' && rebootOptions.installer !== undefined) {
        await startInstaller(server, rebootOptions.installer);
        log?.info({ server: server.serviceName, taskId: rebootOptions.installer.taskId }, 'virtual server rebooted into the installer');
        return;
      }
      states.set(server.serviceName, { power: 'on', running: rebootOptions.next, since: now() });
      log?.info({ server: server.serviceName }, rebootOptions.next === 'disk' ? 'virtual server rebooted from its disk' : 'virtual server rebooted from the network');
    },

    async powerState(server) {
      return (states.get(server.serviceName)?.power ?? 'off') === 'on' ? 'on' : 'off';
    },

    isInstallerRunning(server, taskId) {
      return installers.get(server.serviceName)?.taskId === taskId;
    },

    useLog(logger) {
      log = logger.child({ driver: 'local' });
    },

    state(serviceName) {
      return states.get(serviceName) ?? { power: 'off', since: now() };
    },

    async powerOff(serviceName) {
      await stopInstaller(serviceName);
      states.set(serviceName, { power: 'off', since: now() });
    },

    async installerEnded(serviceName) {
      return installers.get(serviceName)?.ended;
    },

    async shutdown() {
      await Promise.all([...installers.keys()].map((name) => stopInstaller(name)));
    },
  };
}
