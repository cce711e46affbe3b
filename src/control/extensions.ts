import type { FastifyInstance } from 'fastify';
import type { TaskRunner } from './tasks/task-runner.ts';
import type { PowerDriverRegistry } from './power/power-driver.ts';
import type { Config } from './config/config-schema.ts';
import { createAgentExtensions } from './agent/agent-extensions.ts';
import { demoImagesPlugin } from './demo/demo-images-plugin.ts';
import { bootServicePlugin } from './boot/boot-service-plugin.ts';
import { createQemuDriver } from './power/qemu-driver.ts';
import { createRedfishDriver } from './power/redfish-driver.ts';
import { createIpmiDriver } from './power/ipmi-driver.ts';
import { defaultOwner } from './agent/agent-runner.ts';
import type { ClusterChannel } from './cluster/cluster-messages.ts';
import type { WorkerRole } from './cluster/run-primary.ts';
import { createRelayedRunner, serveRelayedRunnerCalls } from './cluster/relayed-runner.ts';

/** This process's part in `byoi serve --workers N`: the leader runs the task runner, followers relay to it. */
export interface ClusterPart {
  role: WorkerRole;
  channel: ClusterChannel;
}

/** What `byoi serve` plugs into the core: the seam for the agent protocol, the boot service and the power drivers. */
export interface ControlExtensions {
  taskRunner?: TaskRunner;
  powerDrivers?: PowerDriverRegistry;
  /** Encapsulated plugins with their own routes and authentication (boot service, agent API). */
  plugins?: ReadonlyArray<(app: FastifyInstance) => Promise<void>>;
  /** Called by `byoi serve` after the app closed: stops what runs beside it (the `local` driver's installers). */
  close?: () => Promise<void>;
}

/**
 * The runner, drivers and plugins of this build: the agent protocol (runner, agent routes, `local` power driver)
 * with the `qemu`, `redfish` and `ipmi` drivers, the boot service (GET /boot/{mac}.ipxe), and, with the demo on,
 * the sample image served under /demo/images/.
 */
export function controlExtensions(config: Config, options: { cluster?: ClusterPart } = {}): ControlExtensions {
  const { cluster } = options;
  // The machine power drivers (QEMU lab, Redfish and IPMI BMCs) and the boot service their servers PXE-boot from.
  const agent = createAgentExtensions(config, {
    drivers: [createQemuDriver(), createRedfishDriver(), createIpmiDriver()],
    ...(cluster?.role === 'follower' ? { runner: createRelayedRunner(defaultOwner(config), cluster.channel) } : {}),
  });
  const stopServing = cluster?.role === 'leader' ? serveRelayedRunnerCalls(cluster.channel, agent.taskRunner) : () => undefined;
  const plugins = [...agent.plugins, bootServicePlugin({ boot: config.boot, dataDir: config.dataDir })];
  if (config.demo) plugins.push(demoImagesPlugin(config.dataDir));
  const close = async () => {
    stopServing();
    await agent.close();
  };
  return { taskRunner: agent.taskRunner, powerDrivers: agent.powerDrivers, plugins, close };
}
