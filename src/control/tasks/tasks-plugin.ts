import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import { createTaskBus, type TaskBus } from './task-bus.ts';
import { createTaskService } from './task-service.ts';
import type { TaskRunner } from './task-runner.ts';
import { purgeSignatures } from '../store/replay-guard-repo.ts';
import type {} from '../http/fastify-types.ts';

/**
 * Decorates `app.tasks` and `app.taskBus`, runs the housekeeping timer (expired leases end as ovhError,
 * old replay-guard entries are purged) and starts/stops the TaskRunner when one is given.
 */
export const tasksPlugin = fp(
  async (
    app: FastifyInstance,
    options: { config: Config; runner?: TaskRunner | undefined; sweepIntervalMs?: number; bus?: TaskBus | undefined; housekeeping?: boolean | undefined },
  ) => {
    const bus = options.bus ?? createTaskBus();
    const tasks = createTaskService({ store: app.store, bus, leaseSeconds: options.config.tasks.leaseSeconds });
    app.decorate('taskBus', bus);
    app.decorate('tasks', tasks);

    let timer: NodeJS.Timeout | undefined;
    let sweeping: Promise<void> = Promise.resolve();
    const sweep = async () => {
      try {
        const expired = await tasks.expireLeases();
        if (expired > 0) app.log.warn({ expired }, 'tasks ended as ovhError: their lease ran out');
        await purgeSignatures(app.store);
      } catch (error) {
        app.log.error({ err: error }, 'task housekeeping failed');
      }
    };

    app.addHook('onReady', async () => {
      // One sweeper per control plane process group: a follower worker leaves it to the leader.
      if (options.housekeeping !== false) {
        timer = setInterval(() => {
          sweeping = sweep();
        }, options.sweepIntervalMs ?? 5000);
        timer.unref();
      }
      if (options.runner !== undefined) {
        await options.runner.start({ store: app.store, tasks, bus, config: options.config, log: app.log.child({ runner: options.runner.name }) });
      }
    });
    app.addHook('onClose', async () => {
      if (timer !== undefined) clearInterval(timer);
      await sweeping;
      if (options.runner !== undefined) await options.runner.stop();
    });
  },
  { name: 'byoi-tasks', fastify: '5.x', dependencies: ['byoi-store'] },
);
