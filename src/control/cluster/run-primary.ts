import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { isClusterMessage } from './cluster-messages.ts';

/** The environment variable that tells a forked `byoi serve` which part it plays. */
export const workerRoleVariable = 'BYOI_SERVE_WORKER_ROLE';
export type WorkerRole = 'leader' | 'follower';

export interface PrimaryOptions {
  workers: number;
  log: Logger;
  /** Logged once every worker listens, with the leader's apiUrl. */
  readyFields: Record<string, unknown>;
  /** More re-forks than this within `restartWindowMs` end the control plane. @default 5 */
  maxRestarts?: number;
  /** @default 60000 */
  restartWindowMs?: number;
  /** How long workers get to close before SIGKILL. @default 20000 */
  stopTimeoutMs?: number;
}

/**
 * The primary of `byoi serve --workers N`: it serves nothing itself. It forks one leader (task runner, lease
 * sweeper, the `local` driver's installers, first-start work) and N-1 followers (HTTP only), all listening on
 * the same port (cluster round-robin); relays the task bus and the runner calls between them; re-forks a worker
 * that dies, in the same role, at most `maxRestarts` times per window (a worker that dies before the first
 * "ready", e.g. the port is taken, ends the start instead); and on SIGINT/SIGTERM stops the workers
 * (each closes like a single `byoi serve`). Resolves with the exit status: 0 after a stop, 1 when a worker
 * failed before it was ready or restarts came too fast.
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const { log } = options;
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.restartWindowMs ?? 60_000;
  const roles = new Map<Worker, WorkerRole>();
  const ready = new Set<Worker>();
  const restarts: number[] = [];
  let announced = false;
  let stopping = false;
  let status = 0;

  return new Promise<number>((resolve) => {
    const fork = (role: WorkerRole) => {
      const worker = cluster.fork({ [workerRoleVariable]: role });
      roles.set(worker, role);
      log.info({ worker: worker.id, workerPid: worker.process.pid, workerRole: role }, 'worker started');
    };

    const leader = () => [...roles].find(([, role]) => role === 'leader')?.[0];

    const stop = (exitStatus: number) => {
      if (stopping) return;
      stopping = true;
      status = exitStatus;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log.info({ workers: roles.size }, 'stopping');
      for (const worker of roles.keys()) worker.process.kill('SIGTERM');
      const force = setTimeout(() => {
        for (const worker of roles.keys()) worker.process.kill('SIGKILL');
      }, options.stopTimeoutMs ?? 20_000);
      force.unref();
      if (roles.size === 0) resolve(status);
    };
    const onSignal = () => stop(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    cluster.on('message', (from, message: unknown) => {
      if (!isClusterMessage(message)) return;
      if (message.byoi === 'bus') {
        for (const worker of roles.keys()) if (worker !== from && worker.isConnected()) worker.send(message);
      } else if (message.byoi === 'runner') {
        const target = leader();
        if (target !== undefined && target.isConnected()) target.send(message);
      } else {
        ready.add(from);
        if (from === leader()) options.readyFields = { ...options.readyFields, apiUrl: message.apiUrl };
        if (!announced && ready.size === options.workers) {
          announced = true;
          log.info({ ...options.readyFields, workers: options.workers }, 'byoi control plane ready');
        }
      }
    });

    cluster.on('exit', (worker, code, signal) => {
      const role = roles.get(worker) ?? 'follower';
      const wasReady = ready.has(worker);
      roles.delete(worker);
      ready.delete(worker);
      if (stopping) {
        if (roles.size === 0) resolve(status);
        return;
      }
      log.warn({ worker: worker.id, workerPid: worker.process.pid, workerRole: role, code, signal }, 'worker exited');
      if (!wasReady && !announced) {
        log.fatal({ worker: worker.id, workerRole: role }, 'a worker ended before it was ready: stopping the control plane');
        stop(1);
        return;
      }
      const now = Date.now();
      while (restarts.length > 0 && (restarts[0] as number) <= now - windowMs) restarts.shift();
      if (restarts.length >= maxRestarts) {
        log.fatal({ restarts: restarts.length, windowSeconds: windowMs / 1000 }, 'workers keep dying: stopping the control plane');
        stop(1);
        return;
      }
      restarts.push(now);
      fork(role);
    });

    fork('leader');
    for (let i = 1; i < options.workers; i++) fork('follower');
  });
}
