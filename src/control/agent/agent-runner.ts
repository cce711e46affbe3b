import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ByoiError, isByoiError } from '../../contract/errors/byoi-error.ts';
import { isErrorCode } from '../../contract/errors/catalogue.ts';
import { isTerminalTaskStatus } from '../../contract/task/task-status.ts';
import type { Server } from '../fleet/server-model.ts';
import { harddiskBootId } from '../fleet/boot-options.ts';
import type { InstallerLaunch, PowerDriver, PowerDriverRegistry } from '../power/power-driver.ts';
import { nowIso } from '../store/now-iso.ts';
import { findServerById, readPowerConfig, updateServer, type ServerPatch } from '../store/servers-repo.ts';
import type { TaskRunner, TaskRunnerContext } from '../tasks/task-runner.ts';
import type { TaskFailure } from '../tasks/task-service.ts';
import type { ControlTask } from '../tasks/task-model.ts';
import type { ControlEndpoint } from './control-endpoint.ts';
import { agentSteps } from './plan-agent-events.ts';
import { extendActiveLeases, listOwnedActiveTasks } from './runner-tasks-repo.ts';

/** The TaskRunner of the agent protocol, with the calls the agent routes make into it. */
export interface AgentRunner extends TaskRunner {
  /** This runner's lease owner name: stable across restarts of the same control plane (same data, same database). */
  readonly owner: string;
  /** After the agent's successful result is stored: switch boot, last reboot, then done (or wait for the first boot). */
  completeInstall(taskId: number): void;
  /** The first boot was confirmed on a task that waits for it: end it now. */
  firstBootConfirmed(taskId: number): void;
}

export interface AgentRunnerOptions {
  drivers: PowerDriverRegistry;
  endpoint: ControlEndpoint;
  /** Lease owner name. @default byoi@HOST:<hash of the data directory and database> */
  owner?: string;
  /** How often to look for new tasks and deadlines (besides the bus's wake-ups). @default 1000 */
  pollIntervalMs?: number;
  /** Called once started, with the runner's context (the `local` driver takes its logger from it). */
  onStart?: (context: TaskRunnerContext) => void;
}

/** What a runner waits for on a task it holds: an agent to enrol, or the installed OS's first boot. */
interface Wait {
  kind: 'enrol' | 'first-boot';
  deadline: number;
}

/**
 * The runner that drives install and reboot tasks through power drivers and the agent protocol.
 *
 * Install task life (docs/ARCHITECTURE.md "The task runner"):
 *   1. claim (init → todo, lease); step reboot-installer doing; power driver reboot into the network (installer)
 *   2. wait for the agent to fetch its job (the route makes the task doing, reboot-installer done), renewing the
 *      lease meanwhile; none within tasks.installerStartSeconds → ovhError BYOI_INSTALLER_NOT_STARTED
 *   3. the agent streams events and heartbeats (the routes move steps and renew the lease)
 *   4. its result: failure → finish with the catalogue error; success → completeInstall(): switch-boot (the server
 *      boots its disk with the efiBootloaderPath found), last-reboot (power driver, next: disk), then `done`,
 *      first-boot left `todo` for the OS's phone home; with tasks.firstBootWaitSeconds > 0 the task stays doing
 *      until that phone home or the wait ends (then done, first-boot still todo)
 * A hard reboot task: claim, power driver reboot, done.
 *
 * After a restart, start() gives every running task one more lease (its agent could not reach us while we were
 * down), then resumes the tasks this owner holds from what the database says.
 */
export function createAgentRunner(options: AgentRunnerOptions): AgentRunner {
  let context: TaskRunnerContext | null = null;
  let owner = options.owner ?? '';
  let timer: NodeJS.Timeout | null = null;
  let claiming = false;
  let claimAgain = false;
  let stopped = false;
  const unsubscribe: Array<() => void> = [];
  const waits = new Map<number, Wait>();
  const busy = new Map<number, Promise<void>>();

  const ctx = (): TaskRunnerContext => {
    if (context === null) throw new Error('the agent runner is not started');
    return context;
  };

  /** Runs `work` for a task unless work for it is already running; errors are logged, never thrown. */
  function spawn(taskId: number, what: string, work: () => Promise<void>): void {
    if (stopped || busy.has(taskId)) return;
    const running = work()
      .catch((error: unknown) => ctx().log.error({ err: error, taskId }, `${what} failed`))
      .finally(() => busy.delete(taskId));
    busy.set(taskId, running);
  }

  async function fail(taskId: number, failure: TaskFailure): Promise<void> {
    waits.delete(taskId);
    const ended = await ctx().tasks.finish(taskId, { ok: false, error: failure });
    ctx().log.warn({ taskId, status: ended.status, code: failure.code }, failure.message);
  }

  async function serverOf(task: ControlTask): Promise<Server> {
    const server = await findServerById(ctx().store, task.serverId);
    if (server === undefined) throw new Error(`server ${task.serverId} of task ${task.id} is gone`);
    return server;
  }

  /** The server's driver, or the failure that ends the task; null for `none` (an operator powers it by hand). */
  function driverOf(server: Server, action: string): { driver: PowerDriver | null; failure?: TaskFailure } {
    if (server.powerDriver === 'none') return { driver: null };
    const driver = options.drivers.get(server.powerDriver);
    if (driver !== undefined) return { driver };
    const known = [...options.drivers.keys()].join(', ') || 'none';
    const error = new ByoiError('BYOI_POWER_NO_DRIVER', { action, serverName: server.serviceName, driver: server.powerDriver, reason: `known: ${known}` });
    return { driver: null, failure: { code: error.code, message: error.message } };
  }

  function powerFailure(error: unknown, server: Server, action: string): TaskFailure {
    if (isByoiError(error) && isErrorCode(error.code)) return { code: error.code, message: error.message };
    ctx().log.error({ err: error, server: server.serviceName }, 'power driver failed outside the catalogue');
    const wrapped = new ByoiError('BYOI_POWER_REFUSED', { driver: server.powerDriver, serverName: server.serviceName, action, reason: 'the driver failed unexpectedly' });
    return { code: wrapped.code, message: wrapped.message };
  }

  function installerLaunch(taskId: number): InstallerLaunch {
    return { taskId, issueToken: () => ctx().tasks.issueAgentToken(taskId), endpoint: () => options.endpoint.ready() };
  }

  // ── install: reboot into the installer ──────────────────────────────────────────────────────────────────────
  async function bootInstaller(task: ControlTask): Promise<void> {
    const { tasks, config } = ctx();
    await tasks.setStep(task.id, 'reboot-installer', 'doing');
    const server = await serverOf(task);
    const action = 'reboot into the installer';
    const { driver, failure } = driverOf(server, action);
    if (failure !== undefined) return fail(task.id, failure);
    if (driver === null) {
      await tasks.notice(task.id, `Server ${server.serviceName} has no power driver: boot it from the network by hand to start the installer`);
    } else {
      try {
        await driver.reboot(server, await readPowerConfig(ctx().store, server.id), { next: 'network', installer: installerLaunch(task.id) });
      } catch (error) {
        return fail(task.id, powerFailure(error, server, action));
      }
    }
    const current = await tasks.get(task.id);
    if (current?.status === 'todo') waits.set(task.id, { kind: 'enrol', deadline: Date.now() + config.tasks.installerStartSeconds * 1000 });
  }

  // ── install: after the agent's successful result ────────────────────────────────────────────────────────────
  async function finishInstall(taskId: number): Promise<void> {
    const { tasks, config, store } = ctx();
    const task = await tasks.get(taskId);
    if (task === undefined || task.status !== 'doing' || task.result === null) return;
    const step = (id: string) => task.steps.find((s) => s.id === id)?.status;
    for (const id of ['reboot-installer', ...agentSteps]) if (step(id) !== 'done') await tasks.setStep(taskId, id, 'done');
    const server = await serverOf(task);

    if (step('switch-boot') !== 'done') {
      await tasks.setStep(taskId, 'switch-boot', 'doing');
      // The boot service serves the disk from now on (boot/task-wants-installer.ts), with the loader the agent found.
      const found = (task.result as { efiBootloaderPath?: unknown }).efiBootloaderPath;
      const requested = (await tasks.readInstallRequest(taskId))?.efiBootloaderPath ?? null;
      const patch: ServerPatch = { os: 'byoi_64', bootId: harddiskBootId, bootScript: null };
      const path = typeof found === 'string' ? found : requested;
      if (path !== null) patch.efiBootloaderPath = path;
      await updateServer(store, server.id, patch);
      await tasks.setStep(taskId, 'switch-boot', 'done');
    }

    if (step('last-reboot') !== 'done') {
      await tasks.setStep(taskId, 'last-reboot', 'doing');
      const action = 'reboot from its disk';
      const { driver, failure } = driverOf(server, action);
      if (failure !== undefined) return fail(taskId, failure);
      if (driver === null) {
        await tasks.notice(taskId, `Server ${server.serviceName} has no power driver: reboot it by hand to start the installed system`);
      } else {
        try {
          await driver.reboot(server, await readPowerConfig(store, server.id), { next: 'disk' });
        } catch (error) {
          return fail(taskId, powerFailure(error, server, action));
        }
      }
      await tasks.setStep(taskId, 'last-reboot', 'done');
    }

    const now = await tasks.get(taskId);
    if (now === undefined || now.status !== 'doing') return;
    const firstBoot = now.steps.find((s) => s.id === 'first-boot')?.status;
    if (config.tasks.firstBootWaitSeconds > 0 && firstBoot !== 'done') {
      if (firstBoot !== 'doing') await tasks.setStep(taskId, 'first-boot', 'doing');
      const since = Date.parse(now.steps.find((s) => s.id === 'last-reboot')?.doneAt ?? nowIso());
      waits.set(taskId, { kind: 'first-boot', deadline: since + config.tasks.firstBootWaitSeconds * 1000 });
      return;
    }
    await endInstalled(now);
  }

  /** done: installed and rebooted; first-boot keeps its status (todo until the OS phones home). */
  async function endInstalled(task: ControlTask): Promise<void> {
    waits.delete(task.id);
    const ended = await ctx().tasks.finish(task.id, { ok: true, result: task.result, pendingSteps: ['first-boot'] });
    ctx().log.info({ taskId: task.id, status: ended.status }, 'install done');
  }

  // ── hard reboot ─────────────────────────────────────────────────────────────────────────────────────────────
  async function hardReboot(task: ControlTask): Promise<void> {
    const { tasks, store } = ctx();
    const server = await serverOf(task);
    const action = 'reboot';
    const { driver, failure } = driverOf(server, action);
    if (driver === null) {
      const missing = failure ?? {
        code: 'BYOI_POWER_NO_DRIVER',
        message: new ByoiError('BYOI_POWER_NO_DRIVER', { action, serverName: server.serviceName, driver: 'none', reason: 'it is registered without one' }).message,
      };
      return fail(task.id, missing);
    }
    await tasks.transition(task.id, 'doing');
    try {
      await driver.reboot(server, await readPowerConfig(store, server.id), { next: server.bootId === harddiskBootId ? 'disk' : 'network' });
    } catch (error) {
      return fail(task.id, powerFailure(error, server, action));
    }
    await tasks.finish(task.id, { ok: true, result: null });
  }

  // ── claiming, waiting, resuming ─────────────────────────────────────────────────────────────────────────────
  async function claimLoop(): Promise<void> {
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = true;
    try {
      do {
        claimAgain = false;
        while (!stopped) {
          const task = await ctx().tasks.claimNext(owner);
          if (task === undefined) break;
          ctx().log.info({ taskId: task.id, function: task.function }, 'task claimed');
          if (task.function === 'hardReboot') spawn(task.id, 'reboot', () => hardReboot(task));
          else spawn(task.id, 'installer boot', () => bootInstaller(task));
        }
      } while (claimAgain && !stopped);
    } catch (error) {
      ctx().log.error({ err: error }, 'claiming tasks failed');
    } finally {
      claiming = false;
    }
  }

  async function watchWaits(): Promise<void> {
    const { tasks, config } = ctx();
    for (const [taskId, wait] of waits) {
      if (busy.has(taskId)) continue;
      const task = await tasks.get(taskId);
      if (task === undefined || isTerminalTaskStatus(task.status)) {
        waits.delete(taskId);
        continue;
      }
      if (wait.kind === 'enrol' && task.status !== 'todo') {
        waits.delete(taskId); // the agent enrolled: its heartbeats hold the lease now
        continue;
      }
      if (wait.kind === 'first-boot') {
        const firstBoot = task.steps.find((s) => s.id === 'first-boot')?.status;
        if (firstBoot === 'done') {
          spawn(taskId, 'install end', () => endInstalled(task));
          continue;
        }
        if (Date.now() > wait.deadline) {
          spawn(taskId, 'install end', async () => {
            // Not confirmed in time: back to todo, unless the phone home made it done meanwhile.
            await tasks.resetSteps(taskId, ['first-boot'], ['doing']);
            await tasks.notice(taskId, `No first boot report within ${config.tasks.firstBootWaitSeconds} seconds; the install is done, the first boot is not confirmed`);
            await endInstalled(task);
          });
          continue;
        }
      }
      if (wait.kind === 'enrol' && Date.now() > wait.deadline) {
        const server = await findServerById(ctx().store, task.serverId);
        const error = new ByoiError('BYOI_INSTALLER_NOT_STARTED', { serverName: server?.serviceName ?? String(task.serverId), seconds: config.tasks.installerStartSeconds });
        spawn(taskId, 'installer timeout', () => fail(taskId, { code: error.code, message: error.message }));
        continue;
      }
      // Still waiting: keep the lease, renewing once half of it is gone.
      const left = task.leaseExpiresAt === null ? 0 : Date.parse(task.leaseExpiresAt) - Date.now();
      if (left < (config.tasks.leaseSeconds * 1000) / 2) await tasks.renewLease(taskId, owner);
    }
  }

  /** Picks a task this owner held before a restart up where the database says it was. */
  async function resume(task: ControlTask): Promise<void> {
    if (task.function === 'hardReboot') {
      if (task.status === 'todo') spawn(task.id, 'reboot', () => hardReboot(task));
      else spawn(task.id, 'reboot', async () => void (await ctx().tasks.finish(task.id, { ok: true, result: null })));
      return;
    }
    if (task.result !== null) {
      spawn(task.id, 'install end', () => finishInstall(task.id));
      return;
    }
    if (task.status === 'todo') {
      // The reboot may or may not have happened: power-cycling a server on its way to the installer is harmless.
      spawn(task.id, 'installer boot', () => bootInstaller(task));
      return;
    }
    // doing, no result: the agent works on the server and reaches us by itself, unless it ran in this process.
    const server = await serverOf(task);
    const driver = options.drivers.get(server.powerDriver);
    if (driver?.isInstallerRunning !== undefined && !driver.isInstallerRunning(server, task.id)) {
      // Like a server that lost power: it boots the installer again, which deploys from the start.
      const { tasks } = ctx();
      await tasks.notice(task.id, 'The control plane restarted and the installer ran inside it: starting the installer again');
      await tasks.resetSteps(task.id, ['reboot-installer', ...agentSteps]);
      spawn(task.id, 'installer boot', () => bootInstaller(task));
    }
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    await claimLoop();
    try {
      await watchWaits();
    } catch (error) {
      ctx().log.error({ err: error }, 'watching task deadlines failed');
    }
  }

  return {
    name: 'agent',
    get owner() {
      return owner;
    },

    async start(started) {
      context = started;
      stopped = false;
      if (owner === '') owner = defaultOwner(started.config);
      options.onStart?.(started);
      const { config, store, bus, log } = started;
      const extended = await extendActiveLeases(store, nowIso(Date.now() + config.tasks.leaseSeconds * 1000));
      if (extended > 0) log.info({ tasks: extended }, 'gave running tasks one lease to reach the restarted control plane');
      for (const task of await listOwnedActiveTasks(store, owner)) {
        log.info({ taskId: task.id, status: task.status }, 'resuming task');
        await resume(task);
      }
      unsubscribe.push(bus.onCreated(() => void claimLoop()));
      unsubscribe.push(bus.onCancelled((taskId) => waits.delete(taskId)));
      timer = setInterval(() => void tick(), options.pollIntervalMs ?? 1000);
      timer.unref();
      void claimLoop();
    },

    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      for (const off of unsubscribe.splice(0)) off();
      waits.clear();
      // Work already under way (a reboot call) finishes; its leases decide what happens next.
      await Promise.race([Promise.allSettled([...busy.values()]), new Promise((r) => setTimeout(r, 5000).unref())]);
    },

    completeInstall(taskId) {
      spawn(taskId, 'install end', () => finishInstall(taskId));
    },

    firstBootConfirmed(taskId) {
      const wait = waits.get(taskId);
      if (wait?.kind !== 'first-boot') return;
      spawn(taskId, 'install end', async () => {
        const task = await ctx().tasks.get(taskId);
        if (task !== undefined && task.status === 'doing') await endInstalled(task);
      });
    },
  };
}

/** The same name for the same control plane across restarts: host, data directory and database. */
export function defaultOwner(config: TaskRunnerContext['config']): string {
  const where = createHash('sha256').update(`${resolve(config.dataDir)}|${config.database ?? ''}`).digest('hex').slice(0, 12);
  return `byoi@${hostname()}:${where}`;
}
