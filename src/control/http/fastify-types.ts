import type { AuthContext } from '../auth/auth-context.ts';
import type { Config } from '../config/config-schema.ts';
import type { Store } from '../store/open-store.ts';
import type { TaskBus } from '../tasks/task-bus.ts';
import type { TaskService } from '../tasks/task-service.ts';
import type { PowerDriverRegistry } from '../power/power-driver.ts';

// What the control plane's plugins add to Fastify's types. Import this file (type-only) where they are used.
declare module 'fastify' {
  interface FastifyInstance {
    /** The database (store-plugin.ts). */
    store: Store;
    /** Task creation and the runner seam (tasks-plugin.ts). */
    tasks: TaskService;
    taskBus: TaskBus;
    byoiConfig: Config;
    powerDrivers: PowerDriverRegistry;
  }
  interface FastifyRequest {
    /** Set by the auth hook on OVH routes; null elsewhere. */
    auth: AuthContext | null;
    /** The exact body bytes, kept for signature checks (null when there is no body). */
    rawBody: Buffer | null;
  }
}

export {};
