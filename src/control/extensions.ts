import type { FastifyInstance } from 'fastify';
import type { TaskRunner } from './tasks/task-runner.ts';
import type { PowerDriverRegistry } from './power/power-driver.ts';
import type { Config } from './config/config-schema.ts';

/** What `byoi serve` plugs into the core: the seam for the agent protocol, the boot service and the power drivers. */
export interface ControlExtensions {
  taskRunner?: TaskRunner;
  powerDrivers?: PowerDriverRegistry;
  /** Encapsulated plugins with their own routes and authentication (boot service, agent API). */
  plugins?: ReadonlyArray<(app: FastifyInstance) => Promise<void>>;
}

/**
 * Seam: returns the runner, drivers and plugins of this build. The core ships none, so tasks wait in `init`
 * until the agent protocol's runner is returned here.
 */
export function controlExtensions(config: Config): ControlExtensions {
  void config;
  return {};
}
